package renovote

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The programme's calendar of automatic messages (issue 5): reminders to
// households that have not answered an open ballot or survey, and the staff
// digest. Phase announcements follow Programme.Phases.

// WindowKind names what a reminder is about: the ballot or the survey.
type WindowKind string

const (
	BallotWindow WindowKind = "ballot"
	SurveyWindow WindowKind = "survey"
)

// Defaults of the programme's reminders and digest.
const (
	DefaultReminderSpec = "0 19 * * *"
	DefaultQuietHours   = "21:00-08:00"
	DefaultReminderCap  = 3
	DefaultDigestSpec   = "0 8 * * *"
)

// Reminders is when households that have not answered an open ballot or
// survey are reminded. Zero fields take the defaults (see Effective).
type Reminders struct {
	// Specs are standard 5-field cron specs in the programme's zone
	// (DefaultReminderSpec when empty). Each is one scheduled job.
	Specs []string `json:"specs,omitempty"`
	// LastDayBeforeClose makes the runs on the day before the window's
	// closing day the last ones: they may use the household's last reminder
	// (the cap's last slot is kept for them) and no reminder is sent after
	// that day. The closing day is the local date of the last open instant,
	// so a ballot that "closes: 2020-05-20" (24:00) has its last reminder on
	// 2020-05-19.
	LastDayBeforeClose bool `json:"last_day_before_close"`
	// QuietHours "HH:MM-HH:MM", local: no reminder goes out in them (a tick
	// inside sends nothing). DefaultQuietHours when empty; "off" for none.
	QuietHours string `json:"quiet_hours,omitempty"`
	// Cap is the most reminders one household gets for one ballot or survey
	// (DefaultReminderCap when 0).
	Cap int `json:"cap,omitempty"`
	// Off turns reminders off.
	Off bool `json:"off,omitempty"`
}

// Effective returns r with its defaults filled in.
func (r Reminders) Effective() Reminders {
	if len(r.Specs) == 0 {
		r.Specs = []string{DefaultReminderSpec}
	}
	if r.QuietHours == "" {
		r.QuietHours = DefaultQuietHours
	}
	if r.Cap <= 0 {
		r.Cap = DefaultReminderCap
	}
	return r
}

// QuietHours is a daily interval of local time, [From, To) in minutes after
// midnight; it wraps past midnight when To < From. From == To is none.
type QuietHours struct{ From, To int }

// ParseQuietHours reads "HH:MM-HH:MM" (or "off").
func ParseQuietHours(s string) (QuietHours, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "off") || strings.EqualFold(s, "none") {
		return QuietHours{}, nil
	}
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return QuietHours{}, fmt.Errorf("quiet hours %q: want HH:MM-HH:MM: %w", s, ErrInvalid)
	}
	from, err1 := clockMinutes(a)
	to, err2 := clockMinutes(b)
	if err1 != nil || err2 != nil {
		return QuietHours{}, fmt.Errorf("quiet hours %q: want HH:MM-HH:MM: %w", s, ErrInvalid)
	}
	return QuietHours{From: from, To: to}, nil
}

func clockMinutes(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return 0, ErrInvalid
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || hh == 24 && mm != 0 {
		return 0, ErrInvalid
	}
	return hh*60 + mm, nil
}

// In reports whether t (read in loc) lies in the quiet hours.
func (q QuietHours) In(t time.Time, loc *time.Location) bool {
	if q.From == q.To {
		return false
	}
	lt := t.In(loc)
	m := lt.Hour()*60 + lt.Minute()
	if q.From < q.To {
		return m >= q.From && m < q.To
	}
	return m >= q.From || m < q.To
}

// LastReminderDay is the local date (midnight in loc) of the day before the
// window's closing day, the closing day being the date of its last open
// instant.
func LastReminderDay(w Window, loc *time.Location) time.Time {
	last := w.Closes.Add(-time.Nanosecond).In(loc)
	d := time.Date(last.Year(), last.Month(), last.Day(), 0, 0, 0, 0, loc)
	return d.AddDate(0, 0, -1)
}

// Digest returns the staff digest's cron spec (DefaultDigestSpec when empty).
func (p Programme) Digest() string {
	if p.DigestSpec == "" {
		return DefaultDigestSpec
	}
	return p.DigestSpec
}
