package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/dialogs"
	"github.com/renovote/renovote/store"
)

// The programme's calendar (issue 5): reminders to households that have not
// answered an open ballot or survey, phase announcements, staff digests. Every
// job reads the applied programme at each run (a changed reminder or digest
// spec takes effect at the next start), queues its messages as notices
// through the outbox, and is idempotent per tick: its notices' op ids derive
// from the job, the tick and the compound (or staff member, or phase), so a
// rerun of a tick never queues twice.

// Job names of the calendar.
const (
	PhasesJob  = "phases"
	PhasesSpec = "* * * * *"
	DigestJob  = "digest"
	// RemindJob is the name of the first reminder spec's job; the others are
	// RemindJob.1, RemindJob.2, ...
	RemindJob = "remind"
	// By is the sender the calendar's notices name.
	By = "scheduler"
)

// CalendarStore is what the calendar's jobs need of the store (*store.Store).
type CalendarStore interface {
	Programme(ctx context.Context) (renovote.Programme, error)
	CreateNotice(ctx context.Context, n renovote.Notice, opID string) (renovote.Notice, error)
	EnqueueNotice(ctx context.Context, id string, recipients []int64) (renovote.Notice, error)
	NoticeRecipients(ctx context.Context, compounds, buildings []string, onlyNonVoters bool) ([]int64, error)
	ReminderTargets(ctx context.Context, compoundID string, kind renovote.WindowKind) ([]store.ReminderTarget, error)
	TakeReminders(ctx context.Context, compoundID string, kind renovote.WindowKind, opID string, capAt int, households []string) ([]string, error)
	Announced(ctx context.Context, key string) (bool, error)
	MarkAnnounced(ctx context.Context, key string) error
	StaffMembers(ctx context.Context) ([]renovote.StaffMember, error)
	Tally(ctx context.Context, compoundID string) (renovote.Tally, error)
	OpenReports(ctx context.Context, compoundID string) ([]renovote.Report, error)
	VotesSince(ctx context.Context, compoundID string, since, until time.Time) (int, error)
	SurveyAnswersSince(ctx context.Context, compoundID string, since, until time.Time) (int, error)
	RunHistory(ctx context.Context, job string, n int) ([]store.RunRecord, error)
}

// JobSpec is one job of the calendar and its cron spec.
type JobSpec struct{ Name, Spec string }

// CalendarOptions adjusts the calendar.
type CalendarOptions struct {
	// PhaseSpec is how often phase starts are checked (PhasesSpec, every
	// minute, by default). A phase is announced at the first check at or
	// after its start.
	PhaseSpec string
}

// CalendarJobs lists the calendar's jobs for the programme: one reminder job
// per reminder spec (none when reminders are off), the phase check and the
// digest.
func CalendarJobs(p renovote.Programme, o CalendarOptions) []JobSpec {
	var out []JobSpec
	if r := p.Reminders.Effective(); !r.Off {
		for i, s := range r.Specs {
			name := RemindJob
			if i > 0 {
				name += "." + strconv.Itoa(i)
			}
			out = append(out, JobSpec{name, s})
		}
	}
	ps := o.PhaseSpec
	if ps == "" {
		ps = PhasesSpec
	}
	return append(out, JobSpec{PhasesJob, ps}, JobSpec{DigestJob, p.Digest()})
}

// AddCalendar schedules the calendar's jobs for the programme p (its specs;
// each run reads the programme again).
func (s *Scheduler) AddCalendar(st CalendarStore, p renovote.Programme, o CalendarOptions) error {
	for _, j := range CalendarJobs(p, o) {
		var job Job
		switch {
		case j.Name == PhasesJob:
			job = Phases(st, s.log)
		case j.Name == DigestJob:
			job = Digest(st, s.log)
		default:
			job = Reminders(st, s.log)
		}
		if err := s.Add(j.Name, j.Spec, job); err != nil {
			return err
		}
	}
	return nil
}

// withProgramme makes a job that runs f with its run and the applied
// programme; with no programme applied there is nothing to do.
func withProgramme(st interface {
	Programme(context.Context) (renovote.Programme, error)
}, f func(ctx context.Context, run Run, p renovote.Programme) error) Job {
	return func(ctx context.Context) error {
		run := runOf(ctx)
		p, err := st.Programme(ctx)
		if errors.Is(err, renovote.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return f(ctx, run, p)
	}
}

// runOf is the run's tick and now (the wall clock outside a run).
func runOf(ctx context.Context) Run {
	if r, ok := RunOf(ctx); ok {
		return r
	}
	now := time.Now()
	return Run{Job: "manual", Tick: now.Truncate(time.Minute).UTC(), Now: now}
}

// queue creates the notice (idempotent by opID) and queues it to chats.
func queue(ctx context.Context, st CalendarStore, n renovote.Notice, opID string, chats []int64) (renovote.Notice, error) {
	if r := []rune(n.Text); len(r) > renovote.MaxNoticeRunes {
		n.Text = string(r[:renovote.MaxNoticeRunes-1]) + "…"
	}
	created, err := st.CreateNotice(ctx, n, opID)
	if err != nil {
		return created, err
	}
	got, err := st.EnqueueNotice(ctx, created.ID, chats)
	if errors.Is(err, renovote.ErrConflict) { // cancelled by staff meanwhile
		return created, nil
	}
	return got, err
}

// Reminders returns a reminder job. At its tick (in the programme's zone) it
// sends nothing when the tick or the run's now lies in the quiet hours.
// Otherwise, for each compound whose ballot (and, apart, survey) is open at
// the tick, it takes the households that have not answered and have a
// reachable bound member, counts one reminder for those below the cap
// (store.TakeReminders, once per tick), and queues one KindReminder notice to
// their members. With LastDayBeforeClose, nothing is sent after the day
// before the closing day, and before that day the cap's last slot (when the
// cap is above 1) is kept for that day's run.
func Reminders(st CalendarStore, log *slog.Logger) Job {
	return withProgramme(st, func(ctx context.Context, run Run, p renovote.Programme) error {
		loc, err := p.Location()
		if err != nil {
			return err
		}
		r := p.Reminders.Effective()
		if r.Off {
			return nil
		}
		q, err := renovote.ParseQuietHours(r.QuietHours)
		if err != nil {
			return err
		}
		if q.In(run.Tick, loc) || q.In(run.Now, loc) {
			log.Info("reminders: quiet hours, nothing sent", "job", run.Job, "tick", run.Tick)
			return nil
		}
		tickDay := dayOf(run.Tick, loc)
		var errs []error
		for _, c := range p.Compounds {
			for _, kw := range []struct {
				kind renovote.WindowKind
				w    renovote.Window
			}{{renovote.BallotWindow, c.Ballot}, {renovote.SurveyWindow, c.Survey}} {
				if kw.w.Opens.IsZero() || kw.w.State(run.Tick) != renovote.Open {
					continue
				}
				capAt := r.Cap
				if r.LastDayBeforeClose {
					last := renovote.LastReminderDay(kw.w, loc)
					if tickDay.After(last) {
						continue
					}
					if tickDay.Before(last) && capAt > 1 {
						capAt--
					}
				}
				n, err := remind(context.WithoutCancel(ctx), st, p, c, kw.kind, kw.w, capAt, run)
				if err != nil {
					errs = append(errs, fmt.Errorf("remind %s %s: %w", c.ID, kw.kind, err))
					continue
				}
				if n > 0 {
					log.Info("reminders queued", "job", run.Job, "compound", c.ID, "kind", kw.kind, "households", n)
				}
			}
		}
		return errors.Join(errs...)
	})
}

func dayOf(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
}

// remind reminds one compound's non-respondents of one window; it returns
// how many households were reminded.
func remind(ctx context.Context, st CalendarStore, p renovote.Programme, c renovote.Compound, kind renovote.WindowKind,
	w renovote.Window, capAt int, run Run) (int, error) {
	targets, err := st.ReminderTargets(ctx, c.ID, kind)
	if err != nil || len(targets) == 0 {
		return 0, err
	}
	ids := make([]string, len(targets))
	for i, t := range targets {
		ids[i] = t.HouseholdID
	}
	opID := fmt.Sprintf("remind:%s:%d:%s:%s", run.Job, run.Tick.Unix(), c.ID, kind)
	took, err := st.TakeReminders(ctx, c.ID, kind, opID, capAt, ids)
	if err != nil || len(took) == 0 {
		return 0, err
	}
	var chats []int64
	for _, t := range targets {
		if slices.Contains(took, t.HouseholdID) {
			chats = append(chats, t.Chats...)
		}
	}
	n := renovote.Notice{Kind: renovote.KindReminder, Compounds: []string{c.ID}, By: By, Created: run.Now,
		Text: dialogs.ReminderText(p, c.ID, kind, w.Closes)}
	n.Text = dialogs.NoticeText(p, n, "")
	if _, err := queue(ctx, st, n, opID, chats); err != nil {
		return 0, err
	}
	return len(took), nil
}

// Phases returns the phase-announcement job: at each run outside the
// programme's quiet hours (those of its reminders), every phase that
// has started by the tick and not ended, and was not announced yet, is
// announced to every bound household of the programme (a KindNotice with
// dialogs.PhaseAnnouncement, op id "phase:<id>"), then marked announced for
// good (store.MarkAnnounced), so each phase is announced once.
func Phases(st CalendarStore, log *slog.Logger) Job {
	return withProgramme(st, func(ctx context.Context, run Run, p renovote.Programme) error {
		// Announcements wait for the end of the quiet hours too: a phase that
		// starts at midnight is announced at the first check after them.
		if q, err := renovote.ParseQuietHours(p.Reminders.Effective().QuietHours); err == nil {
			if loc, err := p.Location(); err == nil && (q.In(run.Tick, loc) || q.In(run.Now, loc)) {
				return nil
			}
		}
		ctx = context.WithoutCancel(ctx)
		var errs []error
		for _, ph := range p.Phases {
			if ph.Starts.After(run.Tick) || !run.Tick.Before(ph.Ends) {
				continue
			}
			key := "phase:" + ph.ID
			done, err := st.Announced(ctx, key)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if done {
				continue
			}
			if err := announce(ctx, st, p, ph, key, run); err != nil {
				errs = append(errs, fmt.Errorf("phase %s: %w", ph.ID, err))
				continue
			}
			log.Info("phase announced", "phase", ph.ID, "tick", run.Tick)
		}
		return errors.Join(errs...)
	})
}

func announce(ctx context.Context, st CalendarStore, p renovote.Programme, ph renovote.Phase, key string, run Run) error {
	ids := make([]string, 0, len(p.Compounds))
	for _, c := range p.Compounds {
		ids = append(ids, c.ID)
	}
	chats, err := st.NoticeRecipients(ctx, ids, nil, false)
	if err != nil {
		return err
	}
	n := renovote.Notice{Kind: renovote.KindNotice, Compounds: ids, By: By, Created: run.Now,
		Text: dialogs.PhaseAnnouncement(p, ph)}
	n.Text = dialogs.NoticeText(p, n, "")
	if _, err := queue(ctx, st, n, key, chats); err != nil {
		return err
	}
	return st.MarkAnnounced(ctx, key)
}

// Digest returns the staff digest job: each worker gets their compounds, the
// bureau every compound (admins, named in the configuration, get none): new
// votes and survey answers since the previous successful digest run (a day
// before the tick for the first), each compound's tally against its rule and
// its open reports, as a KindDigest notice to their chat alone.
func Digest(st CalendarStore, log *slog.Logger) Job {
	return withProgramme(st, func(ctx context.Context, run Run, p renovote.Programme) error {
		ctx = context.WithoutCancel(ctx)
		since := run.Tick.Add(-24 * time.Hour)
		hist, err := st.RunHistory(ctx, run.Job, 20)
		if err != nil {
			return err
		}
		for _, h := range hist {
			if h.Outcome == store.RunOK && h.Tick.Before(run.Tick) {
				since = h.Tick
				break
			}
		}
		staff, err := st.StaffMembers(ctx)
		if err != nil {
			return err
		}
		rows := map[string]dialogs.DigestRow{}
		row := func(c renovote.Compound) (dialogs.DigestRow, error) {
			if r, ok := rows[c.ID]; ok {
				return r, nil
			}
			r := dialogs.DigestRow{CompoundID: c.ID}
			var err error
			if r.NewVotes, err = st.VotesSince(ctx, c.ID, since, run.Tick); err != nil {
				return r, err
			}
			if r.NewAnswers, err = st.SurveyAnswersSince(ctx, c.ID, since, run.Tick); err != nil {
				return r, err
			}
			if r.Tally, err = st.Tally(ctx, c.ID); err != nil {
				return r, err
			}
			r.Outcome = c.Rule.Evaluate(r.Tally)
			open, err := st.OpenReports(ctx, c.ID)
			if err != nil {
				return r, err
			}
			r.OpenReports = len(open)
			rows[c.ID] = r
			return r, nil
		}
		var errs []error
		for _, m := range staff {
			if m.Role != renovote.RoleWorker && m.Role != renovote.RoleBureau {
				continue
			}
			var ids []string
			var rs []dialogs.DigestRow
			for _, c := range p.Compounds {
				if !m.Covers(c.ID) {
					continue
				}
				r, err := row(c)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				ids = append(ids, c.ID)
				rs = append(rs, r)
			}
			if len(ids) == 0 {
				continue
			}
			n := renovote.Notice{Kind: renovote.KindDigest, Compounds: ids, By: By, Created: run.Now,
				Text: dialogs.DigestText(p, rs, since, run.Tick)}
			opID := fmt.Sprintf("digest:%s:%d:%d", run.Job, run.Tick.Unix(), m.UserID)
			if _, err := queue(ctx, st, n, opID, []int64{m.UserID}); err != nil {
				errs = append(errs, fmt.Errorf("digest to %d: %w", m.UserID, err))
			}
		}
		log.Info("staff digests queued", "tick", run.Tick, "since", since, "staff", len(staff))
		return errors.Join(errs...)
	})
}

// History is what Entries needs of the store (*store.Store).
type History interface {
	RunHistory(ctx context.Context, job string, n int) ([]store.RunRecord, error)
}

// Entries lists the jobs with their next run after now (in loc) and their
// last finished run.
func Entries(ctx context.Context, h History, jobs []JobSpec, loc *time.Location, now time.Time) ([]dialogs.ScheduleEntry, error) {
	if loc == nil {
		loc = time.UTC
	}
	out := make([]dialogs.ScheduleEntry, 0, len(jobs))
	for _, j := range jobs {
		e := dialogs.ScheduleEntry{Job: j.Name, Spec: j.Spec}
		if sc, err := cron.ParseStandard(j.Spec); err == nil {
			e.Next = sc.Next(now.In(loc))
		}
		if h != nil {
			recs, err := h.RunHistory(ctx, j.Name, 1)
			if err != nil {
				return nil, err
			}
			if len(recs) > 0 {
				e.LastTick, e.LastOutcome, e.LastError = recs[0].Tick, recs[0].Outcome, recs[0].Error
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// AllJobs is every job the bot schedules for the programme: the timed
// notices, then the calendar's.
func AllJobs(p renovote.Programme, o CalendarOptions) []JobSpec {
	return append([]JobSpec{{NoticesJob, NoticesSpec}}, CalendarJobs(p, o)...)
}
