package store

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// Runs of scheduled jobs, exactly once across processes. Every process runs
// the same cron specs; before running a job at a tick (the time the cron
// schedule named, not the wall clock at execution) a process claims the run
// with SET NX and a TTL, the lease, under its owner name. The holder extends
// the lease while it runs (ExtendRun) and marks the run done with its outcome
// (DoneRun), which keeps the key (runKeep) so that nobody claims the run again.
// A process that dies holding a claim blocks the run only until the lease
// expires; then another process may claim it, since it was never marked done.

var (
	//go:embed scripts/run_extend.lua
	luaRunExtend string
	//go:embed scripts/run_done.lua
	luaRunDone string

	scriptRunExtend = redis.NewScript(luaRunExtend)
	scriptRunDone   = redis.NewScript(luaRunDone)
)

// runKeep is how long a done run's key is kept, so that no process claims it
// again (far longer than any clock skew or restart between processes).
const runKeep = 48 * time.Hour

// maxRunHistory caps each job's history list (the oldest go first).
const maxRunHistory = 500

// Outcomes of a job run.
const (
	RunOK     = "ok"
	RunFailed = "failed" // returned an error or panicked
)

// RunRecord is one finished run of a scheduled job.
type RunRecord struct {
	Job      string    `json:"job"`
	Tick     time.Time `json:"tick"` // the cron tick, UTC
	Owner    string    `json:"owner"`
	Outcome  string    `json:"outcome"` // RunOK or RunFailed
	Error    string    `json:"error,omitempty"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
}

// RunState is where one run of a job stands.
type RunState struct {
	Owner   string     // the holder of a running claim ("" when none)
	Done    *RunRecord // the finished run, when done
	Claimed bool       // a process holds the claim (Owner) or the run is done
}

// validJobName: short, no braces or separators that would break the hash tag.
func validJobName(job string) bool {
	if job == "" || len(job) > 64 {
		return false
	}
	for _, r := range job {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

func checkRun(job string, tick time.Time, owner string) error {
	if !validJobName(job) {
		return fmt.Errorf("job name %q: %w", job, renovote.ErrInvalid)
	}
	if tick.IsZero() {
		return fmt.Errorf("zero tick: %w", renovote.ErrInvalid)
	}
	if owner == "" || len(owner) > 200 || strings.ContainsAny(owner, "\r\n") {
		return fmt.Errorf("owner %q: %w", owner, renovote.ErrInvalid)
	}
	return nil
}

// ClaimRun claims the run of job at tick for owner with a lease (SET NX PX).
// It reports false, with no error, when the run is held by a process (until
// its lease expires) or was marked done. The same owner claiming twice gets
// false too: a claim is taken once.
func (s *Store) ClaimRun(ctx context.Context, job string, tick time.Time, owner string, lease time.Duration) (bool, error) {
	wrap := func(err error) error {
		return fmt.Errorf("claim run %s@%s: %w", job, tick.UTC().Format(runTickFormat), err)
	}
	if err := checkRun(job, tick, owner); err != nil {
		return false, wrap(err)
	}
	if lease < time.Millisecond {
		return false, wrap(fmt.Errorf("lease %v: %w", lease, renovote.ErrInvalid))
	}
	ok, err := s.rdb.SetNX(ctx, s.k.run(job, tick), "run|"+owner, lease).Result()
	if err != nil {
		return false, wrap(err)
	}
	return ok, nil
}

// ExtendRun extends the lease of a claim the owner holds; false when it no
// longer does (the lease expired, and maybe another process took the run).
func (s *Store) ExtendRun(ctx context.Context, job string, tick time.Time, owner string, lease time.Duration) (bool, error) {
	wrap := func(err error) error {
		return fmt.Errorf("extend run %s@%s: %w", job, tick.UTC().Format(runTickFormat), err)
	}
	if err := checkRun(job, tick, owner); err != nil {
		return false, wrap(err)
	}
	_, res, err := s.run(ctx, scriptRunExtend, []string{s.k.run(job, tick)}, "run|"+owner, max(lease.Milliseconds(), 1))
	if err != nil {
		return false, wrap(err)
	}
	n, _ := res[0].(int64)
	return n == 1, nil
}

// DoneRun marks the run rec.Job at rec.Tick done with its outcome and adds it
// to the job's history, when rec.Owner holds the claim or nobody does (the
// lease expired and no one took it over). renovote.ErrConflict when another
// owner holds it or it was marked done already (the history then keeps the
// first record only).
func (s *Store) DoneRun(ctx context.Context, rec RunRecord) error {
	wrap := func(err error) error {
		return fmt.Errorf("done run %s@%s: %w", rec.Job, rec.Tick.UTC().Format(runTickFormat), err)
	}
	if err := checkRun(rec.Job, rec.Tick, rec.Owner); err != nil {
		return wrap(err)
	}
	if rec.Outcome != RunOK && rec.Outcome != RunFailed {
		return wrap(fmt.Errorf("outcome %q: %w", rec.Outcome, renovote.ErrInvalid))
	}
	rec.Tick = rec.Tick.UTC()
	rec.Started, rec.Finished = rec.Started.UTC(), nowOr(rec.Finished).UTC()
	js, err := json.Marshal(rec)
	if err != nil {
		return wrap(err)
	}
	st, _, err := s.run(ctx, scriptRunDone, []string{s.k.run(rec.Job, rec.Tick), s.k.runHistory(rec.Job)},
		"run|"+rec.Owner, string(js), runKeep.Milliseconds(), maxRunHistory)
	if err != nil {
		return wrap(err)
	}
	if st == "DONE" {
		return wrap(fmt.Errorf("run done already: %w", renovote.ErrConflict))
	}
	return nil
}

// RunStatus tells where the run of job at tick stands.
func (s *Store) RunStatus(ctx context.Context, job string, tick time.Time) (RunState, error) {
	wrap := func(err error) error { return fmt.Errorf("run status %s: %w", job, err) }
	if !validJobName(job) {
		return RunState{}, wrap(renovote.ErrInvalid)
	}
	v, err := s.rdb.Get(ctx, s.k.run(job, tick)).Result()
	if isNil(err) {
		return RunState{}, nil
	}
	if err != nil {
		return RunState{}, wrap(err)
	}
	if js, ok := strings.CutPrefix(v, "done|"); ok {
		var rec RunRecord
		if err := json.Unmarshal([]byte(js), &rec); err != nil {
			return RunState{}, wrap(err)
		}
		return RunState{Done: &rec, Claimed: true}, nil
	}
	return RunState{Owner: strings.TrimPrefix(v, "run|"), Claimed: true}, nil
}

// RunHistory lists the latest n finished runs of job (all kept when n ≤ 0),
// newest first. Each job keeps its latest 500.
func (s *Store) RunHistory(ctx context.Context, job string, n int) ([]RunRecord, error) {
	wrap := func(err error) error { return fmt.Errorf("run history %s: %w", job, err) }
	if !validJobName(job) {
		return nil, wrap(renovote.ErrInvalid)
	}
	stop := int64(n) - 1
	if n <= 0 {
		stop = -1
	}
	l, err := s.rdb.LRange(ctx, s.k.runHistory(job), 0, stop).Result()
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]RunRecord, 0, len(l))
	for _, js := range l {
		var rec RunRecord
		if err := json.Unmarshal([]byte(js), &rec); err != nil {
			return nil, wrap(err)
		}
		out = append(out, rec)
	}
	return out, nil
}
