package store_test

// Tests of the replicas' elected poller, hand-off stream and shared rate
// limit (replicas.go, ratelimit.go): Redis only, as several processes need a
// Redis; every script runs through the hook that checks it stays in one slot.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

// slotChecked returns a store whose scripts and transactions are checked to
// stay in one slot; the check runs at cleanup.
func slotChecked(t *testing.T) *store.Store {
	t.Helper()
	rdb := redis.NewClient(storetest.ClientOptions(t))
	chk := &slotCheck{seen: map[string]bool{}}
	rdb.AddHook(chk)
	s := storetest.NewOn(t, rdb, store.Options{})
	t.Cleanup(func() {
		rdb.Close()
		if len(chk.bad) > 0 {
			t.Errorf("across slots:\n%s", strings.Join(chk.bad, "\n"))
		}
	})
	return s
}

func handed(id, chat int64) renovote.HandedUpdate {
	return renovote.HandedUpdate{ID: id, Chat: chat, Body: fmt.Appendf(nil, `{"update_id":%d}`, id)}
}

// One replica holds the poller's lease at a time; only it may hand updates
// over and move the offset, and a hand-off repeated adds nothing twice.
func TestPollerLeaseFencesHandOff(t *testing.T) {
	t.Parallel()
	s := slotChecked(t)
	ctx := context.Background()
	lease := time.Minute
	if ok, err := s.AcquireLeader(ctx, "a", lease); err != nil || !ok {
		t.Fatalf("a acquires: %v %v", ok, err)
	}
	if ok, err := s.AcquireLeader(ctx, "a", lease); err != nil || !ok {
		t.Fatalf("a acquires again (a lost reply): %v %v", ok, err)
	}
	if ok, _ := s.AcquireLeader(ctx, "b", lease); ok {
		t.Fatal("b acquired a lease a holds")
	}
	if ok, _ := s.RenewLeader(ctx, "b", lease); ok {
		t.Fatal("b renewed a lease a holds")
	}
	if ok, err := s.RenewLeader(ctx, "a", lease); err != nil || !ok {
		t.Fatalf("a renews: %v %v", ok, err)
	}
	if ok, err := s.HandOffUpdates(ctx, "b", 11, []renovote.HandedUpdate{handed(10, 1)}); err != nil || ok {
		t.Fatalf("b handed over without the lease: %v %v", ok, err)
	}
	if off, _ := s.PollOffset(ctx); off != 0 {
		t.Fatalf("offset %d after a fenced hand-off", off)
	}
	ups := []renovote.HandedUpdate{handed(10, 1), handed(11, 2), handed(12, 1)}
	for range 2 { // the second: a retry whose reply was lost
		if ok, err := s.HandOffUpdates(ctx, "a", 13, ups); err != nil || !ok {
			t.Fatalf("a hands over: %v %v", ok, err)
		}
	}
	if off, _ := s.PollOffset(ctx); off != 13 {
		t.Fatalf("offset %d, want 13", off)
	}
	if n, _ := s.UpdatesWaiting(ctx); n != 3 {
		t.Fatalf("%d entries, want 3 (a repeated hand-off adds nothing)", n)
	}
	// An empty hand-off moves the offset past updates the bot ignores.
	if ok, err := s.HandOffUpdates(ctx, "a", 20, nil); err != nil || !ok {
		t.Fatalf("empty hand-off: %v %v", ok, err)
	}
	if off, _ := s.PollOffset(ctx); off != 20 {
		t.Fatalf("offset %d, want 20", off)
	}
	must(t, s.ReleaseLeader(ctx, "b")) // not b's: nothing happens
	if ok, _ := s.AcquireLeader(ctx, "b", lease); ok {
		t.Fatal("b's release freed a's lease")
	}
	must(t, s.ReleaseLeader(ctx, "a"))
	if ok, err := s.AcquireLeader(ctx, "b", lease); err != nil || !ok {
		t.Fatalf("b after a released: %v %v", ok, err)
	}
	if ok, _ := s.HandOffUpdates(ctx, "a", 21, []renovote.HandedUpdate{handed(20, 3)}); ok {
		t.Fatal("a handed over after it released the lease")
	}
	if _, err := s.HandOffUpdates(ctx, "b", 10, []renovote.HandedUpdate{handed(10, 3)}); err == nil {
		t.Fatal("an update at or above next was accepted")
	}
}

// Each replica takes different entries; a chat's entries name the one before;
// entries a replica took and gave back (or left idle) are taken over, with
// their delivery count; acknowledged ones are gone.
func TestHandOffStream(t *testing.T) {
	t.Parallel()
	s := slotChecked(t)
	ctx := context.Background()
	if ok, err := s.AcquireLeader(ctx, "p", time.Minute); err != nil || !ok {
		t.Fatal(ok, err)
	}
	ups := []renovote.HandedUpdate{handed(1, 100), handed(2, 200), handed(3, 100), handed(4, 300)}
	if ok, err := s.HandOffUpdates(ctx, "p", 5, ups); err != nil || !ok {
		t.Fatal(ok, err)
	}
	a, err := s.TakeUpdates(ctx, "a", 2, time.Hour, 0)
	must(t, err)
	b, err := s.TakeUpdates(ctx, "b", 10, time.Hour, 0)
	must(t, err)
	if len(a) != 2 || len(b) != 2 || a[0].ID != 1 || a[1].ID != 2 || b[0].ID != 3 || b[1].ID != 4 {
		t.Fatalf("a took %+v, b took %+v", a, b)
	}
	if a[0].Prev != 0 || b[0].Prev != 1 || b[0].Chat != 100 || string(b[0].Body) != `{"update_id":3}` || b[0].Deliveries != 1 {
		t.Fatalf("entry of update 3: %+v", b[0])
	}
	// Entries that counted as idle for an hour, then kept by b, are not
	// taken over as idle.
	must(t, s.HandBackUpdates(ctx, "b", []string{b[0].Entry, b[1].Entry}, time.Hour))
	must(t, s.KeepUpdates(ctx, "b", []string{b[0].Entry, b[1].Entry}))
	if none, err := s.TakeUpdates(ctx, "c", 10, time.Hour, 0); err != nil || len(none) != 0 {
		t.Fatalf("kept entries taken over: %+v %v", none, err)
	}
	// a stops: it acknowledges the first and hands the second back.
	must(t, s.AckUpdate(ctx, a[0].Entry))
	must(t, s.HandBackUpdates(ctx, "a", []string{a[1].Entry}, time.Hour))
	c, err := s.TakeUpdates(ctx, "c", 10, time.Hour, 0)
	must(t, err)
	if len(c) != 1 || c[0].ID != 2 || c[0].Deliveries < 2 {
		t.Fatalf("c took over %+v, want update 2 delivered again", c)
	}
	for _, u := range append(b, c...) {
		must(t, s.AckUpdate(ctx, u.Entry))
	}
	must(t, s.AckUpdate(ctx, c[0].Entry)) // twice: harmless
	if n, _ := s.UpdatesWaiting(ctx); n != 0 {
		t.Fatalf("%d entries left", n)
	}
	if more, err := s.TakeUpdates(ctx, "a", 10, time.Millisecond, 0); err != nil || len(more) != 0 {
		t.Fatalf("after all acknowledged: %+v %v", more, err)
	}
}

// A claim is extended only by its holder; an update is done once finished.
func TestUpdateExtendAndDone(t *testing.T) {
	t.Parallel()
	s := slotChecked(t)
	ctx := context.Background()
	if done, err := s.UpdateDone(ctx, 7); err != nil || done {
		t.Fatalf("unknown update done: %v %v", done, err)
	}
	if c := claim(t, s, 7, "t1"); c.Status != renovote.UpdateClaimed {
		t.Fatalf("claim %+v", c)
	}
	if done, _ := s.UpdateDone(ctx, 7); done {
		t.Fatal("claimed update reported done")
	}
	if ok, err := s.ExtendUpdate(ctx, 7, "t1", time.Minute); err != nil || !ok {
		t.Fatalf("holder extends: %v %v", ok, err)
	}
	if ok, _ := s.ExtendUpdate(ctx, 7, "t2", time.Minute); ok {
		t.Fatal("another token extended the claim")
	}
	must(t, s.FinishUpdate(ctx, 7, "t1"))
	if done, err := s.UpdateDone(ctx, 7); err != nil || !done {
		t.Fatalf("finished update not done: %v %v", done, err)
	}
	if ok, _ := s.ExtendUpdate(ctx, 7, "t1", time.Minute); ok {
		t.Fatal("a done update's claim extended")
	}
	if first, _ := s.FirstSeen(ctx, 8); !first {
		t.Fatal("first seen")
	}
	if done, _ := s.UpdateDone(ctx, 8); !done {
		t.Fatal("an update a single poller took is not done")
	}
}

// The shared bucket: a rate and a burst, replies may take the last token
// that bulk messages leave, a 429 pauses every taker, a chat is held for the
// gap after a message to it. (The test's clock, passed to the scripts.)
func TestSharedRateLimit(t *testing.T) {
	t.Parallel()
	s := slotChecked(t)
	ctx := context.Background()
	t0 := time.Date(2020, 5, 10, 10, 0, 0, 0, time.UTC)
	take := func(at time.Duration, reserve int, chat int64, waitChat bool) time.Duration {
		t.Helper()
		w, err := s.TakeSendAt(ctx, 10, 2, reserve, chat, waitChat, 0, t0.Add(at))
		must(t, err)
		return w
	}
	if w := take(0, 1, 0, false); w != 0 {
		t.Fatalf("bulk from a full bucket waits %v", w)
	}
	if w := take(0, 1, 0, false); w != 100*time.Millisecond {
		t.Fatalf("bulk leaves the last token: waits %v, want 100ms", w)
	}
	if w := take(0, 0, 0, false); w != 0 {
		t.Fatalf("a reply takes the last token: waits %v", w)
	}
	if w := take(50*time.Millisecond, 0, 0, false); w != 50*time.Millisecond {
		t.Fatalf("empty bucket: waits %v, want 50ms", w)
	}
	if w := take(100*time.Millisecond, 0, 0, false); w != 0 {
		t.Fatalf("after a token's time: waits %v", w)
	}
	// Ten seconds idle: the bucket holds the burst, no more.
	for i, want := range []time.Duration{0, 0, 100 * time.Millisecond} {
		if w := take(10*time.Second, 0, 0, false); w != want {
			t.Fatalf("take %d after idling waits %v, want %v", i, w, want)
		}
	}
	must(t, s.PauseSendsAt(ctx, 3*time.Second, t0.Add(11*time.Second)))
	must(t, s.PauseSendsAt(ctx, time.Second, t0.Add(11*time.Second))) // shorter: kept
	if w := take(12*time.Second, 0, 0, false); w != 2*time.Second {
		t.Fatalf("paused: waits %v, want 2s", w)
	}
	if w := take(14*time.Second, 0, 0, false); w != 0 {
		t.Fatalf("after the pause: waits %v", w)
	}
	// Chats: a send holds its chat; another chat, or a call that does not
	// wait for the chat (an edit), goes.
	w, err := s.TakeSendAt(ctx, 1000, 50, 0, 42, true, time.Second, t0.Add(20*time.Second))
	must(t, err)
	if w != 0 {
		t.Fatalf("first message to a chat waits %v", w)
	}
	w, err = s.TakeSendAt(ctx, 1000, 50, 0, 42, true, time.Second, t0.Add(20*time.Second))
	must(t, err)
	if w <= 0 || w > time.Second {
		t.Fatalf("second message to the chat waits %v, want up to 1s", w)
	}
	if w, _ := s.TakeSendAt(ctx, 1000, 50, 0, 43, true, time.Second, t0.Add(20*time.Second)); w != 0 {
		t.Fatalf("another chat waits %v", w)
	}
	if w, _ := s.TakeSendAt(ctx, 1000, 50, 0, 42, false, time.Second, t0.Add(20*time.Second)); w != 0 {
		t.Fatalf("an edit waits %v", w)
	}
	if _, err := s.TakeSend(ctx, 0, 2, 0, 0, false, 0); err == nil {
		t.Fatal("rate 0 accepted")
	}
	if _, err := s.TakeSend(ctx, 10, 2, 2, 0, false, 0); err == nil {
		t.Fatal("a reserve as large as the burst accepted")
	}
	// Redis's own clock.
	if w, err := s.TakeSend(ctx, 1000, 50, 0, 44, true, time.Second); err != nil || w < 0 {
		t.Fatalf("with Redis's time: %v %v", w, err)
	}
	must(t, s.PauseSends(ctx, time.Second))
}
