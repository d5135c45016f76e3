package sandbox

import (
	"fmt"
	"slices"
	"time"

	"github.com/renovote/renovote"
)

// Target is a time the clock can jump to.
type Target struct {
	// ID is "hour", "today19", "tomorrow19", "phase" or "close:COMPOUND".
	ID    string    `json:"id"`
	Label string    `json:"label"`
	At    time.Time `json:"at"`
}

// Targets lists where the clock can jump from now: one hour on, today (while
// ahead) and tomorrow at 19:00 (when the default reminders go), the start of the next phase (the
// end of the quiet hours when it starts inside them, when its announcement
// goes) and each compound's ballot close that is still ahead, in the
// programme's zone.
func Targets(p renovote.Programme, now time.Time, lang string) []Target {
	en := lang == "en"
	loc, err := p.Location()
	if err != nil {
		loc = time.UTC
	}
	now = now.In(loc)
	stamp := func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04") }
	out := []Target{{ID: "hour", Label: pick(en, "一小时后", "+1 hour"), At: now.Add(time.Hour)}}
	if today := time.Date(now.Year(), now.Month(), now.Day(), 19, 0, 0, 0, loc); today.After(now) {
		out = append(out, Target{ID: "today19", Label: pick(en, "今天 19:00（催投提醒）", "today 19:00 (reminders)"), At: today})
	}
	tomorrow := time.Date(now.Year(), now.Month(), now.Day()+1, 19, 0, 0, 0, loc)
	out = append(out, Target{ID: "tomorrow19", Label: pick(en, "明天 19:00（催投提醒）", "tomorrow 19:00 (reminders)"), At: tomorrow})
	if ph, at, ok := nextPhase(p, now, loc); ok {
		out = append(out, Target{ID: "phase", Label: fmt.Sprintf(pick(en, "下一阶段：%s（%s）", "next phase: %s (%s)"), ph.Name, stamp(at)), At: at})
	}
	for _, c := range p.Compounds {
		if c.Ballot.Closes.After(now) {
			out = append(out, Target{ID: "close:" + c.ID,
				Label: fmt.Sprintf(pick(en, "%s 投票截止（%s）", "%s: ballot closes (%s)"), c.Name, stamp(c.Ballot.Closes)), At: c.Ballot.Closes})
		}
	}
	return out
}

// nextPhase is the first phase starting after now, and when its
// announcement goes: its start, or the end of the quiet hours it starts in.
func nextPhase(p renovote.Programme, now time.Time, loc *time.Location) (renovote.Phase, time.Time, bool) {
	var best renovote.Phase
	found := false
	for _, ph := range p.Phases {
		if ph.Starts.After(now) && (!found || ph.Starts.Before(best.Starts)) {
			best, found = ph, true
		}
	}
	if !found {
		return best, time.Time{}, false
	}
	at := best.Starts
	if q, err := renovote.ParseQuietHours(p.Reminders.Effective().QuietHours); err == nil && q.In(at, loc) {
		at = quietEnd(q, at, loc)
	}
	return best, at, true
}

// quietEnd is the end of the quiet hours that t lies in.
func quietEnd(q renovote.QuietHours, t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	end := time.Date(l.Year(), l.Month(), l.Day(), 0, q.To, 0, 0, loc)
	if !end.After(l) {
		end = time.Date(l.Year(), l.Month(), l.Day()+1, 0, q.To, 0, 0, loc)
	}
	return end
}

// Marks are the moments the scheduler's minute checks must run at when the
// clock jumps over them: each phase's start (and the end of the quiet hours
// it starts in), and each timed notice's time.
func Marks(p renovote.Programme, due []renovote.Notice) []time.Time {
	loc, err := p.Location()
	if err != nil {
		loc = time.UTC
	}
	q, qerr := renovote.ParseQuietHours(p.Reminders.Effective().QuietHours)
	var out []time.Time
	for _, ph := range p.Phases {
		out = append(out, ph.Starts)
		if qerr == nil && q.In(ph.Starts, loc) {
			out = append(out, quietEnd(q, ph.Starts, loc))
		}
	}
	for _, n := range due {
		if !n.SendAt.IsZero() {
			out = append(out, n.SendAt)
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(out, func(a, b time.Time) bool { return a.Equal(b) })
}
