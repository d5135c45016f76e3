// Package report builds the housing bureau's tables (汇总, 楼栋, 调查结果,
// 住户明细) from store data and writes them as XLSX, CSV and JSON, and the
// public notice (公示) of one compound's ballot for the bulletin board
// (BuildPublicity, PublicityHTML: a self-contained A4 HTML page with the
// counts, every rule test, the dates and the publicity window; no personal
// data at all).
//
// Two costs. The programme-level tables (汇总 per compound, 调查结果 per item
// and their total) come from the counters the store keeps (Tally,
// SurveyCounts), read in a few pipelined round trips when the source is a
// CounterSource: their cost grows with the compounds, never with the
// households (BuildSummary). The detail (楼栋, 住户明细) reads every household
// and vote of a compound, so it is listed only for the compounds
// Options.Detail picks, and left out past Options.MaxDetailHouseholds; a
// report that leaves detail out says so (Tables.LeftOut, the workbook's 说明
// sheet) and how to get it. Build keeps listing everything.
//
// Building is pure apart from reading its Source; the writers are pure, and
// the XLSX writer streams its rows (excelize's StreamWriter). Every pass/fail
// and "still needed" comes from the domain's integer rules
// (renovote.Rule.Evaluate); ratios are kept exact (renovote.Share) and turned
// into a float only inside a spreadsheet cell, to be shown as a percentage.
//
// Personal data (owner names and phones) is in the tables only when asked
// for (withPersonal, Options.Personal); callers decide who may have it.
//
// It must not import go-telegram, go-redis, bot or dialogs: it reads through
// the small Source interfaces, which store.Store satisfies.
package report
