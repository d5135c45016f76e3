package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

// Runs of scheduled jobs, exactly once: before running a job at a tick a
// process claims the run with a lease (a row with its owner and expiry); the
// holder extends the lease while it runs and marks the run done with its
// outcome, kept runKeep so that nobody claims it again. A claim whose lease
// expired may be taken by another claimer. With one process per data
// directory this mostly guards against a restart running a tick twice.

// runKeep is how long a done run is kept, so that no process claims it again.
const runKeep = 48 * time.Hour

// maxRunHistory caps each job's history (the oldest go first).
const maxRunHistory = 500

// runTickFormat names a run's tick (cron ticks are whole seconds).
const runTickFormat = "20060102T150405Z"

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

func tickKey(tick time.Time) string { return tick.UTC().Format(runTickFormat) }

// runRow is a live (not expired) claim or done run.
type runRow struct {
	found  bool
	owner  string
	doneJS sql.NullString
}

func getRun(ctx context.Context, q querier, job, tick string, now time.Time) (runRow, error) {
	var r runRow
	err := q.QueryRowContext(ctx, `SELECT owner, done_js FROM runs WHERE job = ? AND tick = ? AND expires_ns > ?`,
		job, tick, now.UnixNano()).Scan(&r.owner, &r.doneJS)
	if errors.Is(err, sql.ErrNoRows) {
		return r, nil
	}
	r.found = err == nil
	return r, err
}

// ClaimRun claims the run of job at tick for owner with a lease. It reports
// false, with no error, when the run is held (until its lease expires) or was
// marked done. The same owner claiming twice gets false too.
func (s *Store) ClaimRun(ctx context.Context, job string, tick time.Time, owner string, lease time.Duration) (bool, error) {
	wrap := func(err error) error { return fmt.Errorf("claim run %s@%s: %w", job, tickKey(tick), err) }
	if err := checkRun(job, tick, owner); err != nil {
		return false, wrap(err)
	}
	if lease < time.Millisecond {
		return false, wrap(fmt.Errorf("lease %v: %w", lease, renovote.ErrInvalid))
	}
	ok := false
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := s.now()
		res, err := tx.ExecContext(ctx, `INSERT INTO runs (job, tick, owner, done_js, expires_ns) VALUES (?, ?, ?, NULL, ?)
			ON CONFLICT (job, tick) DO UPDATE SET owner = excluded.owner, done_js = NULL, expires_ns = excluded.expires_ns
			WHERE runs.expires_ns <= ?`, job, tickKey(tick), owner, now.Add(lease).UnixNano(), now.UnixNano())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		ok = n == 1
		if err == nil && now.UnixNano()%64 == 0 { // forget expired claims and done runs now and then
			_, err = tx.ExecContext(ctx, `DELETE FROM runs WHERE expires_ns <= ?`, now.UnixNano())
		}
		return err
	})
	if err != nil {
		return false, wrap(err)
	}
	return ok, nil
}

// ExtendRun extends the lease of a claim the owner holds; false when it no
// longer does (the lease expired, and maybe another process took the run).
func (s *Store) ExtendRun(ctx context.Context, job string, tick time.Time, owner string, lease time.Duration) (bool, error) {
	wrap := func(err error) error { return fmt.Errorf("extend run %s@%s: %w", job, tickKey(tick), err) }
	if err := checkRun(job, tick, owner); err != nil {
		return false, wrap(err)
	}
	ok := false
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := s.now()
		res, err := tx.ExecContext(ctx, `UPDATE runs SET expires_ns = ? WHERE job = ? AND tick = ? AND owner = ?
			AND done_js IS NULL AND expires_ns > ?`, now.Add(max(lease, time.Millisecond)).UnixNano(), job, tickKey(tick),
			owner, now.UnixNano())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		ok = n == 1
		return err
	})
	if err != nil {
		return false, wrap(err)
	}
	return ok, nil
}

// DoneRun marks the run rec.Job at rec.Tick done with its outcome and adds it
// to the job's history, when rec.Owner holds the claim or nobody does.
// renovote.ErrConflict when another owner holds it or it was marked done
// already (the history then keeps the first record only).
func (s *Store) DoneRun(ctx context.Context, rec store.RunRecord) error {
	wrap := func(err error) error { return fmt.Errorf("done run %s@%s: %w", rec.Job, tickKey(rec.Tick), err) }
	if err := checkRun(rec.Job, rec.Tick, rec.Owner); err != nil {
		return wrap(err)
	}
	if rec.Outcome != store.RunOK && rec.Outcome != store.RunFailed {
		return wrap(fmt.Errorf("outcome %q: %w", rec.Outcome, renovote.ErrInvalid))
	}
	rec.Tick = rec.Tick.UTC()
	rec.Started, rec.Finished = rec.Started.UTC(), nowOr(rec.Finished).UTC()
	js, err := json.Marshal(rec)
	if err != nil {
		return wrap(err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		now := s.now()
		cur, err := getRun(ctx, tx, rec.Job, tickKey(rec.Tick), now)
		if err != nil {
			return err
		}
		if cur.found {
			if cur.doneJS.Valid {
				return fmt.Errorf("run done already: %w", renovote.ErrConflict)
			}
			if cur.owner != rec.Owner {
				return fmt.Errorf("run claimed by %s: %w", cur.owner, renovote.ErrConflict)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO runs (job, tick, owner, done_js, expires_ns) VALUES (?, ?, ?, ?, ?)`,
			rec.Job, tickKey(rec.Tick), rec.Owner, string(js), now.Add(runKeep).UnixNano()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO run_history (job, js) VALUES (?, ?)`, rec.Job, string(js)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM run_history WHERE job = ? AND seq NOT IN
			(SELECT seq FROM run_history WHERE job = ? ORDER BY seq DESC LIMIT ?)`, rec.Job, rec.Job, maxRunHistory)
		return err
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}

// RunStatus tells where the run of job at tick stands.
func (s *Store) RunStatus(ctx context.Context, job string, tick time.Time) (store.RunState, error) {
	wrap := func(err error) error { return fmt.Errorf("run status %s: %w", job, err) }
	if !validJobName(job) {
		return store.RunState{}, wrap(renovote.ErrInvalid)
	}
	cur, err := getRun(ctx, s.r, job, tickKey(tick), s.now())
	if err != nil {
		return store.RunState{}, wrap(err)
	}
	switch {
	case !cur.found:
		return store.RunState{}, nil
	case cur.doneJS.Valid:
		var rec store.RunRecord
		if err := json.Unmarshal([]byte(cur.doneJS.String), &rec); err != nil {
			return store.RunState{}, wrap(err)
		}
		return store.RunState{Done: &rec, Claimed: true}, nil
	}
	return store.RunState{Owner: cur.owner, Claimed: true}, nil
}

// RunHistory lists the latest n finished runs of job (all kept when n ≤ 0),
// newest first. Each job keeps its latest 500.
func (s *Store) RunHistory(ctx context.Context, job string, n int) ([]store.RunRecord, error) {
	wrap := func(err error) error { return fmt.Errorf("run history %s: %w", job, err) }
	if !validJobName(job) {
		return nil, wrap(renovote.ErrInvalid)
	}
	out := []store.RunRecord{}
	err := eachRow(ctx, s.r, `SELECT js FROM run_history WHERE job = ? ORDER BY seq DESC LIMIT ?`, []any{job, limit(n)},
		func(r *sql.Rows) error {
			var js string
			if err := r.Scan(&js); err != nil {
				return err
			}
			var rec store.RunRecord
			if err := json.Unmarshal([]byte(js), &rec); err != nil {
				return err
			}
			out = append(out, rec)
			return nil
		})
	if err != nil {
		return nil, wrap(err)
	}
	return out, nil
}
