package storesuite

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

func TestClaimRunOnce(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	tick := time.Date(2020, 4, 3, 1, 0, 0, 0, time.UTC)

	for _, bad := range []string{"", "a{b}", "Notices", "a:b"} {
		_, err := s.ClaimRun(ctx, bad, tick, "p1", time.Minute)
		wantErr(t, err, renovote.ErrInvalid)
	}
	_, err := s.ClaimRun(ctx, "notices", tick, "", time.Minute)
	wantErr(t, err, renovote.ErrInvalid)

	// Eight processes race for one tick: one wins.
	var won atomic.Int64
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			ok, err := s.ClaimRun(ctx, "notices", tick.In(shanghai), "p"+string(rune('0'+i)), time.Minute)
			if err != nil {
				t.Error(err)
			}
			if ok {
				won.Add(1)
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d claims won, want 1", won.Load())
	}
	st, err := s.RunStatus(ctx, "notices", tick)
	must(t, err)
	if !st.Claimed || st.Owner == "" || st.Done != nil {
		t.Fatalf("status %+v", st)
	}
	owner := st.Owner
	if ok, err := s.ExtendRun(ctx, "notices", tick, "someone-else", time.Minute); err != nil || ok {
		t.Fatalf("extend by a stranger: %v %v", ok, err)
	}
	if ok, err := s.ExtendRun(ctx, "notices", tick, owner, time.Minute); err != nil || !ok {
		t.Fatalf("extend by the owner: %v %v", ok, err)
	}
	err = s.DoneRun(ctx, store.RunRecord{Job: "notices", Tick: tick, Owner: "someone-else", Outcome: store.RunOK})
	wantErr(t, err, renovote.ErrConflict)
	must(t, s.DoneRun(ctx, store.RunRecord{Job: "notices", Tick: tick, Owner: owner, Outcome: store.RunFailed,
		Error: "boom", Started: tick, Finished: tick.Add(time.Second)}))
	// Done: nobody claims it again, and it is not marked twice.
	if ok, err := s.ClaimRun(ctx, "notices", tick, "p9", time.Minute); err != nil || ok {
		t.Fatalf("claim of a done run: %v %v", ok, err)
	}
	err = s.DoneRun(ctx, store.RunRecord{Job: "notices", Tick: tick, Owner: owner, Outcome: store.RunOK})
	wantErr(t, err, renovote.ErrConflict)
	st, err = s.RunStatus(ctx, "notices", tick)
	must(t, err)
	if st.Done == nil || st.Done.Outcome != store.RunFailed || st.Done.Error != "boom" || !st.Done.Tick.Equal(tick) {
		t.Fatalf("done status %+v", st)
	}
	// The next tick is a run of its own.
	if ok, err := s.ClaimRun(ctx, "notices", tick.Add(time.Minute), "p9", time.Minute); err != nil || !ok {
		t.Fatalf("claim of the next tick: %v %v", ok, err)
	}
	must(t, s.DoneRun(ctx, store.RunRecord{Job: "notices", Tick: tick.Add(time.Minute), Owner: "p9", Outcome: store.RunOK}))
	h, err := s.RunHistory(ctx, "notices", 0)
	must(t, err)
	if len(h) != 2 || h[0].Owner != "p9" || h[0].Outcome != store.RunOK || h[1].Owner != owner || h[1].Outcome != store.RunFailed {
		t.Fatalf("history %+v", h)
	}
	if h, _ := s.RunHistory(ctx, "notices", 1); len(h) != 1 {
		t.Fatalf("history of 1: %+v", h)
	}
	if h, _ := s.RunHistory(ctx, "other", 0); len(h) != 0 {
		t.Fatalf("history of another job: %+v", h)
	}
}

// A process dies holding a claim: the run is blocked until the lease expires,
// then another process takes it; the dead one cannot mark it done any more.
func TestClaimRunLeaseExpires(t *testing.T) {
	t.Parallel()
	s, pass := newTTL(t)
	ctx := context.Background()
	tick := time.Date(2020, 4, 3, 1, 0, 0, 0, time.UTC)
	lease := 200 * time.Millisecond

	if ok, err := s.ClaimRun(ctx, "notices", tick, "dead", lease); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if ok, _ := s.ClaimRun(ctx, "notices", tick, "alive", lease); ok {
		t.Fatal("claimed a run held by a live lease")
	}
	pass(lease + 100*time.Millisecond)
	if ok, err := s.ExtendRun(ctx, "notices", tick, "dead", lease); err != nil || ok {
		t.Fatalf("extend after the lease: %v %v", ok, err)
	}
	if ok, err := s.ClaimRun(ctx, "notices", tick, "alive", time.Minute); err != nil || !ok {
		t.Fatalf("take over after the lease: %v %v", ok, err)
	}
	err := s.DoneRun(ctx, store.RunRecord{Job: "notices", Tick: tick, Owner: "dead", Outcome: store.RunOK})
	wantErr(t, err, renovote.ErrConflict)
	must(t, s.DoneRun(ctx, store.RunRecord{Job: "notices", Tick: tick, Owner: "alive", Outcome: store.RunOK}))

	// A holder whose lease expired with no one taking over may still mark it.
	next := tick.Add(time.Minute)
	if ok, err := s.ClaimRun(ctx, "notices", next, "slow", lease); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	pass(lease + 100*time.Millisecond)
	must(t, s.DoneRun(ctx, store.RunRecord{Job: "notices", Tick: next, Owner: "slow", Outcome: store.RunOK}))
	if ok, _ := s.ClaimRun(ctx, "notices", next, "alive", lease); ok {
		t.Fatal("claimed a done run")
	}
}

func TestMarkNoticeLate(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	n := notice("停水通知", lm)
	n.SendAt = during.Add(time.Hour)
	got, err := s.CreateNotice(ctx, n, nextOp())
	must(t, err)
	if late, _, err := s.NoticeLate(ctx, got.ID); err != nil || late {
		t.Fatalf("fresh notice late: %v %v", late, err)
	}
	at := during.Add(2 * time.Hour)
	if ok, err := s.MarkNoticeLate(ctx, got.ID, at); err != nil || !ok {
		t.Fatalf("mark late: %v %v", ok, err)
	}
	late, lateAt, err := s.NoticeLate(ctx, got.ID)
	must(t, err)
	if !late || !lateAt.Equal(at) {
		t.Fatalf("late %v at %v", late, lateAt)
	}
	// Its JSON and status are untouched.
	again, err := s.Notice(ctx, got.ID)
	must(t, err)
	if again.Status != renovote.NoticeScheduled || again.Text != got.Text {
		t.Fatalf("notice after mark: %+v", again)
	}
	// A cancelled notice is never marked, and not due.
	c := notice("取消的通知", lm)
	c.SendAt = during.Add(time.Hour)
	cn, err := s.CreateNotice(ctx, c, nextOp())
	must(t, err)
	must(t, s.CancelNotice(ctx, cn.ID, "tg:10", during))
	if ok, err := s.MarkNoticeLate(ctx, cn.ID, at); err != nil || ok {
		t.Fatalf("marked a cancelled notice: %v %v", ok, err)
	}
	due, err := s.DueNotices(ctx, at, 0)
	must(t, err)
	if len(due) != 1 || due[0].ID != got.ID {
		t.Fatalf("due %+v", due)
	}
	_, err = s.MarkNoticeLate(ctx, "N999", at)
	wantErr(t, err, renovote.ErrNotFound)
}
