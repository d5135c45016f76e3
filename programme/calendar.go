package programme

import (
	"fmt"
	"strings"

	"github.com/robfig/cron/v3"

	"github.com/renovote/renovote"
)

// calendar reads the reminders and the digest spec, with their defaults
// filled in (every reminder field has one; last_day_before_close defaults to
// true), checking each cron spec with the scheduler's parser (standard 5
// fields) and the quiet hours.
func (c *converter) calendar(fp *fileProgramme) (renovote.Reminders, string) {
	r := renovote.Reminders{LastDayBeforeClose: true}
	if fr := fp.Reminders; fr != nil {
		for i, s := range fr.Specs {
			s = strings.TrimSpace(s)
			path := index("reminders.specs", i)
			if _, err := cron.ParseStandard(s); err != nil {
				c.w.add(path, c.w.lineOf(path), fmt.Sprintf("not a cron spec %q: %v", s, err))
			}
			r.Specs = append(r.Specs, s)
		}
		if fr.LastDayBeforeClose != nil {
			r.LastDayBeforeClose = *fr.LastDayBeforeClose
		}
		r.QuietHours = strings.TrimSpace(fr.QuietHours)
		if _, err := renovote.ParseQuietHours(r.QuietHours); err != nil {
			c.w.add("reminders.quiet_hours", c.w.lineOf("reminders.quiet_hours"), `want "HH:MM-HH:MM" such as "21:00-08:00", or "off"`)
		}
		if fr.Cap < 0 || fr.Cap > 100 {
			c.w.add("reminders.cap", c.w.lineOf("reminders.cap"), "must be between 1 and 100")
		}
		r.Cap = fr.Cap
		r.Off = fr.Enabled != nil && !*fr.Enabled
	}
	r = r.Effective()
	digest := strings.TrimSpace(fp.Digest)
	if digest == "" {
		digest = renovote.DefaultDigestSpec
	} else if _, err := cron.ParseStandard(digest); err != nil {
		c.w.add("digest", c.w.lineOf("digest"), fmt.Sprintf("not a cron spec %q: %v", digest, err))
	}
	return r, digest
}
