package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/renovote/renovote"
)

// LateAfter: a notice queued more than this after its time is marked late
// (the bot was down, or no scheduler ran, when it was due).
const LateAfter = 2 * time.Minute

// NoticesJob is the name of the timed-notices job, NoticesSpec its schedule.
const (
	NoticesJob  = "notices"
	NoticesSpec = "* * * * *"
)

// NoticeStore is what the notices job needs of the store (*store.Store).
type NoticeStore interface {
	DueNotices(ctx context.Context, at time.Time, n int) ([]renovote.Notice, error)
	NoticeRecipients(ctx context.Context, compounds, buildings []string, onlyNonVoters bool) ([]int64, error)
	EnqueueNotice(ctx context.Context, id string, recipients []int64) (renovote.Notice, error)
	MarkNoticeLate(ctx context.Context, id string, at time.Time) (bool, error)
	UnqueuedNotices(ctx context.Context, before time.Time, n int) ([]renovote.Notice, error)
}

// StalledAfter is how long a notice to be sent may stay not fully queued
// before the notices job queues it again (its sender died in between).
const StalledAfter = 2 * time.Minute

// stalledScan is how many of the latest notices the job looks through.
const stalledScan = 200

// AddNotices schedules the notices job every minute.
func (s *Scheduler) AddNotices(st NoticeStore) error {
	return s.Add(NoticesJob, NoticesSpec, Notices(st, s.log))
}

// Notices returns the job that queues every scheduled notice whose time has
// come (store.DueNotices at the run's Now; a cancelled notice is never due),
// as dialogs queues a notice sent now: to the recipients of
// store.NoticeRecipients (only non-voters for a reminder), with
// store.EnqueueNotice, which queues each chat once however often it is
// called. A notice queued more than LateAfter after its time is marked late
// first. One notice's failure does not stop the others; it stays due and is
// tried again at the next run.
func Notices(st NoticeStore, log *slog.Logger) Job {
	if log == nil {
		log = slog.Default()
	}
	return func(ctx context.Context) error {
		now := time.Now()
		if r, ok := RunOf(ctx); ok {
			now = r.Now
		}
		due, err := st.DueNotices(ctx, now, 0)
		if err != nil {
			return err
		}
		// Notices whose queuing never finished (the process that stored them
		// died before or while queuing them). Only plain notices: a reminder's
		// or digest's recipients were chosen by the job that made it.
		stalled, err := st.UnqueuedNotices(ctx, now.Add(-StalledAfter), stalledScan)
		if err != nil {
			return err
		}
		for _, n := range stalled {
			if n.Kind == renovote.KindNotice {
				log.Warn("notice left half queued, queuing it again", "notice", n.ID)
				due = append(due, n)
			}
		}
		var errs []error
		for _, n := range due {
			if ctx.Err() != nil {
				errs = append(errs, ctx.Err())
				break
			}
			// A notice's queuing is not cut short by a stop: its batches
			// finish, so that it is never left half queued.
			if err := queueNotice(context.WithoutCancel(ctx), st, n, now, log); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
}

func queueNotice(ctx context.Context, st NoticeStore, n renovote.Notice, now time.Time, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	late := n.Status == renovote.NoticeScheduled && now.Sub(n.SendAt) > LateAfter
	if late {
		if _, err := st.MarkNoticeLate(ctx, n.ID, now); err != nil {
			return fmt.Errorf("notice %s: %w", n.ID, err)
		}
	}
	ids, err := st.NoticeRecipients(ctx, n.Compounds, n.Buildings, n.Kind == renovote.KindReminder)
	if err != nil {
		return fmt.Errorf("notice %s: %w", n.ID, err)
	}
	got, err := st.EnqueueNotice(ctx, n.ID, ids)
	if errors.Is(err, renovote.ErrConflict) { // cancelled meanwhile
		log.Info("scheduled notice cancelled before it went", "notice", n.ID)
		return nil
	}
	if err != nil {
		return fmt.Errorf("notice %s: %w", n.ID, err)
	}
	log.Info("scheduled notice queued", "notice", n.ID, "send_at", n.SendAt, "recipients", got.Counts.Recipients,
		"late", late, "delay", now.Sub(n.SendAt).Round(time.Second))
	return nil
}
