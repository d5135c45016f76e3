package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/bot/bottest"
	"github.com/renovote/renovote/dialogs"
)

// memClaims is an in-memory UpdateClaims (and Dedupe) shared by the bots of
// a test, as the store is shared by replicas; down makes every call fail, as
// a store that cannot be reached. Leases never expire here.
type memClaims struct {
	mu     sync.Mutex
	recs   map[int64]*claimRec
	down   atomic.Bool
	claims atomic.Int64 // calls to ClaimUpdate
}

type claimRec struct {
	state   renovote.UpdateStatus // claimed (held), done; absent or failed otherwise
	token   string
	attempt int
}

var errStoreDown = errors.New("store down (test)")

func newMemClaims() *memClaims { return &memClaims{recs: map[int64]*claimRec{}} }

func (m *memClaims) FirstSeen(_ context.Context, id int64) (bool, error) {
	c, err := m.ClaimUpdate(context.Background(), id, "poll", time.Minute)
	if err != nil {
		return true, err
	}
	if c.Status == renovote.UpdateClaimed {
		return true, m.FinishUpdate(context.Background(), id, "poll")
	}
	return false, nil
}

func (m *memClaims) ClaimUpdate(_ context.Context, id int64, token string, _ time.Duration) (renovote.UpdateClaim, error) {
	m.claims.Add(1)
	if m.down.Load() {
		return renovote.UpdateClaim{}, errStoreDown
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.recs[id]
	if r == nil {
		r = &claimRec{}
		m.recs[id] = r
	}
	switch {
	case r.state == renovote.UpdateDone:
		return renovote.UpdateClaim{Status: renovote.UpdateDone}, nil
	case r.state == renovote.UpdateClaimed && r.token != token:
		return renovote.UpdateClaim{Status: renovote.UpdateBusy, Wait: time.Minute}, nil
	case r.state != renovote.UpdateClaimed:
		r.state, r.token = renovote.UpdateClaimed, token
		r.attempt++
	}
	return renovote.UpdateClaim{Status: renovote.UpdateClaimed, Attempt: r.attempt}, nil
}

func (m *memClaims) FinishUpdate(_ context.Context, id int64, token string) error {
	if m.down.Load() {
		return errStoreDown
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs[id] = &claimRec{state: renovote.UpdateDone, token: token}
	return nil
}

func (m *memClaims) ReleaseUpdate(_ context.Context, id int64, token string) error {
	if m.down.Load() {
		return errStoreDown
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if r := m.recs[id]; r != nil && r.state == renovote.UpdateClaimed && r.token == token {
		r.state, r.token = "", ""
	}
	return nil
}

// tally is a handler that counts, per update, the handlings that succeeded
// (as a vote script counts a vote), after fail had its say: fail may return
// an error, panic, or let the update through.
type tally struct {
	mu        sync.Mutex
	attempts  map[int64]int // calls, per update
	counted   map[int64]int // successful handlings, per update
	byReplica map[string]int
	fail      func(in dialogs.Input, attempt int) error
}

func newTally(fail func(in dialogs.Input, attempt int) error) *tally {
	return &tally{attempts: map[int64]int{}, counted: map[int64]int{}, byReplica: map[string]int{}, fail: fail}
}

// handler is the Handler of one replica.
func (ta *tally) handler(replica string) Handler {
	return handlerFunc(func(_ context.Context, in dialogs.Input, _ time.Time) (dialogs.Response, error) {
		ta.mu.Lock()
		ta.attempts[in.UpdateID]++
		attempt := ta.attempts[in.UpdateID]
		ta.mu.Unlock()
		if ta.fail != nil {
			if err := ta.fail(in, attempt); err != nil {
				return dialogs.Response{CallbackText: "busy, NOT recorded", Replies: []dialogs.Reply{{Text: "busy, NOT recorded"}}}, err
			}
		}
		ta.mu.Lock()
		ta.counted[in.UpdateID]++
		ta.byReplica[replica]++
		ta.mu.Unlock()
		if in.Callback != "" {
			return dialogs.Response{CallbackText: "recorded " + in.Callback,
				Replies: []dialogs.Reply{{Text: "receipt " + in.Callback}}}, nil
		}
		if in.Command == "menu" {
			return dialogs.Response{Replies: []dialogs.Reply{{Text: "menu", Buttons: menuButtons}}}, nil
		}
		return dialogs.Response{Replies: []dialogs.Reply{{Text: "re: " + in.Text}}}, nil
	})
}

func (ta *tally) count(id int64) (counted, attempts int) {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	return ta.counted[id], ta.attempts[id]
}

// hookPath is the path of the tests' webhook URL.
const hookPath = "/tg/hook"

// newHookEnv is an env whose fake Telegram delivers to webhooks.
func newHookEnv(t *testing.T) *env {
	return newEnv(t, bottest.WithWebhookDelivery(bottest.WebhookOptions{}))
}

// hookBot is a bot in webhook mode on a listener of its own; public is the
// URL set with setWebhook ("" for its own address).
func (e *env) hookBot(h Handler, claims *memClaims, public string, mod func(*Config)) (*Bot, string) {
	e.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	own := "http://" + ln.Addr().String() + hookPath
	if public == "" {
		public = own
	}
	b := e.newBot(h, func(c *Config) {
		c.Dedupe = claims
		c.Webhook = WebhookConfig{URL: public, Secret: "test-secret", Listener: ln, MaxAttempts: 4}
		if mod != nil {
			mod(c)
		}
	})
	return b, own
}

// runHook starts b.Run and waits until it serves its endpoint own (after
// setting the webhook): a GET is answered 405 then.
func (e *env) runHook(b *Bot, own string) *running {
	e.t.Helper()
	r := e.runBusy(b)
	served := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(e.ctx, http.MethodGet, own, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusMethodNotAllowed {
				err = fmt.Errorf("GET %s: %d", own, resp.StatusCode)
			}
		}
		served <- err
	}()
	select {
	case err := <-served:
		if err != nil {
			e.t.Fatalf("webhook endpoint not served: %v", err)
		}
	case <-r.done:
		e.t.Fatalf("Run returned before serving the webhook: %v", r.err)
	}
	return r
}

// accepted waits until the fake's webhook accepted update id, and returns
// the status of every attempt.
func (e *env) accepted(id int64) []int {
	e.t.Helper()
	ds, err := e.srv.WaitWebhookAccepted(e.ctx, id)
	if err != nil {
		e.t.Fatalf("update %d: %v (deliveries %+v)", id, err, ds)
	}
	var st []int
	for _, d := range ds {
		st = append(st, d.Status)
	}
	return st
}

// post sends body to url as Telegram would, with secret ("" for none).
func post(t *testing.T, url, secret string, body []byte) (int, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(secretHeader, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

// updateBody is a message update as Telegram posts it.
func updateBody(id, chat int64, text string) []byte {
	return fmt.Appendf(nil, `{"update_id":%d,"message":{"message_id":%d,"date":1590000000,"from":{"id":%d,"is_bot":false,"first_name":"U"},"chat":{"id":%d,"type":"private"},"text":%q}}`,
		id, id, chat, chat, text)
}

// A press through the webhook is handled once: answered, its receipt sent,
// the delivery answered 200 once all that was done; Telegram delivering it
// again changes nothing.
func TestWebhookPressCountedOnce(t *testing.T) {
	t.Parallel()
	e := newHookEnv(t)
	ta := newTally(nil)
	claims := newMemClaims()
	b, own := e.hookBot(ta.handler("r1"), claims, "", nil)
	e.runHook(b, own)
	if w := e.srv.Webhook(); w.URL != own || w.SecretToken != "test-secret" || w.MaxConnections != 40 ||
		strings.Join(w.AllowedUpdates, ",") != "message,callback_query" {
		t.Errorf("webhook set = %+v", w)
	}
	u := e.srv.User(501, "U", "en")
	id := u.Send("/menu")
	if st := e.accepted(id); len(st) != 1 || st[0] != 200 {
		t.Errorf("deliveries of /menu: %v", st)
	}
	m := e.reply(u.ID, 0, "menu")
	qid, err := u.Press(m.ID, "a")
	if err != nil {
		t.Fatal(err)
	}
	if cb := e.answered(qid); cb.AnswerText != "recorded a" {
		t.Errorf("press answered %q", cb.AnswerText)
	}
	cbq, _ := e.srv.Callback(qid)
	pressID := cbq.UpdateID
	if st := e.accepted(pressID); len(st) != 1 || st[0] != 200 {
		t.Errorf("deliveries of the press: %v", st)
	}
	// Answered 200 only after the receipt went out.
	if _, ok := e.srv.LastBotMessage(u.ID); !ok || len(e.srv.BotMessages(u.ID)) != 2 {
		t.Errorf("press accepted before its receipt was sent: %v", e.srv.BotMessages(u.ID))
	}
	e.reply(u.ID, m.ID, "receipt a")

	// Telegram delivers it again (its answer was lost): 200, not handled.
	body := []byte(fmt.Sprintf(`{"update_id":%d,"callback_query":{"id":"again","from":{"id":501,"first_name":"U"},"message":{"message_id":%d,"date":1,"chat":{"id":501,"type":"private"}},"chat_instance":"c","data":"a"}}`, pressID, m.ID))
	if code, _ := post(t, own, "test-secret", body); code != http.StatusOK {
		t.Errorf("redelivery answered %d", code)
	}
	if counted, attempts := ta.count(pressID); counted != 1 || attempts != 1 {
		t.Errorf("press handled %d times (%d attempts), want once", counted, attempts)
	}
	if n := len(e.srv.BotMessages(u.ID)); n != 2 {
		t.Errorf("%d bot messages, want the menu and one receipt", n)
	}
	e.noUnanswered()
}

// The endpoint refuses what does not come from Telegram, or is no update.
func TestWebhookRefusals(t *testing.T) {
	t.Parallel()
	e := newHookEnv(t)
	ta := newTally(nil)
	b, own := e.hookBot(ta.handler("r1"), newMemClaims(), "", func(c *Config) { c.Webhook.MaxBody = 4096 })
	e.runHook(b, own)
	good := updateBody(900001, 77, "hello")
	for _, c := range []struct {
		name, secret string
		body         []byte
		want         int
	}{
		{"no secret", "", good, http.StatusUnauthorized},
		{"wrong secret", "test-secreT", good, http.StatusForbidden},
		{"longer secret", "test-secret-", good, http.StatusForbidden},
		{"bad JSON", "test-secret", []byte(`{"update_id":1,`), http.StatusBadRequest},
		{"not an object", "test-secret", []byte(`[1]`), http.StatusBadRequest},
		{"no update id", "test-secret", []byte(`{"message":{"text":"x"}}`), http.StatusBadRequest},
		{"too large", "test-secret", updateBody(900002, 77, strings.Repeat("x", 5000)), http.StatusRequestEntityTooLarge},
		{"group chat", "test-secret", []byte(`{"update_id":900003,"message":{"message_id":1,"date":1,"from":{"id":5},"chat":{"id":-100,"type":"group"},"text":"/vote"}}`), http.StatusOK},
		{"other kind", "test-secret", []byte(`{"update_id":900004,"edited_message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"}}}`), http.StatusOK},
	} {
		if code, _ := post(t, own, c.secret, c.body); code != c.want {
			t.Errorf("%s: %d, want %d", c.name, code, c.want)
		}
	}
	resp, err := http.Get(own)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", resp.StatusCode)
	}
	ta.mu.Lock()
	if len(ta.attempts) != 0 {
		t.Errorf("refused or ignored requests reached the handler: %v", ta.attempts)
	}
	ta.mu.Unlock()
	if len(e.logs.lines("wrong secret token refused")) != 2 {
		t.Errorf("wrong secrets not logged:\n%s", e.logs.String())
	}
	if strings.Contains(e.logs.String(), "test-secret") {
		t.Error("the log shows the secret")
	}
	// The right one goes through.
	if code, _ := post(t, own, "test-secret", good); code != http.StatusOK {
		t.Errorf("good update: %d", code)
	}
	if n, _ := ta.count(900001); n != 1 {
		t.Errorf("good update handled %d times", n)
	}
}

// While the store cannot be reached nothing is handled and the endpoint
// answers 503, so Telegram keeps the update; once it is back the update is
// handled once. A handler failing the same way (dialogs on a store error)
// gets the same treatment, and its "NOT recorded" is not sent.
func TestWebhookStoreOutage(t *testing.T) {
	t.Parallel()
	e := newHookEnv(t)
	var handlerDown atomic.Bool
	ta := newTally(func(dialogs.Input, int) error {
		if handlerDown.Load() {
			return errStoreDown
		}
		return nil
	})
	claims := newMemClaims()
	b, own := e.hookBot(ta.handler("r1"), claims, "", nil)
	e.runHook(b, own)
	u := e.srv.User(502, "U", "en")
	menuID := u.Send("/menu")
	e.accepted(menuID)
	m := e.reply(u.ID, 0, "menu")

	claims.down.Store(true)
	handlerDown.Store(true) // once the claims work again, the handling does not yet
	qid, err := u.Press(m.ID, "a")
	if err != nil {
		t.Fatal(err)
	}
	cbq, _ := e.srv.Callback(qid)
	id := cbq.UpdateID
	if _, err := e.srv.WaitWebhookAttempts(e.ctx, id, 3); err != nil {
		t.Fatal(err)
	}
	claims.down.Store(false)
	for {
		if _, attempts := ta.count(id); attempts >= 2 {
			break
		}
		if _, err := e.srv.WaitWebhookAttempts(e.ctx, id, len(e.srv.WebhookDeliveriesOf(id))+1); err != nil {
			t.Fatal(err)
		}
	}
	handlerDown.Store(false)
	st := e.accepted(id)
	if len(st) < 6 || st[len(st)-1] != 200 {
		t.Fatalf("deliveries %v, want 503s then 200", st)
	}
	for _, s := range st[:len(st)-1] {
		if s != http.StatusServiceUnavailable {
			t.Errorf("deliveries %v: a failure answered %d, want 503", st, s)
		}
	}
	e.reply(u.ID, m.ID, "receipt a")
	if counted, _ := ta.count(id); counted != 1 {
		t.Errorf("press counted %d times, want once", counted)
	}
	for _, msg := range e.srv.BotMessages(u.ID) {
		if strings.Contains(msg.Text, "NOT recorded") {
			t.Errorf("a failed attempt's wording was sent: %q", msg.Text)
		}
	}
	cb := e.answered(qid) // by the first attempt, without text
	if cb.AnswerText != "" {
		t.Errorf("press answered %q, want no text (the outcome comes with the redelivery)", cb.AnswerText)
	}
	if len(e.logs.lines("Telegram will deliver it again")) == 0 {
		t.Error("failed attempts not logged")
	}
}

// A handler that panics answers 500 and the server goes on: the redelivery
// is handled. One that always panics is given up after MaxAttempts (200),
// and the chat's next update gets through.
func TestWebhookPanic(t *testing.T) {
	t.Parallel()
	e := newHookEnv(t)
	ta := newTally(func(in dialogs.Input, attempt int) error {
		if in.Text == "boom once" && attempt == 1 || in.Text == "boom always" {
			panic("handler bug")
		}
		return nil
	})
	b, own := e.hookBot(ta.handler("r1"), newMemClaims(), "", nil)
	e.runHook(b, own)
	u := e.srv.User(503, "U", "en")
	once := u.Send("boom once")
	if st := e.accepted(once); len(st) != 2 || st[0] != 500 || st[1] != 200 {
		t.Errorf("deliveries of a panic once: %v, want [500 200]", st)
	}
	e.reply(u.ID, 0, "re: boom once")

	always := u.Send("boom always")
	next := u.Send("after")
	if st := e.accepted(always); len(st) != 4 || st[0] != 500 || st[2] != 500 || st[3] != 200 {
		t.Errorf("deliveries of a panic always: %v, want 500 three times, then 200 (given up)", st)
	}
	e.accepted(next)
	e.reply(u.ID, 0, "re: after")
	if n := len(e.logs.lines("panic in update handler", "handler bug")); n != 5 {
		t.Errorf("%d panics logged, want 5", n)
	}
	if len(e.logs.lines("update given up after its last attempt")) != 1 {
		t.Error("giving up not logged")
	}
}

// Replies that cannot be sent (Telegram failing) fail the delivery, so that
// the update comes again and its replies are sent then.
func TestWebhookRepliesNotSent(t *testing.T) {
	t.Parallel()
	e := newHookEnv(t)
	ta := newTally(nil)
	b, own := e.hookBot(ta.handler("r1"), newMemClaims(), "", nil)
	e.runHook(b, own)
	u := e.srv.User(504, "U", "en")
	e.srv.FailNext("sendMessage", maxAttempts, bottest.InternalError())
	id := u.Send("hello")
	if st := e.accepted(id); len(st) != 2 || st[0] != 503 || st[1] != 200 {
		t.Errorf("deliveries: %v, want [503 200]", st)
	}
	e.reply(u.ID, 0, "re: hello")
	if n := len(e.srv.BotMessages(u.ID)); n != 1 {
		t.Errorf("%d replies, want 1", n)
	}
	// A reply refused for good (the user blocked the bot) is no reason to
	// deliver again.
	e.srv.FailNext("sendMessage", 1, bottest.BlockedByUser())
	id = u.Send("blocked")
	if st := e.accepted(id); len(st) != 1 || st[0] != 200 {
		t.Errorf("deliveries with a 403 reply: %v, want [200]", st)
	}
}

// roundRobin is a load balancer in front of replicas: each request goes to
// the next one.
func roundRobin(t *testing.T, targets ...string) http.Handler {
	var proxies []*httputil.ReverseProxy
	for _, raw := range targets {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		u.Path = ""
		proxies = append(proxies, httputil.NewSingleHostReverseProxy(u))
	}
	var next atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxies[(next.Add(1)-1)%int64(len(proxies))].ServeHTTP(w, r)
	})
}

// Two replicas on one store behind a round-robin balancer: every update is
// counted once, though each first attempt fails and the redelivery lands on
// the other replica.
func TestWebhookTwoReplicas(t *testing.T) {
	t.Parallel()
	e := newHookEnv(t)
	ta := newTally(func(_ dialogs.Input, attempt int) error {
		if attempt == 1 {
			return errStoreDown
		}
		return nil
	})
	claims := newMemClaims()
	// The balancer's address is the public URL both bots set.
	lb := httptest.NewUnstartedServer(nil)
	public := "http://" + lb.Listener.Addr().String() + hookPath
	b1, own1 := e.hookBot(ta.handler("r1"), claims, public, nil)
	b2, own2 := e.hookBot(ta.handler("r2"), claims, public, nil)
	lb.Config.Handler = roundRobin(t, own1, own2)
	lb.Start()
	t.Cleanup(lb.Close)
	e.runHook(b1, own1)
	e.runHook(b2, own2)

	const users, each = 6, 5
	var ids []int64
	for i := range users {
		u := e.srv.User(int64(600+i), "U", "en")
		for j := range each {
			ids = append(ids, u.Send("m"+strconv.Itoa(j)))
		}
	}
	for _, id := range ids {
		e.accepted(id)
	}
	ta.mu.Lock()
	defer ta.mu.Unlock()
	for _, id := range ids {
		if ta.counted[id] != 1 {
			t.Errorf("update %d counted %d times (%d attempts)", id, ta.counted[id], ta.attempts[id])
		}
	}
	if ta.byReplica["r1"] == 0 || ta.byReplica["r2"] == 0 {
		t.Errorf("handled per replica: %v, want both", ta.byReplica)
	}
}

// Two replicas receiving the same update at once handle it once: the other
// answers 503 while it is handled, and 200 once it is done.
func TestWebhookSameUpdateAtOnce(t *testing.T) {
	t.Parallel()
	e := newHookEnv(t)
	entered, release := make(chan struct{}), make(chan struct{})
	ta := newTally(func(dialogs.Input, int) error {
		close(entered)
		<-release
		return nil
	})
	claims := newMemClaims()
	b1, own1 := e.hookBot(ta.handler("r1"), claims, "", nil)
	b2, own2 := e.hookBot(ta.handler("r2"), claims, "", nil)
	e.runHook(b1, own1)
	e.runHook(b2, own2)
	body := updateBody(700001, 70, "same")
	first := make(chan int, 1)
	go func() { code, _ := post(t, own1, "test-secret", body); first <- code }()
	<-entered
	code, hdr := post(t, own2, "test-secret", body)
	if code != http.StatusServiceUnavailable || hdr.Get("Retry-After") == "" {
		t.Errorf("the same update on the other replica while handled: %d (Retry-After %q), want 503 with Retry-After", code, hdr.Get("Retry-After"))
	}
	close(release)
	if code := <-first; code != http.StatusOK {
		t.Errorf("first delivery: %d", code)
	}
	if code, _ := post(t, own2, "test-secret", body); code != http.StatusOK {
		t.Errorf("after it was handled: %d, want 200", code)
	}
	if n, attempts := ta.count(700001); n != 1 || attempts != 1 {
		t.Errorf("handled %d times (%d attempts)", n, attempts)
	}
}

// Stopping leaves the webhook for the other replicas, unless DeleteOnExit;
// a bot started in long polling deletes it first (Telegram refuses
// getUpdates while one is set).
func TestWebhookLifecycle(t *testing.T) {
	t.Parallel()
	e := newHookEnv(t)
	ta := newTally(nil)
	b, own := e.hookBot(ta.handler("r1"), newMemClaims(), "", nil)
	r := e.runHook(b, own)
	e.stop(r)
	if e.srv.Webhook().URL == "" {
		t.Error("the webhook was deleted at exit")
	}

	b, own = e.hookBot(ta.handler("r1"), newMemClaims(), "", func(c *Config) { c.Webhook.DeleteOnExit = true })
	r = e.runHook(b, own)
	e.stop(r)
	if e.srv.Webhook().URL != "" {
		t.Error("the webhook stayed with DeleteOnExit")
	}

	b, own = e.hookBot(ta.handler("r1"), newMemClaims(), "", nil)
	e.stop(e.runHook(b, own))
	poller := e.newBot(echo, nil)
	e.run(poller)
	if e.srv.Webhook().URL != "" {
		t.Error("long polling started with the webhook set")
	}
	u := e.srv.User(505, "U", "en")
	u.Send("polled")
	e.reply(u.ID, 0, "re: polled")
}

// Bad webhook settings are refused by New.
func TestWebhookConfig(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, c := range []struct {
		name string
		w    WebhookConfig
		d    Dedupe
		want string
	}{
		{"relative", WebhookConfig{URL: "/hook", Addr: ":0"}, newMemClaims(), "absolute https URL"},
		{"ftp", WebhookConfig{URL: "ftp://h/hook", Addr: ":0"}, newMemClaims(), "absolute https URL"},
		{"query", WebhookConfig{URL: "https://h/hook?x=1", Addr: ":0"}, newMemClaims(), "no query"},
		{"secret", WebhookConfig{URL: "https://h/hook", Addr: ":0", Secret: "a b"}, newMemClaims(), "secret"},
		{"long secret", WebhookConfig{URL: "https://h/hook", Addr: ":0", Secret: strings.Repeat("a", 257)}, newMemClaims(), "secret"},
		{"no addr", WebhookConfig{URL: "https://h/hook"}, newMemClaims(), "listen address"},
		{"no claims", WebhookConfig{URL: "https://h/hook", Addr: ":0"}, newMemDedupe(), "UpdateClaims"},
	} {
		_, err := New(e.ctx, Config{Token: e.srv.Token, ServerURL: e.srv.URL, Handler: echo, Dedupe: c.d, Webhook: c.w})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error about %q", c.name, err, c.want)
		}
	}
	// No secret: one derived from the token, the same for every replica,
	// valid for Telegram, and not the token.
	s := DeriveWebhookSecret(e.srv.Token)
	if s != DeriveWebhookSecret(e.srv.Token) || !validSecret(s) || strings.Contains(s, e.srv.Token) || s == DeriveWebhookSecret("1:other") {
		t.Errorf("derived secret %q", s)
	}
}
