// Package chart owns the housing bureau's charts: PNG images drawn from a
// report.Tables, sent in chat (sendPhoto) and shown on the dashboard.
//
//   - Consent: each compound's share on the first test of its rule (such as
//     同意户数/总户数) as a horizontal bar, the compound's threshold as a
//     vertical mark, green when the test is met and orange when not, with the
//     numbers beside each bar. At most MaxCompounds compounds are drawn; with
//     more, those furthest below their line are, and a note says how many are
//     left out.
//   - Survey: the survey's items in the report's ranking (must-do items by
//     weighted urgency, then upgrades by households), each bar the households
//     choosing the item, for one compound or for the report's total.
//   - Response: households voted, cumulated day by day, one line per compound
//     (the total when there are more than MaxLines); for a single compound
//     also the agreeing households and, when its first test counts households,
//     the number that meets the threshold as a dashed line.
//
// Every function takes the tables and a language ("zh", the default, or
// "en") and returns the PNG's bytes; ErrNoData (errors.Is) when the tables
// hold nothing to draw. They are pure and safe for concurrent use.
//
// Text is drawn with fonts embedded in the binary: Droid Sans Fallback
// (font/, Apache-2.0, see font/NOTICE) for Chinese, Liberation Sans (SIL OFL,
// from the Go module codeberg.org/go-fonts/liberation) for Latin letters,
// digits and punctuation, chosen rune by rune. Nothing is read from the
// machine's fonts, so the images look the same everywhere and Chinese never
// comes out as empty boxes.
//
// Drawing is done with gonum.org/v1/plot (axes, ticks, lines) and its vgimg
// back end. The package must not import go-telegram, go-redis, store, bot or
// dialogs: callers build the tables (report.Build) and send the bytes.
package chart
