package scheduler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

// Job is one unit of scheduled work. It gets a context that is cancelled when
// the scheduler stops (or when its claim is lost); RunOf tells which run it is.
type Job func(ctx context.Context) error

// Runs claims job runs so that each (job, tick) runs once across every
// process that shares the store (*store.Store).
type Runs interface {
	ClaimRun(ctx context.Context, job string, tick time.Time, owner string, lease time.Duration) (bool, error)
	ExtendRun(ctx context.Context, job string, tick time.Time, owner string, lease time.Duration) (bool, error)
	DoneRun(ctx context.Context, rec store.RunRecord) error
}

// Config configures a Scheduler. Zero values take the defaults.
type Config struct {
	// Location is the zone the cron specs are read in: the programme's
	// (UTC when nil; never the machine's).
	Location *time.Location
	Logger   *slog.Logger
	// Runs, when set, makes every run claim (job, tick) first: processes on
	// one store run each tick once. Without it every process runs every tick.
	Runs Runs
	// Owner names this process in claims (host:pid:random by default).
	Owner string
	// Lease is how long a claim lasts without being extended (1 minute): a
	// process that dies holding a claim blocks that run this long. The holder
	// extends it every Lease/3 while the job runs.
	Lease time.Duration
	// Now is the jobs' clock (RunOf(ctx).Now); time.Now by default. Cron
	// ticks themselves follow the real clock.
	Now func() time.Time
}

// Run is what a job knows of its run.
type Run struct {
	Job   string
	Tick  time.Time // the cron tick, UTC: the time the schedule named
	Now   time.Time // Config.Now when the run started
	Owner string
}

type runKey struct{}

// RunOf returns the run of a job's context (ok false outside a run).
func RunOf(ctx context.Context) (Run, bool) {
	r, ok := ctx.Value(runKey{}).(Run)
	return r, ok
}

// Scheduler runs jobs on cron specs in one time zone.
type Scheduler struct {
	cron   *cron.Cron
	cfg    Config
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc

	mu   sync.Mutex
	jobs map[string]*entry
}

type entry struct {
	name  string
	spec  string
	sched cron.Schedule
	job   Job

	mu   sync.Mutex
	last time.Time // the last tick run (or the start)
}

// New returns a scheduler whose specs are read in loc, without claims.
func New(loc *time.Location, log *slog.Logger) *Scheduler {
	return NewWith(Config{Location: loc, Logger: log})
}

// NewWith returns a scheduler configured by cfg.
func NewWith(cfg Config) *Scheduler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Lease <= 0 {
		cfg.Lease = time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Owner == "" {
		cfg.Owner = DefaultOwner()
	}
	cl := cronLogger{cfg.Logger}
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{
		cron: cron.New(cron.WithLocation(cfg.Location), cron.WithChain(
			cron.SkipIfStillRunning(cl), // outside: a panicking run still releases its slot
			cron.Recover(cl),
		)),
		cfg: cfg, log: cfg.Logger, ctx: ctx, cancel: cancel, jobs: map[string]*entry{},
	}
}

// DefaultOwner names this process: host, pid and a random part.
func DefaultOwner() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Owner is the name of this scheduler in claims.
func (s *Scheduler) Owner() string { return s.cfg.Owner }

// Add schedules job under a name (lower case letters, digits, "_", "-", ".")
// on a standard 5-field cron spec, read in the scheduler's zone.
func (s *Scheduler) Add(name, spec string, job Job) error {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return fmt.Errorf("schedule %s %q: %w", name, spec, err)
	}
	if !validName(name) {
		return fmt.Errorf("schedule %s: bad job name: %w", name, renovote.ErrInvalid)
	}
	e := &entry{name: name, spec: spec, sched: sched, job: job, last: time.Now().In(s.cfg.Location)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.jobs[name]; dup {
		return fmt.Errorf("schedule %s: name taken: %w", name, renovote.ErrConflict)
	}
	s.jobs[name] = e
	s.cron.Schedule(sched, cron.FuncJob(func() {
		tick := e.tick(time.Now().In(s.cfg.Location))
		// A job's panic is recovered in RunTick (logged with its stack and
		// marked failed); cron.Recover catches anything else.
		if _, err := s.RunTick(s.ctx, name, tick); err != nil {
			var p *panicError
			if !errors.As(err, &p) {
				s.log.Error("scheduled job failed", "job", name, "tick", tick, "err", err)
			}
		}
	}))
	return nil
}

func validName(n string) bool {
	if n == "" || len(n) > 64 {
		return false
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// tick is the latest time the schedule names that is not after now (cron
// fires at or just after it), in UTC: the same in every process whatever its
// clock's small skew or delay.
func (e *entry) tick(now time.Time) time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	t := e.sched.Next(e.last)
	if t.IsZero() || t.After(now) { // fired early (clock stepped back): the next tick it stands for
		e.last = now
		return t.UTC()
	}
	for {
		n := e.sched.Next(t)
		if n.IsZero() || n.After(now) {
			break
		}
		t = n
	}
	e.last = t
	return t.UTC()
}

// panicError is a job's panic, recovered to mark its run failed.
type panicError struct {
	v     any
	stack []byte
}

func (p *panicError) Error() string { return fmt.Sprintf("panic: %v", p.v) }

// RunTick runs job name for tick now, through the claim: claim, run (the
// lease extended meanwhile), mark done with the outcome. It reports whether
// this process ran it (false when another process holds or finished the run).
// A panic is recovered, marked failed and returned as an error. Cron calls it
// at each tick; tests and tools may call it directly.
func (s *Scheduler) RunTick(ctx context.Context, name string, tick time.Time) (bool, error) {
	return s.runTickAt(ctx, name, tick, s.cfg.Now)
}

// runTickAt is RunTick with the run's now taken from now.
func (s *Scheduler) runTickAt(ctx context.Context, name string, tick time.Time, now func() time.Time) (bool, error) {
	s.mu.Lock()
	e := s.jobs[name]
	s.mu.Unlock()
	if e == nil {
		return false, fmt.Errorf("run %s: unknown job: %w", name, renovote.ErrNotFound)
	}
	tick = tick.UTC()
	owner, lease, runs := s.cfg.Owner, s.cfg.Lease, s.cfg.Runs
	if runs != nil {
		ok, err := runs.ClaimRun(ctx, name, tick, owner, lease)
		if err != nil {
			return false, fmt.Errorf("run %s: %w", name, err)
		}
		if !ok {
			s.log.Debug("scheduled run taken by another process", "job", name, "tick", tick)
			return false, nil
		}
	}
	run := Run{Job: name, Tick: tick, Now: now(), Owner: owner}
	jctx, cancel := context.WithCancel(context.WithValue(ctx, runKey{}, run))
	defer cancel()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	if runs != nil {
		wg.Go(func() { s.keepLease(jctx, cancel, stop, run) })
	}
	started := time.Now()
	err := call(jctx, e.job)
	close(stop)
	wg.Wait()
	if runs != nil {
		rec := store.RunRecord{Job: name, Tick: tick, Owner: owner, Outcome: store.RunOK,
			Started: run.Now, Finished: run.Now.Add(time.Since(started))}
		if err != nil {
			rec.Outcome, rec.Error = store.RunFailed, err.Error()
		}
		// Marked even when the scheduler is stopping.
		dctx, dcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		if derr := runs.DoneRun(dctx, rec); derr != nil {
			s.log.Warn("scheduled run not marked done", "job", name, "tick", tick, "err", derr)
		}
		dcancel()
	}
	if err != nil {
		var p *panicError
		if errors.As(err, &p) {
			s.log.Error("scheduled job panicked", "job", name, "tick", tick, "panic", p.v, "stack", string(p.stack))
		}
		return true, fmt.Errorf("run %s: %w", name, err)
	}
	return true, nil
}

// call runs a job, turning a panic into a *panicError.
func call(ctx context.Context, job Job) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &panicError{v: v, stack: debug.Stack()}
		}
	}()
	return job(ctx)
}

// keepLease extends the run's lease every Lease/3 until stop; when the claim
// is lost (the lease expired, maybe another process took the run) the job's
// context is cancelled.
func (s *Scheduler) keepLease(ctx context.Context, cancel context.CancelFunc, stop <-chan struct{}, r Run) {
	t := time.NewTicker(max(s.cfg.Lease/3, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-t.C:
			ok, err := s.cfg.Runs.ExtendRun(ctx, r.Job, r.Tick, r.Owner, s.cfg.Lease)
			if err != nil {
				s.log.Warn("scheduled run: lease not extended", "job", r.Job, "tick", r.Tick, "err", err)
				continue
			}
			if !ok {
				s.log.Error("scheduled run: claim lost, stopping the job", "job", r.Job, "tick", r.Tick)
				cancel()
				return
			}
		}
	}
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
