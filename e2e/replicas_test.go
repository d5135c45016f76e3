package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/bot"
	"github.com/renovote/renovote/bot/bottest"
	"github.com/renovote/renovote/dialogs"
	"github.com/renovote/renovote/programme"
	"github.com/renovote/renovote/register"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

// Replica mode in one test process: several bot.Bot on one store, long
// polling through an elected poller, with one shared rate limit. The tests
// that kill bot processes and Redis servers are in failure_test.go.

// replicaStore is a store for replica tests: on REDIS_URL, or on a
// miniredis whose keys expire with the wall clock (miniredis moves its TTLs
// only when told), as the leases and the chat holds need.
func replicaStore(t *testing.T) *store.Store {
	t.Helper()
	if os.Getenv("REDIS_URL") != "" {
		return storetest.New(t)
	}
	mr := miniredis.RunT(t)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		const step = 10 * time.Millisecond
		tick := time.NewTicker(step)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				mr.FastForward(step)
			}
		}
	}()
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { close(stop); <-done; rdb.Close() })
	return store.New(rdb, store.Options{})
}

// callCounter counts one replica's Bot API calls by method, and the times
// of its sends: each replica has its own HTTP client.
type callCounter struct {
	base  http.RoundTripper
	mu    sync.Mutex
	calls map[string]int
}

func (c *callCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.calls[path.Base(r.URL.Path)]++
	c.mu.Unlock()
	return c.base.RoundTrip(r)
}

func (c *callCounter) n(method string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[method]
}

// cutStore is the replicas' store as one replica reaches it: cut, every call
// fails, as when the network between it and Redis is down.
type cutStore struct {
	*store.Store
	cut atomic.Bool
}

var errCut = errors.New("test: cut from Redis")

func (c *cutStore) down() error {
	if c.cut.Load() {
		return errCut
	}
	return nil
}

func (c *cutStore) AcquireLeader(ctx context.Context, token string, lease time.Duration) (bool, error) {
	if err := c.down(); err != nil {
		return false, err
	}
	return c.Store.AcquireLeader(ctx, token, lease)
}

func (c *cutStore) RenewLeader(ctx context.Context, token string, lease time.Duration) (bool, error) {
	if err := c.down(); err != nil {
		return false, err
	}
	return c.Store.RenewLeader(ctx, token, lease)
}

func (c *cutStore) ReleaseLeader(ctx context.Context, token string) error {
	if err := c.down(); err != nil {
		return err
	}
	return c.Store.ReleaseLeader(ctx, token)
}

func (c *cutStore) PollOffset(ctx context.Context) (int64, error) {
	if err := c.down(); err != nil {
		return 0, err
	}
	return c.Store.PollOffset(ctx)
}

func (c *cutStore) HandOffUpdates(ctx context.Context, token string, next int64, ups []renovote.HandedUpdate) (bool, error) {
	if err := c.down(); err != nil {
		return false, err
	}
	return c.Store.HandOffUpdates(ctx, token, next, ups)
}

func (c *cutStore) TakeUpdates(ctx context.Context, consumer string, n int, minIdle, block time.Duration) ([]renovote.HandedUpdate, error) {
	if err := c.down(); err != nil {
		return nil, err
	}
	return c.Store.TakeUpdates(ctx, consumer, n, minIdle, block)
}

func (c *cutStore) ClaimUpdate(ctx context.Context, id int64, token string, lease time.Duration) (renovote.UpdateClaim, error) {
	if err := c.down(); err != nil {
		return renovote.UpdateClaim{}, err
	}
	return c.Store.ClaimUpdate(ctx, id, token, lease)
}

// replicaSet is a world whose bot runs as n in-process replicas.
type replicaSet struct {
	*world
	cut    []*cutStore
	calls  []*callCounter
	byRepl []atomic.Int64 // updates handled, per replica
	stops  []func()
}

// countingHandler counts the updates a replica handles.
type countingHandler struct {
	*dialogs.Engine
	n *atomic.Int64
}

func (h countingHandler) Handle(ctx context.Context, in dialogs.Input, now time.Time) (dialogs.Response, error) {
	h.n.Add(1)
	return h.Engine.Handle(ctx, in, now)
}

// newReplicaSet runs the seed world's bot as n replicas on st, each polling
// through the elected poller with lease, and sharing the rate limit; mod
// adjusts each replica's configuration.
func newReplicaSet(t *testing.T, st *store.Store, n int, lease time.Duration, mod func(i int, c *bot.Config)) *replicaSet {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	p := programme.Seed()
	w := &world{t: t, ctx: ctx, st: st, p: p, hhs: map[string][]renovote.Household{},
		clock: &clock{t: time.Date(2020, 5, 10, 10, 0, 0, 0, shanghai(t))}}
	if err := st.ApplyProgramme(ctx, p); err != nil {
		t.Fatal(err)
	}
	for _, h := range register.GenerateSeed(p, 2020) {
		w.hhs[h.CompoundID] = append(w.hhs[h.CompoundID], h)
	}
	for id, list := range w.hhs {
		if _, err := st.ImportRegister(ctx, id, list, store.ImportOptions{Actor: "test", Now: w.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	w.srv = bottest.NewServer(t)
	var logTo io.Writer = io.Discard
	if os.Getenv("E2E_LOG") != "" {
		logTo = os.Stderr
	}
	log := slog.New(slog.NewTextHandler(logTo, nil))
	rs := &replicaSet{world: w, byRepl: make([]atomic.Int64, n)}
	for i := range n {
		cs := &cutStore{Store: st}
		cc := &callCounter{base: http.DefaultTransport.(*http.Transport).Clone(), calls: map[string]int{}}
		rs.cut, rs.calls = append(rs.cut, cs), append(rs.calls, cc)
		engine := dialogs.New(dialogs.Config{Store: st, Admins: []int64{adminID}, BotUsername: w.srv.BotUsername(), Logger: log, XLSX: register.WriteXLSX})
		cfg := bot.Config{Token: w.srv.Token, ServerURL: w.srv.URL, Handler: countingHandler{engine, &rs.byRepl[i]}, Dedupe: st,
			Logger: log.With("replica", i), Now: w.clock.Now, PollTimeout: 2 * time.Second, Rate: 10000, ReplyChatGap: -1,
			HTTPClient: &http.Client{Transport: cc, Timeout: 15 * time.Second}, Consumer: fmt.Sprintf("replica-%d", i),
			Replicas: bot.ReplicaConfig{Store: cs, Limit: st, Count: n, Lease: lease}}
		if mod != nil {
			mod(i, &cfg)
		}
		b, err := bot.New(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = b.Run(runCtx) }()
		rs.stops = append(rs.stops, sync.OnceFunc(func() { stop(); <-done }))
	}
	t.Cleanup(func() {
		for _, stop := range rs.stops {
			stop()
		}
		if un := w.srv.UnansweredCallbacks(); len(un) > 0 {
			t.Errorf("callback queries never answered: %v", un)
		}
	})
	return rs
}

// pollers returns the replicas that called getUpdates since the counts in before.
func (rs *replicaSet) pollers(before []int) []int {
	var out []int
	for i, c := range rs.calls {
		if c.n("getUpdates") > before[i] {
			out = append(out, i)
		}
	}
	return out
}

func (rs *replicaSet) polls() []int {
	out := make([]int, len(rs.calls))
	for i, c := range rs.calls {
		out[i] = c.n("getUpdates")
	}
	return out
}

// voteAll binds a member of each household and votes, all at once, and
// returns how many receipts were shown.
func (rs *replicaSet) voteAll(t *testing.T, hhs []renovote.Household, codes map[string]string, firstUser int64) {
	t.Helper()
	w := rs.world
	type voter struct {
		u *bottest.User
		h renovote.Household
	}
	var voters []voter
	for i, h := range hhs {
		voters = append(voters, voter{w.srv.User(firstUser+int64(i), "居民", "zh"), h})
	}
	parallel(t, voters, func(v voter) error {
		var m bottest.Message
		if err := w.bindAndOpen(v.u, codes[v.h.ID], &m); err != nil {
			return err
		}
		prefix := "v:a:"
		if v.u.ID%3 == 0 {
			prefix = "v:d:"
		}
		for _, b := range m.Buttons() {
			if b.CallbackData != nil && strings.HasPrefix(*b.CallbackData, prefix) {
				if _, err := v.u.Press(m.ID, *b.CallbackData); err != nil {
					return err
				}
			}
		}
		if _, err := w.srv.WaitForMessage(w.ctx, v.u.ID, func(x bottest.Message) bool { return x.ID == m.ID && strings.Contains(x.Text, "回执") }); err != nil {
			return fmt.Errorf("user %d: no receipt: %w\n%s", v.u.ID, err, transcript(v.u))
		}
		return nil
	})
}

// checkOnce checks that every vote of a compound was counted once: the
// counters equal a recount, and no update appears twice in the audit.
func (rs *replicaSet) checkOnce(t *testing.T, compound string, want int) {
	t.Helper()
	tl := rs.tally(compound)
	seen := map[int64]bool{}
	for _, id := range rs.auditUpdates(compound) {
		if seen[id] {
			t.Errorf("update %d counted twice", id)
		}
		seen[id] = true
	}
	if tl.Voted != int64(want) || len(seen) != want {
		t.Errorf("voted %d, %d audit entries; want %d", tl.Voted, len(seen), want)
	}
}

// Three replicas long-poll one bot: one polls, all handle. Residents bind
// and vote at once; every vote is counted once, every press answered, and
// Telegram never sees two pollers (no 409).
func TestReplicasShareThePolling(t *testing.T) {
	t.Parallel()
	rs := newReplicaSet(t, replicaStore(t), 3, time.Second, nil)
	const compound = "wuzhuangbu"
	rs.voteAll(t, rs.hhs[compound][:30], rs.invites(compound), 83000)
	rs.checkOnce(t, compound, 30)
	for _, c := range rs.srv.CallsTo("getUpdates") {
		if c.Status == http.StatusConflict {
			t.Errorf("Telegram saw two pollers: %s", c)
		}
	}
	if p := rs.pollers(make([]int, 3)); len(p) != 1 {
		t.Errorf("replicas %v polled, want one", p)
	}
	var handled []int64
	for i := range rs.byRepl {
		handled = append(handled, rs.byRepl[i].Load())
	}
	t.Logf("updates handled per replica: %v", handled)
	rs.waitStreamEmpty(t)
}

// waitStreamEmpty waits until every handed-over update was acknowledged (a
// replica acknowledges one after its replies went out).
func (rs *replicaSet) waitStreamEmpty(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(rs.ctx, 10*time.Second)
	defer cancel()
	for {
		n, err := rs.st.UpdatesWaiting(ctx)
		if err == nil && n == 0 {
			return
		}
		if ctx.Err() != nil {
			t.Errorf("%d handed-over updates left in the stream (%v)", n, err)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The poller is cut from Redis: it cannot renew its lease, so it stops
// polling (fenced) and another replica takes over within the lease; votes go
// on. When it reaches Redis again it does not poll beside the new poller.
func TestReplicaPollerFenced(t *testing.T) {
	t.Parallel()
	const lease = time.Second
	rs := newReplicaSet(t, replicaStore(t), 2, lease, nil)
	const compound = "jinrong"
	codes := rs.invites(compound)
	rs.voteAll(t, rs.hhs[compound][:4], codes, 84000)
	p := rs.pollers(make([]int, 2))
	if len(p) != 1 {
		t.Fatalf("pollers %v, want one", p)
	}
	leader, other := p[0], 1-p[0]

	before := rs.polls()
	cutAt := time.Now()
	rs.cut[leader].cut.Store(true)
	// The other replica polls within the lease (and its retry interval).
	for rs.calls[other].n("getUpdates") == before[other] {
		if time.Since(cutAt) > 10*lease {
			t.Fatalf("no takeover %v after the poller was cut", time.Since(cutAt))
		}
		time.Sleep(10 * time.Millisecond)
	}
	takeover := time.Since(cutAt)
	// The cut poller stopped polling: at most the poll in flight at the cut
	// and one begun before it saw the lease run out.
	fenced := rs.calls[leader].n("getUpdates")
	rs.voteAll(t, rs.hhs[compound][4:8], codes, 84100)
	if extra := rs.calls[leader].n("getUpdates") - fenced; extra != 0 {
		t.Errorf("the cut poller polled %d more times after the takeover", extra)
	}
	if fenced-before[leader] > 2 {
		t.Errorf("the cut poller polled %d times after the cut", fenced-before[leader])
	}
	rs.cut[leader].cut.Store(false)
	mark := rs.polls()
	rs.voteAll(t, rs.hhs[compound][8:12], codes, 84200)
	if got := rs.pollers(mark); len(got) != 1 || got[0] != other {
		t.Errorf("after the cut ended, replicas %v polled, want only %d", got, other)
	}
	rs.checkOnce(t, compound, 12)
	rs.waitStreamEmpty(t)
	t.Logf("lease %v: the other replica polled %v after the cut", lease, takeover)
}

// A replica stops: it gives its lease up, and the other polls at once.
func TestReplicaStopHandsOver(t *testing.T) {
	t.Parallel()
	rs := newReplicaSet(t, replicaStore(t), 2, 5*time.Second, nil)
	const compound = "liangmao"
	codes := rs.invites(compound)
	rs.voteAll(t, rs.hhs[compound][:3], codes, 85000)
	p := rs.pollers(make([]int, 2))
	if len(p) != 1 {
		t.Fatalf("pollers %v", p)
	}
	mark := rs.polls()
	stopped := time.Now()
	rs.stops[p[0]]()
	rs.voteAll(t, rs.hhs[compound][3:6], codes, 85100)
	if got := rs.pollers(mark); len(got) != 1 || got[0] != 1-p[0] {
		t.Errorf("after the poller stopped, replicas %v polled", got)
	}
	// Well within the 5s lease: the lease was released, not waited out.
	if d := time.Since(stopped); d > 4*time.Second {
		t.Errorf("votes after the stop took %v: the lease was waited out", d)
	}
	rs.checkOnce(t, compound, 6)
}

// Two replicas send one notice together at a shared rate: in no second do
// they together send more than the rate and the burst (plus a little for the
// network's jitter), both send, and the notice is delivered once to each.
// Without the shared bucket each would send at the full rate.
func TestSharedRateTwoSenders(t *testing.T) {
	t.Parallel()
	const rate, members = 40.0, 160
	st := replicaStore(t)
	rs := newReplicaSet(t, st, 2, time.Second, func(i int, c *bot.Config) {
		c.Rate = rate
		c.Outbox = st
		c.OutboxMinIdle = time.Minute
	})
	w := rs.world
	var ids []int64
	for i, h := range w.hhs["laozhongyiyuan"][:members] {
		uid := int64(86000 + i)
		w.srv.User(uid, "住户", "zh")
		if err := w.st.Bind(w.ctx, uid, h.Ref(), 3, w.clock.Now()); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, uid)
	}
	n, err := w.st.CreateNotice(w.ctx, renovote.Notice{Kind: renovote.KindNotice, Compounds: []string{"laozhongyiyuan"},
		Text: "周六上午停电检修。", By: "test", Created: w.clock.Now(), SendAt: w.clock.Now()}, "test:rate")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := w.st.EnqueueNotice(w.ctx, n.ID, ids); err != nil {
		t.Fatal(err)
	}
	for {
		got, err := w.st.Notice(w.ctx, n.ID)
		if err == nil && got.Status == renovote.NoticeDone {
			n = got
			break
		}
		if w.ctx.Err() != nil {
			t.Fatalf("notice not done: %+v %v", got, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	elapsed := time.Since(start)
	var times []time.Time
	got := map[int64]int{}
	for _, c := range w.srv.CallsTo("sendMessage") {
		if strings.Contains(c.Param("text"), "停电") {
			times = append(times, c.Time)
			got[c.Int("chat_id")]++
		}
	}
	for _, id := range ids {
		if got[id] != 1 {
			t.Errorf("member %d got the notice %d times", id, got[id])
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	// The most sends in any one-second window (sliding over every send).
	most := 0
	for i := range times {
		j := sort.Search(len(times), func(k int) bool { return !times[k].Before(times[i].Add(time.Second)) })
		most = max(most, j-i)
	}
	burst := max(2, int(rate/20))
	if limit := int(rate) + burst + 3; most > limit {
		t.Errorf("%d sends in one second, the shared limit is %v/s with a burst of %d", most, rate, burst)
	}
	per := []int{rs.calls[0].n("sendMessage"), rs.calls[1].n("sendMessage")}
	if per[0] == 0 || per[1] == 0 {
		t.Errorf("sends per replica %v: both should send", per)
	}
	t.Logf("%d members, rate %v/s shared by 2 replicas (sends %v): most in one second %d, %v in all (%.1f/s)",
		members, rate, per, most, elapsed.Round(time.Millisecond), float64(members)/elapsed.Seconds())
	if n.Counts.Delivered != members {
		t.Errorf("counts %+v", n.Counts)
	}
}

// Replicas started after a lone bot was killed handle what it left in the
// update journal (confirmed to Telegram, so nowhere else) before anything
// new: three replicas replay the same journal at once, and each journaled
// message is answered once; the journal is empty afterwards.
func TestReplicasReplayTheJournal(t *testing.T) {
	t.Parallel()
	st := replicaStore(t)
	ctx := context.Background()
	const users, first = 12, 91000
	ups := map[int64][]byte{}
	for i := range int64(users) {
		id, user := first+i, 97000+i
		ups[id] = fmt.Appendf(nil, `{"update_id":%d,"message":{"message_id":%d,"date":1589076000,`+
			`"chat":{"id":%d,"type":"private","first_name":"J"},"from":{"id":%d,"is_bot":false,"first_name":"J","language_code":"zh"},"text":"/help"}}`,
			id, id, user, user)
	}
	if err := st.JournalUpdates(ctx, ups, first+users-1); err != nil {
		t.Fatal(err)
	}
	rs := newReplicaSet(t, st, 3, time.Second, nil)
	// A replica that finds an update another took skips it and deletes it
	// from the journal while the other may still be handling it: wait for
	// the journal to empty and for every answer.
	answers := func() map[int64]int {
		per := map[int64]int{}
		for _, c := range rs.srv.CallsTo("sendMessage") {
			per[c.Int("chat_id")]++
		}
		return per
	}
	for {
		left, err := st.JournaledUpdates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(left) == 0 && len(answers()) >= users {
			break
		}
		if rs.ctx.Err() != nil {
			t.Fatalf("journal still holds %d updates; %d users answered", len(left), len(answers()))
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, stop := range rs.stops { // every handling finished
		stop()
	}
	per := answers()
	for i := range int64(users) {
		if n := per[97000+i]; n != 1 {
			t.Errorf("user %d got %d answers to the journaled /help, want 1", 97000+i, n)
		}
	}
}
