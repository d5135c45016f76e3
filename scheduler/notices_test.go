package scheduler

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// memRuns is an in-memory Runs (no leases) for fake-time tests.
type memRuns struct {
	mu   sync.Mutex
	held map[string]string
	done []store.RunRecord
}

func (m *memRuns) key(job string, tick time.Time) string { return job + "@" + tick.UTC().String() }

func (m *memRuns) ClaimRun(_ context.Context, job string, tick time.Time, owner string, _ time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.held == nil {
		m.held = map[string]string{}
	}
	if _, ok := m.held[m.key(job, tick)]; ok {
		return false, nil
	}
	m.held[m.key(job, tick)] = owner
	return true, nil
}

func (m *memRuns) ExtendRun(_ context.Context, job string, tick time.Time, owner string, _ time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.held[m.key(job, tick)] == owner, nil
}

func (m *memRuns) DoneRun(_ context.Context, rec store.RunRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.held[m.key(rec.Job, rec.Tick)] = "done"
	m.done = append(m.done, rec)
	return nil
}

// memNotices is an in-memory NoticeStore.
type memNotices struct {
	mu       sync.Mutex
	notices  []renovote.Notice
	enqueued map[string]int // notice id -> enqueue calls
	late     map[string]bool
	dueAt    []time.Time // the "now" of each DueNotices call
}

func (m *memNotices) DueNotices(_ context.Context, at time.Time, _ int) ([]renovote.Notice, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dueAt = append(m.dueAt, at)
	var out []renovote.Notice
	for _, n := range m.notices {
		if n.Status == renovote.NoticeScheduled && !n.SendAt.After(at) {
			out = append(out, n)
		}
	}
	return out, nil
}

func (m *memNotices) NoticeRecipients(context.Context, []string, []string, bool) ([]int64, error) {
	return []int64{1, 2}, nil
}

func (m *memNotices) EnqueueNotice(_ context.Context, id string, r []int64) (renovote.Notice, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, n := range m.notices {
		if n.ID == id {
			m.notices[i].Status = renovote.NoticeSending
			m.enqueued[id]++
			return m.notices[i], nil
		}
	}
	return renovote.Notice{}, renovote.ErrNotFound
}

// UnqueuedNotices: the fake queues a notice whole or not at all.
func (m *memNotices) UnqueuedNotices(context.Context, time.Time, int) ([]renovote.Notice, error) {
	return nil, nil
}

func (m *memNotices) MarkNoticeLate(_ context.Context, id string, _ time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.late[id] = true
	return true, nil
}

// (a) In fake time, with the machine's zone far from the programme's: the
// notices job runs every minute on the minute, its ticks and now agree, and a
// notice for 08:03 Shanghai goes at that tick, once, not late.
func TestNoticesEveryMinuteInZone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sh, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			t.Fatal(err)
		}
		la, err := time.LoadLocation("America/Los_Angeles")
		if err != nil {
			t.Fatal(err)
		}
		defer func(l *time.Location) { time.Local = l }(time.Local)
		time.Local = la

		// The bubble starts at 2000-01-01 00:00 UTC = 08:00 Shanghai.
		start := time.Now()
		sendAt := time.Date(2000, 1, 1, 8, 3, 0, 0, sh)
		ns := &memNotices{enqueued: map[string]int{}, late: map[string]bool{},
			notices: []renovote.Notice{{ID: "N1", Kind: renovote.KindNotice, Compounds: []string{"c"}, SendAt: sendAt, Status: renovote.NoticeScheduled}}}
		runs := &memRuns{}
		s := NewWith(Config{Location: sh, Logger: quiet(), Runs: runs, Owner: "p1"})
		if err := s.AddNotices(ns); err != nil {
			t.Fatal(err)
		}
		var daily []time.Time
		var mu sync.Mutex
		if err := s.Add("daily", "30 8 * * *", func(ctx context.Context) error {
			r, _ := RunOf(ctx)
			mu.Lock()
			daily = append(daily, r.Tick)
			mu.Unlock()
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		s.Start()
		time.Sleep(10*time.Minute + 30*time.Second)
		synctest.Wait()
		s.Stop(context.Background())

		runs.mu.Lock()
		defer runs.mu.Unlock()
		var ticks []time.Time
		for _, r := range runs.done {
			if r.Job == NoticesJob {
				ticks = append(ticks, r.Tick)
				if r.Outcome != store.RunOK || r.Owner != "p1" {
					t.Errorf("run %+v", r)
				}
			}
		}
		if len(ticks) != 10 {
			t.Fatalf("notices ran %d times in 10m30s, want 10: %v", len(ticks), ticks)
		}
		for i, tk := range ticks {
			want := start.Add(time.Duration(i+1) * time.Minute).UTC()
			if !tk.Equal(want) || tk.Location() != time.UTC {
				t.Errorf("tick %d = %v, want %v (UTC)", i, tk, want)
			}
		}
		ns.mu.Lock()
		defer ns.mu.Unlock()
		for i, at := range ns.dueAt {
			if !at.Equal(ticks[i]) {
				t.Errorf("run %d looked for notices due at %v, want its tick %v", i, at, ticks[i])
			}
		}
		if ns.enqueued["N1"] != 1 || ns.late["N1"] {
			t.Errorf("N1 enqueued %d times, late %v; want once, on time", ns.enqueued["N1"], ns.late["N1"])
		}
		mu.Lock()
		defer mu.Unlock()
		if len(daily) != 0 {
			t.Errorf("08:30 Shanghai job ran before 08:30: %v", daily)
		}
	})
}

// fixture: a programme of one compound whose households each have a bound member.
const compound = "liangmao"

func fixture(t *testing.T, st *store.Store) []int64 {
	t.Helper()
	ctx := context.Background()
	sh := time.FixedZone("CST", 8*3600)
	opens := time.Date(2020, 4, 1, 8, 0, 0, 0, sh)
	p := renovote.Programme{ID: "p2020", Name: "改造", TimeZone: "Asia/Shanghai", MaxMembers: 3,
		Compounds: []renovote.Compound{{ID: compound, Name: "粮贸小区", Rule: renovote.DefaultRule(),
			Ballot: renovote.Window{Opens: opens, Closes: opens.AddDate(0, 1, 0)}}}}
	if err := st.ApplyProgramme(ctx, p); err != nil {
		t.Fatal(err)
	}
	var hhs []renovote.Household
	for i := range 6 {
		r := fmt.Sprintf("%d01", i+1)
		hhs = append(hhs, renovote.Household{CompoundID: compound, ID: renovote.HouseholdID("1栋", "1单元", r),
			Building: "1栋", Unit: "1单元", Room: r, Owner: fmt.Sprintf("业主%d", i), Area: 6000})
	}
	if _, err := st.ImportRegister(ctx, compound, hhs, store.ImportOptions{Actor: "cli:test", Now: opens}); err != nil {
		t.Fatal(err)
	}
	var chats []int64
	for i, h := range hhs {
		id := int64(1000 + i)
		if err := st.Bind(ctx, id, h.Ref(), 3, opens); err != nil {
			t.Fatal(err)
		}
		chats = append(chats, id)
	}
	return chats
}

var ops atomic.Int64

func scheduleNotice(t *testing.T, st *store.Store, text string, created, at time.Time) renovote.Notice {
	t.Helper()
	n, err := st.CreateNotice(context.Background(), renovote.Notice{Kind: renovote.KindNotice, Compounds: []string{compound},
		Text: text, By: "tg:10", ByChat: 10, Created: created, SendAt: at}, fmt.Sprintf("op-%d", ops.Add(1)))
	if err != nil {
		t.Fatal(err)
	}
	if n.Status != renovote.NoticeScheduled {
		t.Fatalf("notice %s is %s", n.ID, n.Status)
	}
	return n
}

// queued lists the (notice, chat) pairs in the outbox stream.
func queued(t *testing.T, st *store.Store) []string {
	t.Helper()
	xs, err := st.Client().XRange(context.Background(), st.Prefix()+"{outbox}:stream", "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, x := range xs {
		out = append(out, fmt.Sprintf("%v/%v", x.Values["notice"], x.Values["chat"]))
	}
	slices.Sort(out)
	return out
}

// clock is a settable clock for Config.Now.
type clock struct{ ns atomic.Int64 }

func (c *clock) set(t time.Time)          { c.ns.Store(t.UnixNano()) }
func (c *clock) now() time.Time           { return time.Unix(0, c.ns.Load()).UTC() }
func newClock(t time.Time) *clock         { c := &clock{}; c.set(t); return c }
func minute(t time.Time, i int) time.Time { return t.Add(time.Duration(i) * time.Minute) }

// (b) Three processes on one store run every tick of every job once, and
// queue each due notice to each member once.
func TestThreeSchedulersOneStore(t *testing.T) {
	st := storetest.New(t)
	chats := fixture(t, st)
	ctx := context.Background()
	t0 := time.Date(2020, 4, 3, 1, 0, 0, 0, time.UTC) // 09:00 Shanghai
	var notices []renovote.Notice
	for i := range 5 {
		notices = append(notices, scheduleNotice(t, st, fmt.Sprintf("通知%d", i), t0.Add(-time.Hour), minute(t0, i)))
	}
	clk := newClock(t0)
	var mu sync.Mutex
	counts := map[time.Time]int{}
	var ss []*Scheduler
	for i := range 3 {
		s := NewWith(Config{Location: time.UTC, Logger: quiet(), Runs: st, Owner: fmt.Sprintf("proc%d", i), Now: clk.now})
		if err := s.AddNotices(st); err != nil {
			t.Fatal(err)
		}
		if err := s.Add("count", "* * * * *", func(ctx context.Context) error {
			r, _ := RunOf(ctx)
			mu.Lock()
			counts[r.Tick]++
			mu.Unlock()
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		ss = append(ss, s)
	}
	const ticks = 6
	for i := range ticks {
		tick := minute(t0, i)
		clk.set(tick.Add(500 * time.Millisecond))
		var ran atomic.Int64
		var wg sync.WaitGroup
		for _, s := range ss {
			for _, job := range []string{NoticesJob, "count"} {
				wg.Go(func() {
					ok, err := s.RunTick(ctx, job, tick)
					if err != nil {
						t.Error(err)
					}
					if ok && job == NoticesJob {
						ran.Add(1)
					}
				})
			}
		}
		wg.Wait()
		if ran.Load() != 1 {
			t.Fatalf("tick %v: notices ran %d times, want 1", tick, ran.Load())
		}
	}
	for i := range ticks {
		if counts[minute(t0, i)] != 1 {
			t.Errorf("count job ran %d times at tick %d", counts[minute(t0, i)], i)
		}
	}
	var want []string
	for _, n := range notices {
		got, err := st.Notice(ctx, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != renovote.NoticeSending || got.Counts.Recipients != int64(len(chats)) {
			t.Errorf("%s: %s with %d recipients", n.ID, got.Status, got.Counts.Recipients)
		}
		if late, _, _ := st.NoticeLate(ctx, n.ID); late {
			t.Errorf("%s marked late", n.ID)
		}
		for _, c := range chats {
			want = append(want, fmt.Sprintf("%s/%d", n.ID, c))
		}
	}
	slices.Sort(want)
	if got := queued(t, st); !slices.Equal(got, want) {
		t.Fatalf("outbox:\n got %v\nwant %v", got, want)
	}
	h, err := st.RunHistory(ctx, NoticesJob, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != ticks {
		t.Fatalf("history of %d runs, want %d: %+v", len(h), ticks, h)
	}
	for i, r := range h {
		if !r.Tick.Equal(minute(t0, ticks-1-i)) || r.Outcome != store.RunOK {
			t.Errorf("history[%d] = %+v", i, r)
		}
	}
}

// (c) A process claimed a run and died: the run waits for the lease, then
// another process takes it over and runs it once.
func TestDeadOwnerTakenOver(t *testing.T) {
	st, pass := storetest.NewTTL(t)
	ctx := context.Background()
	lease := 200 * time.Millisecond
	tick := time.Date(2020, 4, 3, 1, 0, 0, 0, time.UTC)
	var runs atomic.Int64
	s := NewWith(Config{Logger: quiet(), Runs: st, Owner: "alive", Lease: lease})
	if err := s.Add("job", "* * * * *", func(context.Context) error { runs.Add(1); return nil }); err != nil {
		t.Fatal(err)
	}
	if ok, err := st.ClaimRun(ctx, "job", tick, "dead", lease); err != nil || !ok {
		t.Fatalf("dead claim: %v %v", ok, err)
	}
	if ok, err := s.RunTick(ctx, "job", tick); err != nil || ok {
		t.Fatalf("ran under a live lease: %v %v", ok, err)
	}
	pass(lease + 100*time.Millisecond)
	if ok, err := s.RunTick(ctx, "job", tick); err != nil || !ok {
		t.Fatalf("not taken over after the lease: %v %v", ok, err)
	}
	if ok, _ := s.RunTick(ctx, "job", tick); ok {
		t.Fatal("a done run ran again")
	}
	pass(lease + 100*time.Millisecond)
	if ok, _ := s.RunTick(ctx, "job", tick); ok {
		t.Fatal("a done run ran again after a lease")
	}
	if runs.Load() != 1 {
		t.Fatalf("job ran %d times", runs.Load())
	}
	h, err := st.RunHistory(ctx, "job", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 1 || h[0].Owner != "alive" || h[0].Outcome != store.RunOK {
		t.Fatalf("history %+v", h)
	}
}

// A job that panics or fails is marked failed; its next tick runs.
func TestFailedRunsMarked(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	s := NewWith(Config{Logger: quiet(), Runs: st, Owner: "p1"})
	n := 0
	if err := s.Add("flaky", "* * * * *", func(context.Context) error {
		n++
		switch n {
		case 1:
			panic("boom")
		case 2:
			return fmt.Errorf("no luck")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	tick := time.Date(2020, 4, 3, 1, 0, 0, 0, time.UTC)
	for i := range 3 {
		ok, err := s.RunTick(ctx, "flaky", minute(tick, i))
		if !ok || (err == nil) != (i == 2) {
			t.Fatalf("run %d: %v %v", i, ok, err)
		}
	}
	h, err := st.RunHistory(ctx, "flaky", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 3 || h[2].Outcome != store.RunFailed || h[2].Error == "" || h[1].Outcome != store.RunFailed ||
		h[1].Error != "no luck" || h[0].Outcome != store.RunOK {
		t.Fatalf("history %+v", h)
	}
	if _, err := s.RunTick(ctx, "nope", tick); err == nil {
		t.Fatal("ran an unknown job")
	}
	if err := s.Add("flaky", "* * * * *", func(context.Context) error { return nil }); err == nil {
		t.Fatal("added a job name twice")
	}
	if err := s.Add("Bad{name}", "* * * * *", func(context.Context) error { return nil }); err == nil {
		t.Fatal("accepted a bad job name")
	}
}

// (d) Restart: notices fell due while no scheduler ran. The first run after
// the restart sends the one still scheduled, marked late, once; the
// cancelled one never goes; one due within LateAfter is not late.
func TestRestartSendsLateOnce(t *testing.T) {
	st := storetest.New(t)
	chats := fixture(t, st)
	ctx := context.Background()
	down := time.Date(2020, 4, 3, 1, 0, 0, 0, time.UTC)
	missed := scheduleNotice(t, st, "停水通知", down.Add(-time.Hour), down.Add(5*time.Minute))
	cancelled := scheduleNotice(t, st, "取消", down.Add(-time.Hour), down.Add(6*time.Minute))
	if err := st.CancelNotice(ctx, cancelled.ID, "tg:10", down); err != nil {
		t.Fatal(err)
	}
	recent := scheduleNotice(t, st, "刚到点", down.Add(-time.Hour), down.Add(19*time.Minute))

	up := down.Add(20 * time.Minute)
	clk := newClock(up.Add(time.Second))
	s := NewWith(Config{Logger: quiet(), Runs: st, Owner: "restarted", Now: clk.now})
	if err := s.AddNotices(st); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.RunTick(ctx, NoticesJob, up); err != nil || !ok {
		t.Fatalf("first run: %v %v", ok, err)
	}
	clk.set(up.Add(time.Minute + time.Second))
	if ok, err := s.RunTick(ctx, NoticesJob, up.Add(time.Minute)); err != nil || !ok {
		t.Fatalf("second run: %v %v", ok, err)
	}
	var want []string
	for _, n := range []renovote.Notice{missed, recent} {
		for _, c := range chats {
			want = append(want, fmt.Sprintf("%s/%d", n.ID, c))
		}
	}
	slices.Sort(want)
	if got := queued(t, st); !slices.Equal(got, want) {
		t.Fatalf("outbox:\n got %v\nwant %v", got, want)
	}
	if late, at, err := st.NoticeLate(ctx, missed.ID); err != nil || !late || !at.Equal(up.Add(time.Second)) {
		t.Errorf("missed notice: late %v at %v (%v)", late, at, err)
	}
	if late, _, _ := st.NoticeLate(ctx, recent.ID); late {
		t.Error("a notice due a minute before the run is marked late")
	}
	// Staff see the mark in the notice they read.
	if n, err := st.Notice(ctx, missed.ID); err != nil || !n.Late {
		t.Errorf("missed notice as read back: late %v (%v)", n.Late, err)
	}
	if n, err := st.Notice(ctx, recent.ID); err != nil || n.Late {
		t.Errorf("recent notice as read back: late %v (%v)", n.Late, err)
	}
	got, err := st.Notice(ctx, cancelled.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != renovote.NoticeCancelled || got.Counts.Recipients != 0 {
		t.Errorf("cancelled notice: %s, %d recipients", got.Status, got.Counts.Recipients)
	}
	if late, _, _ := st.NoticeLate(ctx, cancelled.ID); late {
		t.Error("cancelled notice marked late")
	}
}

// A notice to be sent now whose sender died before queuing it is queued by
// the notices job once it has waited StalledAfter, to every member, once.
func TestStalledNoticeResumed(t *testing.T) {
	st := storetest.New(t)
	chats := fixture(t, st)
	ctx := context.Background()
	at := time.Date(2020, 4, 3, 1, 0, 0, 0, time.UTC)
	n, err := st.CreateNotice(ctx, renovote.Notice{Kind: renovote.KindNotice, Compounds: []string{compound}, Text: "停电通知",
		By: "tg:10", Created: at, SendAt: at}, "test:stalled")
	if err != nil {
		t.Fatal(err)
	}
	clk := newClock(at.Add(time.Minute))
	s := NewWith(Config{Logger: quiet(), Runs: st, Owner: "survivor", Now: clk.now})
	if err := s.AddNotices(st); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.RunTick(ctx, NoticesJob, at.Add(time.Minute)); err != nil || !ok {
		t.Fatalf("run: %v %v", ok, err)
	}
	if got := queued(t, st); len(got) != 0 {
		t.Fatalf("queued before StalledAfter, while its sender may still be at it: %v", got)
	}
	clk.set(at.Add(StalledAfter + time.Minute))
	for i := range 2 { // and a second run adds nobody twice
		tick := at.Add(StalledAfter + time.Duration(i+1)*time.Minute)
		if ok, err := s.RunTick(ctx, NoticesJob, tick); err != nil || !ok {
			t.Fatalf("run %d: %v %v", i, ok, err)
		}
	}
	var want []string
	for _, c := range chats {
		want = append(want, fmt.Sprintf("%s/%d", n.ID, c))
	}
	slices.Sort(want)
	if got := queued(t, st); !slices.Equal(got, want) {
		t.Fatalf("outbox:\n got %v\nwant %v", got, want)
	}
}
