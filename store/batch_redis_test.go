package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

// pipeHook sees every pipeline a client sends: how many votes its scripts
// carried; with a delay it holds each one, so that callers pile up behind it.
type pipeHook struct {
	delay time.Duration
	mu    sync.Mutex
	votes []int // votes per pipeline
}

func (h *pipeHook) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (h *pipeHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h *pipeHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		n := 0
		for _, c := range cmds {
			if c.Name() == "evalsha" {
				// The vote script has 9 keys and one per vote.
				if keys, ok := c.Args()[2].(int); ok {
					n += keys - 9
				}
			}
		}
		h.mu.Lock()
		h.votes = append(h.votes, n)
		h.mu.Unlock()
		time.Sleep(h.delay)
		return next(ctx, cmds)
	}
}

// count returns how many pipelines were sent.
func (h *pipeHook) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.votes)
}

// lastVotes returns how many votes the last pipeline carried.
func (h *pipeHook) lastVotes() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.votes) == 0 {
		return 0
	}
	return h.votes[len(h.votes)-1]
}

// most returns the most votes one pipeline carried.
func (h *pipeHook) most() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := 0
	for _, n := range h.votes {
		m = max(m, n)
	}
	return m
}

// batchedStore returns a store whose vote presses share one pipeline in
// flight, on a client each of whose pipelines takes at least delay, with n
// households registered in lm.
func batchedStore(t *testing.T, rdb redis.UniversalClient, delay time.Duration, n int) (*store.Store, []renovote.Household, *pipeHook) {
	t.Helper()
	h := &pipeHook{delay: delay}
	rdb.AddHook(h)
	s := storetest.NewOn(t, rdb, store.Options{Batch: 1})
	ctx := context.Background()
	must(t, s.ApplyProgramme(ctx, testProgramme()))
	hhs := households(lm, n)
	_, err := s.ImportRegister(ctx, lm, hhs, store.ImportOptions{Actor: "cli:test", Now: opens})
	must(t, err)
	return s, hhs, h
}

// ownServer returns a miniredis of the test's own and a client on it.
func ownServer(t *testing.T, opts redis.Options) (*miniredis.Miniredis, *redis.Client) {
	t.Helper()
	mr := miniredis.RunT(t)
	opts.Addr = mr.Addr()
	rdb := redis.NewClient(&opts)
	t.Cleanup(func() { rdb.Close() })
	return mr, rdb
}

// Presses made at once share pipelines, and each gets its own answer: every
// vote is counted once, a press sent twice in the same pipeline (the same op
// id) is recorded once and replayed once, and the counters equal the
// recount.
func TestBatchedPresses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, hhs, hook := batchedStore(t, storetest.Client(t), 2*time.Millisecond, 40)
	for i, h := range hhs {
		must(t, s.Bind(ctx, int64(1000+i), h.Ref(), 3, during))
	}

	const rounds = 3
	choices := [2]renovote.Choice{renovote.ChoiceAgree, renovote.ChoiceDisagree}
	type press struct {
		rc  renovote.Receipt
		err error
	}
	got := make([][2 * rounds]press, len(hhs))
	var wg sync.WaitGroup
	for i, h := range hhs {
		wg.Go(func() {
			for r := range rounds {
				_, ref, bound, _, err := s.ReadTurn(ctx, fmt.Sprintf("chat:%d", 1000+i), int64(1000+i))
				if err != nil || !bound || ref != h.Ref() {
					got[i][2*r].err = fmt.Errorf("read turn: %v %v %w", ref, bound, err)
					return
				}
				c := cmd(ref, choices[(i+r)%2], during)
				var twice sync.WaitGroup // the same press twice at once
				for k := range 2 {
					twice.Go(func() {
						rc, hh, _, err := s.CastVoteView(ctx, c)
						if err == nil && hh.ID != h.ID {
							err = fmt.Errorf("household %s in the view of %s", hh.ID, h.ID)
						}
						got[i][2*r+k] = press{rc, err}
					})
				}
				twice.Wait()
			}
		})
	}
	wg.Wait()

	for i, h := range hhs {
		for r := range rounds {
			a, b := got[i][2*r], got[i][2*r+1]
			if a.err != nil || b.err != nil {
				t.Fatalf("household %s, round %d: %v, %v", h.ID, r, a.err, b.err)
			}
			if a.rc.Replayed == b.rc.Replayed || a.rc.ID != b.rc.ID || a.rc.Choice != choices[(i+r)%2] {
				t.Errorf("household %s, round %d: the same press twice gave %+v and %+v", h.ID, r, a.rc, b.rc)
			}
		}
	}
	n, err := s.AuditLen(ctx, lm)
	must(t, err)
	if n != int64(len(hhs)*rounds) {
		t.Errorf("audit trail: %d entries, want %d (one per press, replays not)", n, len(hhs)*rounds)
	}
	tally := checkTally(t, s, lm)
	if tally.Voted != int64(len(hhs)) {
		t.Errorf("voted %d, want %d", tally.Voted, len(hhs))
	}
	if m := hook.most(); m < 2 {
		t.Errorf("no pipeline carried more than %d vote: the presses were not batched", m)
	}
}

// A caller whose context ends while it waits gets the context's error: one
// whose pipeline is in flight at once, one still queued too, and the vote of
// the one still queued is never sent. The batcher goes on serving the others.
func TestBatchedCallerGivesUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, hhs, _ := batchedStore(t, storetest.Client(t), 200*time.Millisecond, 1)

	slow := make(chan error, 1)
	go func() { // takes the only pipeline for 200 ms, and gives up after 20
		short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		_, _, _, _, err := s.ReadTurn(short, "chat:1", 1)
		slow <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if err := <-slow; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a caller whose pipeline is in flight, past its deadline: %v, want context.DeadlineExceeded", err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err := s.CastVote(short, cmd(hhs[0].Ref(), renovote.ChoiceAgree, during))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a queued vote past its deadline: %v, want context.DeadlineExceeded", err)
	}
	_, _, bound, _, err := s.ReadTurn(ctx, "chat:3", 3)
	must(t, err)
	if bound {
		t.Error("user 3 bound")
	}
	if tally := checkTally(t, s, lm); tally.Voted != 0 {
		t.Errorf("the vote given up while queued was sent: voted %d", tally.Voted)
	}
}

// On a server that lost its scripts (a restart, a failover), the batched
// vote finds no script, sends it whole and records the vote once. A server
// of its own: SCRIPT FLUSH is server-wide.
func TestBatchedVoteScriptFlushed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := ownServer(t, redis.Options{})
	s, hhs, _ := batchedStore(t, rdb, 0, 2)
	_, err := s.CastVote(ctx, cmd(hhs[0].Ref(), renovote.ChoiceAgree, during))
	must(t, err)
	must(t, rdb.ScriptFlush(ctx).Err())
	rc, err := s.CastVote(ctx, cmd(hhs[1].Ref(), renovote.ChoiceDisagree, during))
	must(t, err)
	if rc.Choice != renovote.ChoiceDisagree || rc.Replayed {
		t.Errorf("after SCRIPT FLUSH: %+v", rc)
	}
	if tally := checkTally(t, s, lm); tally.Voted != 2 {
		t.Errorf("voted %d, want 2", tally.Voted)
	}
}

// With the server gone, every batched caller gets an error, none hangs, and
// no vote is reported recorded.
func TestBatchedServerGone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	mr, rdb := ownServer(t, redis.Options{MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	s, hhs, _ := batchedStore(t, rdb, 0, 8)
	mr.Close()
	var wg sync.WaitGroup
	errs := make([]error, len(hhs))
	for i, h := range hhs {
		wg.Go(func() {
			if _, _, _, _, err := s.ReadTurn(ctx, "chat:1", 1); err == nil {
				errs[i] = errors.New("read turn: no error")
				return
			}
			if rc, err := s.CastVote(ctx, cmd(h.Ref(), renovote.ChoiceAgree, during)); err == nil {
				errs[i] = fmt.Errorf("cast vote: no error, receipt %+v", rc)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Error(err)
	}
}
