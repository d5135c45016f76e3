package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
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

// hookPath is the path of the webhook behind the balancer.
const hookPath = "/tg/hook"

// flaky wraps a replica's dialogs engine: the first attempt at each vote
// press (across replicas: the map is shared) is handled, vote and all, and
// then reported failed, as if the session write had failed after the vote
// script ran. Telegram then delivers the press again, to whichever replica.
type flaky struct {
	engine  *dialogs.Engine
	replica string
	shared  *flakyState
}

type flakyState struct {
	mu        sync.Mutex
	failed    map[int64]bool
	byReplica map[string]int // Handle calls
}

var errInjected = errors.New("injected failure after the vote was handled")

func (f flaky) Handle(ctx context.Context, in dialogs.Input, now time.Time) (dialogs.Response, error) {
	resp, err := f.engine.Handle(ctx, in, now)
	s := f.shared
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byReplica[f.replica]++
	if err == nil && strings.HasPrefix(in.Callback, "v:") && !s.failed[in.UpdateID] {
		s.failed[in.UpdateID] = true
		return resp, errInjected
	}
	return resp, err
}

// Sent keeps the engine a bot.Tracker.
func (f flaky) Sent(ctx context.Context, track string, chatID int64, messageID int) ([]dialogs.Reply, error) {
	return f.engine.Sent(ctx, track, chatID, messageID)
}

// newHookWorld is the seed world served through Telegram's webhook by
// replicas bot processes on st, behind a round-robin balancer; with flakyVotes
// each vote press fails once after being handled (flaky).
func newHookWorld(t testing.TB, st *store.Store, replicas int, flakyVotes *flakyState) *world {
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
	w.srv = bottest.NewServer(t, bottest.WithWebhookDelivery(bottest.WebhookOptions{}))
	var logTo io.Writer = io.Discard
	if os.Getenv("E2E_LOG") != "" {
		logTo = os.Stderr
	}
	log := slog.New(slog.NewTextHandler(logTo, nil))
	lb := httptest.NewUnstartedServer(nil)
	public := "http://" + lb.Listener.Addr().String() + hookPath
	var proxies []*httputil.ReverseProxy
	var stops []func()
	for i := range replicas {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		proxies = append(proxies, httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: ln.Addr().String()}))
		engine := dialogs.New(dialogs.Config{Store: st, Admins: []int64{adminID}, BotUsername: w.srv.BotUsername(), Logger: log})
		var h bot.Handler = engine
		if flakyVotes != nil {
			h = flaky{engine: engine, replica: fmt.Sprint(i), shared: flakyVotes}
		}
		b, err := bot.New(ctx, bot.Config{Token: w.srv.Token, ServerURL: w.srv.URL, Handler: h, Dedupe: st,
			Logger: log.With("replica", i), Now: w.clock.Now, Rate: 10000, ReplyChatGap: -1,
			Webhook: bot.WebhookConfig{URL: public, Listener: ln}})
		if err != nil {
			t.Fatal(err)
		}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = b.Run(runCtx) }()
		stops = append(stops, func() { stop(); <-done })
	}
	var next atomic.Int64
	lb.Config.Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		proxies[(next.Add(1)-1)%int64(len(proxies))].ServeHTTP(rw, r)
	})
	lb.Start()
	t.Cleanup(func() {
		for _, stop := range stops {
			stop()
		}
		lb.Close()
		if un := w.srv.UnansweredCallbacks(); len(un) > 0 {
			t.Errorf("callback queries never answered: %v", un)
		}
	})
	return w
}

// pressUpdate is the update of a button press as Telegram posts it.
func pressUpdate(cb bottest.Callback) []byte {
	return fmt.Appendf(nil, `{"update_id":%d,"callback_query":{"id":"%s-again","from":{"id":%d,"is_bot":false,"first_name":"x"},"message":{"message_id":%d,"date":1589076000,"chat":{"id":%d,"type":"private"}},"chat_instance":"ci","data":%q}}`,
		cb.UpdateID, cb.ID, cb.UserID, cb.MessageID, cb.ChatID, cb.Data)
}

// auditUpdates returns the update ids of a compound's vote audit entries.
func (w *world) auditUpdates(compound string) []int64 {
	w.t.Helper()
	es, err := w.st.Audit(w.ctx, compound, "", 0)
	if err != nil {
		w.t.Fatal(err)
	}
	var out []int64
	for _, e := range es {
		out = append(out, e.UpdateID)
	}
	return out
}

// A resident votes through the webhook: counted once; Telegram posting the
// press again (its answer lost) changes nothing.
func TestVoteThroughWebhook(t *testing.T) {
	t.Parallel()
	w := newHookWorld(t, storetest.New(t), 1, nil)
	codes := w.invites("liangmao")
	h := w.hhs["liangmao"][0]
	u := w.srv.User(81001, "李", "zh")
	w.bind(u, codes[h.ID])
	receipt := w.vote(u, renovote.ChoiceAgree)
	if !strings.Contains(receipt.Text, "回执") {
		t.Errorf("receipt: %q", receipt.Text)
	}
	if tl := w.tally("liangmao"); tl.Voted != 1 || tl.Agree != 1 {
		t.Fatalf("tally %+v", tl)
	}
	var press bottest.Callback
	for _, cb := range w.srv.Callbacks() {
		if strings.HasPrefix(cb.Data, "v:a:") {
			press = cb
		}
	}
	if ds, err := w.srv.WaitWebhookAccepted(w.ctx, press.UpdateID); err != nil || len(ds) != 1 || ds[0].Status != 200 {
		t.Errorf("deliveries of the vote: %+v, %v", ds, err)
	}
	if got := w.auditUpdates("liangmao"); len(got) != 1 || got[0] != press.UpdateID {
		t.Errorf("audit update ids %v, want [%d]", got, press.UpdateID)
	}

	req, _ := http.NewRequest(http.MethodPost, w.srv.Webhook().URL, bytes.NewReader(pressUpdate(press)))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", bot.DeriveWebhookSecret(w.srv.Token))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the press posted again: %d", resp.StatusCode)
	}
	if tl := w.tally("liangmao"); tl.Voted != 1 || tl.Agree != 1 {
		t.Errorf("tally after the repeat %+v", tl)
	}
	if n := len(w.auditUpdates("liangmao")); n != 1 {
		t.Errorf("%d audit entries after the repeat, want 1", n)
	}
}

// Redis goes away while a resident votes: the endpoint answers 503, the
// fake Telegram keeps delivering the press, and once Redis is back the vote
// is counted exactly once. (A miniredis of the test's own, which it stops
// and restarts with its data.)
func TestWebhookStoreOutage(t *testing.T) {
	t.Parallel()
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { rdb.Close() })
	w := newHookWorld(t, store.New(rdb, store.Options{}), 1, nil)
	codes := w.invites("liangmao")
	h := w.hhs["liangmao"][3]
	u := w.srv.User(81002, "张", "zh")
	w.bind(u, codes[h.ID])
	m := w.say(u, "/vote", hasButton("v:a:"))

	mr.Close()
	var data string
	for _, b := range m.Buttons() {
		if b.CallbackData != nil && strings.HasPrefix(*b.CallbackData, "v:d:") {
			data = *b.CallbackData
		}
	}
	qid, err := u.Press(m.ID, data)
	if err != nil {
		t.Fatal(err)
	}
	cb, _ := w.srv.Callback(qid)
	if _, err := w.srv.WaitWebhookAttempts(w.ctx, cb.UpdateID, 3); err != nil {
		t.Fatal(err)
	}
	if err := mr.Restart(); err != nil {
		t.Fatal(err)
	}
	ds, err := w.srv.WaitWebhookAccepted(w.ctx, cb.UpdateID)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds[:len(ds)-1] {
		if d.Status != http.StatusServiceUnavailable {
			t.Errorf("a delivery during the outage answered %d (%s), want 503", d.Status, d.Error)
		}
	}
	if _, err := w.srv.WaitForMessage(w.ctx, u.ID, func(x bottest.Message) bool { return x.ID == m.ID && strings.Contains(x.Text, "回执") }); err != nil {
		t.Fatalf("no receipt after the outage: %v\n%s", err, transcript(u))
	}
	if tl := w.tally("liangmao"); tl.Voted != 1 || tl.Disagree != 1 {
		t.Errorf("tally %+v, want one disagree", tl)
	}
	if got := w.auditUpdates("liangmao"); len(got) != 1 || got[0] != cb.UpdateID {
		t.Errorf("audit update ids %v, want [%d]", got, cb.UpdateID)
	}
	for _, x := range u.Messages() {
		if strings.Contains(x.Text, "未记录") {
			t.Errorf("the resident was told the vote was not recorded: %q", x.Text)
		}
	}
	t.Logf("the press was delivered %d times", len(ds))
}

// Two replicas on one store behind a round-robin balancer: residents vote at
// once, every vote press is handled, reported failed and delivered again
// (mostly to the other replica); each vote is counted once.
func TestWebhookTwoReplicasCountOnce(t *testing.T) {
	t.Parallel()
	fs := &flakyState{failed: map[int64]bool{}, byReplica: map[string]int{}}
	w := newHookWorld(t, storetest.New(t), 2, fs)
	const compound = "wuzhuangbu"
	codes := w.invites(compound)
	type voter struct {
		u      *bottest.User
		code   string
		choice renovote.Choice
	}
	var voters []voter
	for i, h := range w.hhs[compound][:12] {
		c := renovote.ChoiceAgree
		if i%3 == 0 {
			c = renovote.ChoiceDisagree
		}
		voters = append(voters, voter{w.srv.User(int64(82000+i), "居民", "zh"), codes[h.ID], c})
	}
	parallel(t, voters, func(v voter) error {
		var m bottest.Message
		if err := w.bindAndOpen(v.u, v.code, &m); err != nil {
			return err
		}
		prefix := "v:a:"
		if v.choice == renovote.ChoiceDisagree {
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
	tl := w.tally(compound)
	if tl.Voted != 12 || tl.Agree != 8 || tl.Disagree != 4 {
		t.Errorf("tally %+v, want 12 voted, 8 agree, 4 disagree", tl)
	}
	seen := map[int64]bool{}
	for _, id := range w.auditUpdates(compound) {
		if seen[id] {
			t.Errorf("update %d counted twice", id)
		}
		seen[id] = true
	}
	if len(seen) != 12 {
		t.Errorf("%d audit entries, want 12", len(seen))
	}
	retried := 0
	for _, cb := range w.srv.Callbacks() {
		if !strings.HasPrefix(cb.Data, "v:") {
			continue
		}
		ds, err := w.srv.WaitWebhookAccepted(w.ctx, cb.UpdateID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) >= 2 && ds[0].Status == http.StatusServiceUnavailable && ds[len(ds)-1].OK() {
			retried++
		}
	}
	if retried != 12 {
		t.Errorf("%d vote presses failed once and were delivered again, want 12", retried)
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.byReplica["0"] == 0 || fs.byReplica["1"] == 0 {
		t.Errorf("updates handled per replica: %v, want both", fs.byReplica)
	}
}

// BenchmarkVoteThroughWebhook is BenchmarkVoteThroughBot with the updates
// posted to the bot's webhook (one replica) instead of long-polled: the fake
// Telegram posts the press, the bot claims the update in the store, handles
// it, answers and edits, marks it done, and answers the post.
//
//	go test -run '^$' -bench VoteThroughWebhook ./e2e/
func BenchmarkVoteThroughWebhook(b *testing.B) {
	w := newHookWorld(b, storetest.New(b), 1, nil)
	const compound = "jinrong"
	h := w.hhs[compound][0]
	u := w.srv.User(90001, "居民", "zh-hans")
	var msg bottest.Message
	if err := w.bindAndOpen(u, w.invites(compound)[h.ID], &msg); err != nil {
		b.Fatal(err)
	}
	var data [2]string
	for _, btn := range msg.Buttons() {
		switch (*btn.CallbackData)[:4] {
		case "v:a:":
			data[0] = *btn.CallbackData
		case "v:d:":
			data[1] = *btn.CallbackData
		}
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		qid, err := u.Press(msg.ID, data[i%2])
		if err != nil {
			b.Fatal(err)
		}
		cb, _ := w.srv.Callback(qid)
		if _, err := w.srv.WaitWebhookAccepted(w.ctx, cb.UpdateID); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "votes/s")
}
