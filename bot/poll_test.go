package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/renovote/renovote/bot/bottest"
	"github.com/renovote/renovote/dialogs"
)

// memLog is an in-memory Dedupe and UpdateLog, shared by the bots of a test
// as the store would be; it records how it was called.
type memLog struct {
	mu         sync.Mutex
	done       map[int64]int // times marked done
	asked      []int64       // every id SeenUpdates was asked about
	seenCalls  int
	doneCalls  [][]int64 // the ids of each successful UpdatesDone
	attempts   int       // UpdatesDone calls, failed ones included
	firstSeen  int       // FirstSeen calls
	failDone   bool      // UpdatesDone fails while set
	seenErr    error     // SeenUpdates fails with it when set
	gate       chan struct{}
	gateWaiter chan struct{} // closed when the first UpdatesDone waits at gate
	gated      []int64       // the ids of that call
}

func newMemLog() *memLog { return &memLog{done: map[int64]int{}} }

func (l *memLog) FirstSeen(context.Context, int64) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.firstSeen++
	return true, nil
}

func (l *memLog) SeenUpdates(_ context.Context, ids []int64) ([]bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seenCalls++
	l.asked = append(l.asked, ids...)
	if l.seenErr != nil {
		return nil, l.seenErr
	}
	out := make([]bool, len(ids))
	for i, id := range ids {
		out[i] = l.done[id] > 0
	}
	return out, nil
}

func (l *memLog) UpdatesDone(ctx context.Context, ids []int64) error {
	l.mu.Lock()
	gate := l.gate
	l.gate = nil // only the first call waits
	l.mu.Unlock()
	if gate != nil {
		l.set(func(l *memLog) { l.gated = slices.Clone(ids) })
		close(l.gateWaiter)
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.attempts++
	if l.failDone {
		return errors.New("store down")
	}
	l.doneCalls = append(l.doneCalls, slices.Clone(ids))
	for _, id := range ids {
		l.done[id]++
	}
	return nil
}

func (l *memLog) set(f func(l *memLog)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f(l)
}

func (l *memLog) get(f func(l *memLog)) { l.set(f) }

// marked waits until every id is marked done.
func (l *memLog) marked(e *env, ids ...int64) {
	e.t.Helper()
	for {
		n := 0
		l.get(func(l *memLog) {
			for _, id := range ids {
				if l.done[id] > 0 {
					n++
				}
			}
		})
		if n == len(ids) {
			return
		}
		if e.ctx.Err() != nil {
			e.t.Fatalf("updates %v not marked done", ids)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// callCounter counts the Handler's calls per update id.
type callCounter struct {
	mu    sync.Mutex
	calls map[int64]int
}

func (c *callCounter) add(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls == nil {
		c.calls = map[int64]int{}
	}
	c.calls[id]++
}

func (c *callCounter) snapshot() map[int64]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.calls)
}

// runBusy starts b.Run without waiting for a long poll: for a bot that has
// updates in flight from its first poll on. It is stopped at cleanup.
func (e *env) runBusy(b *Bot) *running {
	e.t.Helper()
	ctx, cancel := context.WithCancel(e.ctx)
	r := &running{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.err = b.Run(ctx)
	}()
	e.t.Cleanup(func() { e.stop(r) })
	return r
}

// taken waits until the bot has taken update id into its shards: it was
// delivered, and the bot polled twice since (it queues what a poll brought
// before it polls again). The bot must have updates in flight meanwhile, so
// that it polls again soon.
func (e *env) taken(id int64) {
	e.t.Helper()
	if err := e.srv.WaitDelivered(e.ctx, id); err != nil {
		e.t.Fatalf("update %d not delivered: %v", id, err)
	}
	mark := e.srv.Seq()
	for {
		n := 0
		for _, c := range e.srv.CallsTo("getUpdates") {
			if c.Seq > mark {
				n++
			}
		}
		if n >= 2 {
			return
		}
		if e.ctx.Err() != nil {
			e.t.Fatalf("the bot did not poll again after update %d", id)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// getUpdatesCalls is the number of getUpdates calls answered so far.
func (e *env) getUpdatesCalls() int { return len(e.srv.CallsTo("getUpdates")) }

// A bot stopped while one chat's updates wait behind a slow one drops them
// (HandleTimeout); the next bot on the same store gets them again from
// Telegram and handles exactly those: the ones the first bot handled, come
// again too, are not handled twice. With an UpdateLog and with FirstSeen
// alone.
func TestPollRedeliversDroppedUpdates(t *testing.T) {
	t.Parallel()
	for _, batched := range []bool{true, false} {
		t.Run(fmt.Sprintf("update_log=%v", batched), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			log := newMemLog()
			var dedupe Dedupe = log
			if !batched {
				dedupe = e.dedupe
			}
			var first, second callCounter
			var blocking atomic.Bool
			blocking.Store(true)
			started := make(chan struct{}, 10)
			h := func(c *callCounter) handlerFunc {
				return func(ctx context.Context, in dialogs.Input, now time.Time) (dialogs.Response, error) {
					c.add(in.UpdateID)
					if in.Text == "block" && blocking.Load() {
						started <- struct{}{}
						<-ctx.Done() // until its own deadline, or the shutdown's
						return dialogs.Response{}, ctx.Err()
					}
					return echo(ctx, in, now)
				}
			}
			slow := e.srv.User(2101, "S", "en")
			fast := e.srv.User(2102, "F", "en")
			var ids []int64
			for range 5 {
				ids = append(ids, slow.Send("block"))
			}
			a1, a2 := fast.Send("a1"), fast.Send("a2")
			ids = append(ids, a1, a2)

			r := e.runBusy(e.newBot(h(&first), func(c *Config) { c.Dedupe = dedupe; c.HandleTimeout = 300 * time.Millisecond }))
			<-started
			e.reply(fast.ID, 0, "re: a2")
			if batched {
				log.marked(e, a1, a2)
			}
			e.stop(r)

			byFirst := first.snapshot()
			if byFirst[a1] != 1 || byFirst[a2] != 1 || byFirst[ids[0]] != 1 {
				t.Fatalf("the first bot handled %v, want a1, a2 and the first block", byFirst)
			}
			var dropped []int64
			for _, id := range ids {
				if byFirst[id] == 0 {
					dropped = append(dropped, id)
				}
			}
			if len(dropped) == 0 || len(e.logs.lines("dropped at shutdown")) == 0 {
				t.Fatalf("no update dropped at shutdown (handled %v)", byFirst)
			}
			if e.srv.Confirmed(dropped[0]) || e.srv.Confirmed(a1) {
				t.Fatal("updates confirmed to Telegram though one before them was dropped")
			}

			blocking.Store(false)
			e.run(e.newBot(h(&second), func(c *Config) { c.Dedupe = dedupe }))
			if err := e.srv.WaitConfirmed(e.ctx, a2); err != nil {
				t.Fatalf("not every update confirmed after the second bot: %v", err)
			}
			if e.srv.Delivered(a1) < 2 {
				t.Fatalf("a1 was delivered %d times: the second bot did not get the first's updates again", e.srv.Delivered(a1))
			}
			bySecond := second.snapshot()
			if got := slices.Sorted(maps.Keys(bySecond)); !slices.Equal(got, dropped) {
				t.Errorf("the second bot handled %v, want exactly the dropped %v", bySecond, dropped)
			}
			for _, id := range ids {
				if n := byFirst[id] + bySecond[id]; n != 1 {
					t.Errorf("update %d handled %d times", id, n)
				}
			}
			if batched {
				log.get(func(l *memLog) {
					for _, id := range ids {
						if l.done[id] != 1 {
							t.Errorf("update %d marked done %d times", id, l.done[id])
						}
					}
					if l.firstSeen != 0 {
						t.Errorf("FirstSeen called %d times with an UpdateLog", l.firstSeen)
					}
				})
			}
		})
	}
}

// While an update is handled, the offset stays at it: Telegram keeps it and
// every update after it. The loop does not spin meanwhile although each
// poll returns at once, and once the update is done the offset passes.
func TestPollOffsetHeldInFlight(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	log := newMemLog()
	started, release := make(chan struct{}), make(chan struct{})
	h := slowEcho(started, release)
	e.run(e.newBot(h, func(c *Config) { c.Dedupe = log }))
	s := e.srv.User(2201, "S", "en").Send("slow")
	<-started
	u := e.srv.User(2202, "F", "en")
	var fs []int64
	for i := range 3 {
		fs = append(fs, u.Send("f"+strconv.Itoa(i)))
	}
	e.reply(u.ID, 0, "re: f2")
	log.marked(e, fs...)

	before := e.getUpdatesCalls()
	time.Sleep(time.Second) // a negative check: no polling storm meanwhile
	if n := e.getUpdatesCalls() - before; n > 2*int(time.Second/stalledPoll) {
		t.Errorf("%d getUpdates calls in 1s while an update was in flight: the loop spins", n)
	}
	for _, c := range e.srv.CallsTo("getUpdates") {
		if off := c.Int("offset"); off > s {
			t.Fatalf("getUpdates with offset %d while update %d was in flight", off, s)
		}
	}
	if e.srv.Confirmed(s) || e.srv.Confirmed(fs[2]) {
		t.Fatal("updates confirmed while the first was in flight")
	}
	close(release)
	if err := e.srv.WaitConfirmed(e.ctx, fs[2]); err != nil {
		t.Fatalf("offset not moved once the update was done: %v", err)
	}
	log.get(func(l *memLog) {
		// Only the first answer after the start can hold updates a process
		// before handled: s (the bot polled before it was sent), not the
		// later ones.
		if len(l.asked) > 1 || len(l.asked) == 1 && l.asked[0] != s {
			t.Errorf("SeenUpdates asked about %v, want at most %d (the first answer's)", l.asked, s)
		}
	})
}

// With Telegram's window full of updates in flight (100), nothing new can
// come: the loop polls again only once the offset moves.
func TestPollWaitsWhenWindowFull(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	release := make(chan struct{})
	var running atomic.Int32
	h := handlerFunc(func(ctx context.Context, in dialogs.Input, now time.Time) (dialogs.Response, error) {
		running.Add(1)
		select {
		case <-release:
		case <-ctx.Done():
		}
		return echo(ctx, in, now)
	})
	var last int64
	for i := range pollLimit + 1 {
		last = e.srv.User(int64(2300+i), "W", "en").Send("x")
	}
	e.runBusy(e.newBot(h, func(c *Config) { c.Dedupe = newMemLog(); c.Shards = 4 }))
	for running.Load() < 4 || e.getUpdatesCalls() < 1 {
		if e.ctx.Err() != nil {
			t.Fatalf("handlers %d, polls %d", running.Load(), e.getUpdatesCalls())
		}
		time.Sleep(5 * time.Millisecond)
	}
	before := e.getUpdatesCalls()
	time.Sleep(500 * time.Millisecond) // a negative check
	if n := e.getUpdatesCalls(); n != before {
		t.Errorf("%d getUpdates calls while the window was full of updates in flight", n-before)
	}
	if e.srv.Delivered(last) != 0 {
		t.Errorf("update %d beyond the window was delivered", last)
	}
	close(release)
	e.reply(2300+pollLimit, 0, "re: x")
	if err := e.srv.WaitConfirmed(e.ctx, last); err != nil {
		t.Fatal(err)
	}
}

// The done marks go in batches: those handled while a mark is written go in
// the next one. The poll's ids are looked up once, in one call; until they
// are marked the offset stays.
func TestPollMarksInBatches(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	log := newMemLog()
	gate := make(chan struct{})
	log.gate, log.gateWaiter = gate, make(chan struct{})
	var calls callCounter
	h := handlerFunc(func(ctx context.Context, in dialogs.Input, now time.Time) (dialogs.Response, error) {
		calls.add(in.UpdateID)
		return echo(ctx, in, now)
	})
	const n = 20
	var ids []int64
	for i := range n {
		ids = append(ids, e.srv.User(int64(2400+i), "B", "en").Send("b"))
	}
	b := e.newBot(h, func(c *Config) { c.Dedupe = log })
	e.runBusy(b)
	<-log.gateWaiter // the first mark is being written: b.poll is set
	for {
		var first int
		log.get(func(l *memLog) { first = len(l.gated) })
		b.poll.mu.Lock()
		waiting := len(b.poll.marks)
		b.poll.mu.Unlock()
		if first+waiting == n {
			break
		}
		if e.ctx.Err() != nil {
			t.Fatalf("handled %v; %d+%d to mark", calls.snapshot(), first, waiting)
		}
		time.Sleep(5 * time.Millisecond)
	}
	for i := range n {
		e.reply(int64(2400+i), 0, "re: b")
	}
	if e.srv.Confirmed(ids[0]) {
		t.Fatal("an update confirmed before its done mark was written")
	}
	close(gate)
	log.marked(e, ids...)
	if err := e.srv.WaitConfirmed(e.ctx, ids[n-1]); err != nil {
		t.Fatal(err)
	}
	log.get(func(l *memLog) {
		if len(l.doneCalls) != 2 {
			t.Errorf("UpdatesDone called %d times (%v), want 2: the first, and all the others at once", len(l.doneCalls), l.doneCalls)
		}
		if l.seenCalls != 1 || !slices.Equal(l.asked, ids) {
			t.Errorf("SeenUpdates called %d times about %v, want once about %v", l.seenCalls, l.asked, ids)
		}
		for _, id := range ids {
			if l.done[id] != 1 {
				t.Errorf("update %d marked %d times", id, l.done[id])
			}
		}
	})
}

// A done mark that fails is written again (back-off), and the offset does
// not pass the update meanwhile.
func TestPollMarkFailureHoldsOffset(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	log := newMemLog()
	log.failDone = true
	e.run(e.newBot(echo, func(c *Config) { c.Dedupe = log }))
	u := e.srv.User(2501, "M", "en")
	id := u.Send("hi")
	e.reply(u.ID, 0, "re: hi")
	for {
		var n int
		log.get(func(l *memLog) { n = l.attempts })
		if n >= 3 {
			break
		}
		if e.ctx.Err() != nil {
			t.Fatalf("%d attempts at the done mark", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, c := range e.srv.CallsTo("getUpdates") {
		if c.Int("offset") > id {
			t.Fatalf("getUpdates with offset %d before update %d was marked done", c.Int("offset"), id)
		}
	}
	if e.srv.Confirmed(id) {
		t.Fatal("update confirmed before it was marked done")
	}
	if len(e.logs.lines("not marked done", "trying again", "store down")) == 0 {
		t.Error("the failed done mark is not logged")
	}
	log.set(func(l *memLog) { l.failDone = false })
	if err := e.srv.WaitConfirmed(e.ctx, id); err != nil {
		t.Fatal(err)
	}
	log.get(func(l *memLog) {
		if l.done[id] != 1 {
			t.Errorf("marked %d times", l.done[id])
		}
	})
}

// An update the UpdateLog has seen is not handled; when the log cannot be
// read, the updates are handled anyway (votes are idempotent by update id).
func TestPollSeenUpdates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	log := newMemLog()
	var calls callCounter
	h := handlerFunc(func(ctx context.Context, in dialogs.Input, now time.Time) (dialogs.Response, error) {
		calls.add(in.UpdateID)
		return echo(ctx, in, now)
	})
	u := e.srv.User(2601, "S", "en")
	old := u.Send("old")
	fresh := u.Send("fresh")
	log.set(func(l *memLog) { l.done[old] = 1 })
	r := e.run(e.newBot(h, func(c *Config) { c.Dedupe = log }))
	e.reply(u.ID, 0, "re: fresh")
	if got := calls.snapshot(); got[old] != 0 || got[fresh] != 1 {
		t.Errorf("handled %v, want only %d", got, fresh)
	}
	if len(e.logs.lines("handled before, skipped", fmt.Sprintf("update_id=%d", old))) != 1 {
		t.Error("skipping a seen update is not logged")
	}
	// An update sent after the first answer is one no process has seen: it
	// is not looked up.
	later := u.Send("later")
	e.reply(u.ID, 0, "re: later")
	log.get(func(l *memLog) {
		if !slices.Equal(slices.Sorted(slices.Values(l.asked)), []int64{old, fresh}) {
			t.Errorf("SeenUpdates asked about %v, want the first answer's %d and %d, not %d", l.asked, old, fresh, later)
		}
	})
	e.stop(r)

	log.set(func(l *memLog) { l.seenErr = errors.New("store down") })
	e.run(e.newBot(h, func(c *Config) { c.Dedupe = log }))
	again := u.Send("again")
	e.reply(u.ID, 0, "re: again")
	if calls.snapshot()[again] != 1 {
		t.Error("update not handled while the update log could not be read")
	}
	if len(e.logs.lines("update log not read", "store down")) == 0 {
		t.Error("the update log's failure is not logged")
	}
}

// getUpdates errors: a 429 waits its retry_after, the others back off; a
// 409 says why; the updates come through in the end, and the log never
// carries the token.
func TestPollErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.srv.FailNext("getUpdates", 1, bottest.InternalError())
	e.srv.FailNext("getUpdates", 1, bottest.Drop())
	e.srv.FailNext("getUpdates", 1, bottest.Fault{Code: 409, Description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"})
	e.srv.FailNext("getUpdates", 1, bottest.TooManyRequests(1))
	u := e.srv.User(2701, "E", "en")
	u.Send("hi")
	e.run(e.newBot(echo, func(c *Config) { c.Dedupe = newMemLog() }))
	e.reply(u.ID, 0, "re: hi")

	if n := len(e.logs.lines("getUpdates failed")); n != 4 {
		t.Errorf("%d failed polls logged, want 4", n)
	}
	if len(e.logs.lines("getUpdates failed", "another process polls", "409")) != 1 {
		t.Error("the 409 is not explained in the log")
	}
	if strings.Contains(e.logs.String(), e.srv.Token) {
		t.Error("the log carries the token")
	}
	calls := e.srv.CallsTo("getUpdates")
	for i, c := range calls[:len(calls)-1] {
		if c.Status == 429 {
			if wait := calls[i+1].Time.Sub(c.Time); wait < 900*time.Millisecond {
				t.Errorf("polled again %v after a 429 with retry_after 1", wait)
			}
		}
	}
}

// An update's id is read at once when it comes first, as Telegram writes
// it, and by decoding otherwise; anything else is no update.
func TestUpdateID(t *testing.T) {
	for raw, want := range map[string]int64{
		`{"update_id":42,"message":{}}`:            42,
		`{"update_id":7}`:                          7,
		`{"message":{"text":"x"},"update_id":43}`:  43,
		`{ "update_id" : 44, "message":{}}`:        44,
		`{"update_id":45.5,"message":{}}`:          0,
		`{"update_id":-1}`:                         0,
		`{"update_id":0}`:                          0,
		`{"update_id":"46"}`:                       0,
		`{"message":{}}`:                           0,
		`[1]`:                                      0,
		`{"update_id":99999999999999999999999}`:    0,
		`{"update_id":123456789012345678,"m":{}}`:  123456789012345678,
		`{"update_id":1234567890123456789,"m":{}}`: 1234567890123456789,
	} {
		id, ok := updateID(json.RawMessage(raw))
		if ok != (want > 0) || id != want {
			t.Errorf("updateID(%s) = %d, %v; want %d", raw, id, ok, want)
		}
	}
}
