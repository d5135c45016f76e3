package scheduler

import (
	"context"
	"errors"
	"slices"
	"time"
)

// Catching up after a jump of the clock (the sandbox's time travel): cron's
// timers follow the real clock, so a process whose clock is moved forward
// runs the ticks it skipped itself, through Due and RunDue, instead of
// starting the cron.

// FrequentGap: a job whose ticks come closer than this (the minute checks of
// timed notices and phase starts) is frequent, and Due runs only some of its
// skipped ticks.
const FrequentGap = time.Hour

// maxDuePerJob bounds the ticks Due lists for one job (a jump of years).
const maxDuePerJob = 50000

// DueRun is one run that a jump of the clock skipped.
type DueRun struct {
	Job  string
	Tick time.Time // UTC
}

// Due lists, in time order (ties by job name), the runs that a clock which
// jumped from `from` to `to` skipped: every tick in (from, to] of each job that
// ticks at most hourly (reminders, digests); of a frequent job (FrequentGap),
// only the first tick at or after each of marks that lies in (from, to], and
// its last tick up to `to`. Marks are the moments the caller knows something
// is due (a phase starts, a timed notice's time): a minute check needs to run
// then and at the end, not at each of the thousands of minutes between.
func (s *Scheduler) Due(from, to time.Time, marks []time.Time) []DueRun {
	if !to.After(from) {
		return nil
	}
	loc := s.cfg.Location
	from, to = from.In(loc), to.In(loc)
	s.mu.Lock()
	entries := make([]*entry, 0, len(s.jobs))
	for _, e := range s.jobs {
		entries = append(entries, e)
	}
	s.mu.Unlock()

	var out []DueRun
	for _, e := range entries {
		next := e.sched.Next
		seen := map[int64]bool{}
		add := func(t time.Time) {
			if t.IsZero() || !t.After(from) || t.After(to) || seen[t.Unix()] {
				return
			}
			seen[t.Unix()] = true
			out = append(out, DueRun{Job: e.name, Tick: t.UTC()})
		}
		n1 := next(from)
		if n1.IsZero() {
			continue
		}
		if n2 := next(n1); n2.IsZero() || n2.Sub(n1) >= FrequentGap {
			for t, i := n1, 0; !t.IsZero() && !t.After(to) && i < maxDuePerJob; t, i = next(t), i+1 {
				add(t)
			}
			continue
		}
		for _, m := range marks {
			m = m.In(loc)
			if !m.After(from) || m.After(to) {
				continue
			}
			t := next(m.Truncate(time.Second).Add(-time.Second))
			if t.Before(m) {
				t = next(t)
			}
			add(t)
		}
		// The last tick up to `to`: looked for in the day before it.
		var last time.Time
		start := from
		if d := to.Add(-24 * time.Hour); d.After(start) {
			start = d
		}
		for t := next(start); !t.IsZero() && !t.After(to); t = next(t) {
			last = t
		}
		add(last)
	}
	slices.SortFunc(out, func(a, b DueRun) int {
		if c := a.Tick.Compare(b.Tick); c != 0 {
			return c
		}
		if a.Job < b.Job {
			return -1
		}
		if a.Job > b.Job {
			return 1
		}
		return 0
	})
	return out
}

// RunDue runs Due's runs in order, each through its claim as RunTick does,
// with the run's Now set to its tick: each job sees the moment it stood for,
// as if the clock had passed it (a reminder's quiet hours, a notice's
// lateness). It returns the runs this process ran (not those another process
// held or had finished). A failed run does not stop the others; the errors
// are joined. The scheduler need not be started.
func (s *Scheduler) RunDue(ctx context.Context, from, to time.Time, marks []time.Time) ([]DueRun, error) {
	var ran []DueRun
	var errs []error
	for _, d := range s.Due(from, to, marks) {
		if err := ctx.Err(); err != nil {
			return ran, err
		}
		tick := d.Tick
		ok, err := s.runTickAt(ctx, d.Job, tick, func() time.Time { return tick })
		if ok {
			ran = append(ran, d)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return ran, errors.Join(errs...)
}
