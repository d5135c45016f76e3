package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"
)

// Job is one unit of scheduled work. It gets a context that is cancelled when
// the scheduler stops.
type Job func(ctx context.Context) error

// Scheduler runs jobs on cron specs in one time zone.
type Scheduler struct {
	cron   *cron.Cron
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
}

// New returns a scheduler whose specs are read in loc.
func New(loc *time.Location, log *slog.Logger) *Scheduler {
	if log == nil {
		log = slog.Default()
	}
	cl := cronLogger{log}
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{
		cron: cron.New(cron.WithLocation(loc), cron.WithChain(
			cron.SkipIfStillRunning(cl), // outside: a panicking run still releases its slot
			cron.Recover(cl),
		)),
		log: log, ctx: ctx, cancel: cancel,
	}
}

// Add schedules job under a name on a standard 5-field cron spec.
func (s *Scheduler) Add(name, spec string, job Job) error {
	_, err := s.cron.AddFunc(spec, func() {
		if err := job(s.ctx); err != nil {
			s.log.Error("scheduled job failed", "job", name, "err", err)
		}
	})
	if err != nil {
		return fmt.Errorf("schedule %s %q: %w", name, spec, err)
	}
	return nil
}

// Start runs the scheduler in its own goroutine.
func (s *Scheduler) Start() { s.cron.Start() }

// Stop stops new runs and waits for running jobs, at most until ctx is done.
func (s *Scheduler) Stop(ctx context.Context) {
	done := s.cron.Stop().Done()
	select {
	case <-done:
	case <-ctx.Done():
	}
	s.cancel()
}

// cronLogger adapts slog to cron.Logger.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
