package dialogs

import (
	"strings"
	"time"

	"github.com/renovote/renovote"
)

// The texts of the programme's calendar (issue 5), sent by the scheduler
// through the outbox: Chinese, then English, as the door-to-door reminder.

// ReminderText is the automatic reminder to a household that has not voted
// (kind renovote.BallotWindow) or not answered the survey (SurveyWindow) in
// the compound, whose window closes at closes.
func ReminderText(p renovote.Programme, compoundID string, kind renovote.WindowKind, closes time.Time) string {
	loc := location(p)
	m := mAutoReminderBallot
	if kind == renovote.SurveyWindow {
		m = mAutoReminderSurvey
	}
	name := compoundName(p, compoundID)
	return m.f(zh, p.Name, name, fmtEnd(zh, loc, closes)) + "\n" + m.f(en, p.Name, name, fmtEnd(en, loc, closes))
}

// PhaseAnnouncement is what every bound household gets when a phase starts:
// what happens now (the phase's description), until when, what residents can
// do (the phase's residents line, and any ballot or survey open at its start).
func PhaseAnnouncement(p renovote.Programme, ph renovote.Phase) string {
	loc := location(p)
	var b strings.Builder
	for i, l := range []lang{zh, en} {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(mPhaseHead.f(l, p.Name, ph.Name, fmtTime(l, loc, ph.Starts), fmtEnd(l, loc, ph.Ends)))
		if l == zh && ph.Description != "" {
			b.WriteString("\n" + ph.Description)
		}
		if l == zh && ph.Residents != "" {
			b.WriteString("\n" + mPhaseResidents.f(l, ph.Residents))
		}
		if w, ok := openAt(p, ph.Starts, func(c renovote.Compound) renovote.Window { return c.Ballot }); ok {
			b.WriteString("\n" + mPhaseBallotOpen.f(l, fmtEnd(l, loc, w.Closes)))
		}
		if w, ok := openAt(p, ph.Starts, func(c renovote.Compound) renovote.Window { return c.Survey }); ok {
			b.WriteString("\n" + mPhaseSurveyOpen.f(l, fmtEnd(l, loc, w.Closes)))
		}
	}
	return b.String()
}

// openAt returns the window of the first compound that is open at t or opens
// within a day of it.
func openAt(p renovote.Programme, t time.Time, win func(renovote.Compound) renovote.Window) (renovote.Window, bool) {
	for _, c := range p.Compounds {
		w := win(c)
		if w.Opens.IsZero() {
			continue
		}
		if w.State(t) == renovote.Open || w.State(t) == renovote.NotOpen && w.Opens.Sub(t) < 24*time.Hour {
			return w, true
		}
	}
	return renovote.Window{}, false
}

// DigestRow is one compound in a staff digest.
type DigestRow struct {
	CompoundID  string
	NewVotes    int
	NewAnswers  int
	Tally       renovote.Tally
	Outcome     renovote.Outcome
	OpenReports int
}

// DigestText is a staff member's daily digest: for each compound the new
// votes and survey answers in (since, until], the tally against its rule and
// the open reports.
func DigestText(p renovote.Programme, rows []DigestRow, since, until time.Time) string {
	loc := location(p)
	var b strings.Builder
	for i, l := range []lang{zh, en} {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(mDigestHead.f(l, fmtTime(l, loc, since), fmtTime(l, loc, until)))
		if len(rows) == 0 {
			b.WriteString("\n" + mDigestNone.s(l))
		}
		for _, r := range rows {
			status := mDigestFail.s(l)
			if r.Outcome.Pass {
				status = mDigestPass.s(l)
			}
			b.WriteString("\n" + mDigestCompound.f(l, compoundName(p, r.CompoundID), r.NewVotes, r.NewAnswers,
				r.Tally.Voted, r.Tally.Households, r.Tally.Agree, status, r.OpenReports))
		}
	}
	return b.String()
}

// ScheduleEntry is one scheduled job as /schedule shows it.
type ScheduleEntry struct {
	Job  string
	Spec string
	Next time.Time // zero when it never runs again
	// The last finished run (LastTick zero when none).
	LastTick    time.Time
	LastOutcome string
	LastError   string
}

// ScheduleText lists the scheduled jobs in the programme's zone.
func ScheduleText(code string, p renovote.Programme, es []ScheduleEntry) string {
	l := langOf(code)
	loc := location(p)
	var b strings.Builder
	b.WriteString(mScheduleHead.f(l, loc.String()))
	if len(es) == 0 {
		b.WriteString("\n" + mScheduleNone.s(l))
	}
	for _, e := range es {
		next := "-"
		if !e.Next.IsZero() {
			next = fmtTime(l, loc, e.Next)
		}
		last := mScheduleNever.s(l)
		if !e.LastTick.IsZero() {
			last = fmtTime(l, loc, e.LastTick) + " " + e.LastOutcome
			if e.LastError != "" {
				last += ": " + e.LastError
			}
		}
		b.WriteString("\n" + mScheduleLine.f(l, e.Job, e.Spec, next, last))
	}
	return b.String()
}
