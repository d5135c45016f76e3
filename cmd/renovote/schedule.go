package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/dialogs"
	"github.com/renovote/renovote/scheduler"
)

// scheduleEntries lists the bot's scheduled jobs for the applied programme
// (only the timed notices without one), in the programme's zone.
func (c *cli) scheduleEntries(ctx context.Context, now time.Time) (renovote.Programme, []dialogs.ScheduleEntry, error) {
	p, err := c.st.Programme(ctx)
	jobs := []scheduler.JobSpec{{Name: scheduler.NoticesJob, Spec: scheduler.NoticesSpec}}
	loc := c.cfg.TZ
	if err == nil {
		jobs = scheduler.AllJobs(p, scheduler.CalendarOptions{})
		if l, lerr := p.Location(); lerr == nil {
			loc = l
		}
	}
	if _, ok := c.st.(scheduler.ConsumerPruner); ok {
		jobs = append(jobs, scheduler.JobSpec{Name: scheduler.ConsumersJob, Spec: scheduler.ConsumersSpec})
	}
	es, err := scheduler.Entries(ctx, c.st, jobs, loc, now)
	return p, es, err
}

// schedule prints each job, its spec, its next run and its last run.
func (c *cli) schedule(ctx context.Context) error {
	p, es, err := c.scheduleEntries(ctx, c.now())
	if err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	loc, lerr := p.Location()
	if lerr != nil || p.ID == "" {
		loc = c.cfg.TZ
	}
	if loc == nil {
		loc = time.UTC
	}
	tw := tabwriter.NewWriter(c.out, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "JOB\tSPEC (%s)\tNEXT\tLAST\tOUTCOME\n", loc)
	const layout = "2006-01-02 15:04"
	for _, e := range es {
		next, last, outcome := "-", "-", "never run"
		if !e.Next.IsZero() {
			next = e.Next.In(loc).Format(layout)
		}
		if !e.LastTick.IsZero() {
			last = e.LastTick.In(loc).Format(layout)
			outcome = e.LastOutcome
			if e.LastError != "" {
				outcome += ": " + e.LastError
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Job, e.Spec, next, last, outcome)
	}
	return tw.Flush()
}
