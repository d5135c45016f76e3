package bottest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/renovote/renovote/bot/bottest"
)

// hookRequest is one request the test endpoint received.
type hookRequest struct {
	secret string
	update struct {
		ID      int64 `json:"update_id"`
		Message struct {
			Text string `json:"text"`
			Chat struct {
				ID int64 `json:"id"`
			} `json:"chat"`
		} `json:"message"`
	}
}

// endpoint is a webhook endpoint whose answers the test decides.
type endpoint struct {
	*httptest.Server
	mu       sync.Mutex
	got      []hookRequest
	accepted map[string]bool // texts answered 2xx
	answer   func(r hookRequest, accepted map[string]bool) int
}

func newEndpoint(t *testing.T, answer func(r hookRequest, accepted map[string]bool) int) *endpoint {
	e := &endpoint{accepted: map[string]bool{}, answer: answer}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var hr hookRequest
		hr.secret = r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &hr.update); err != nil || r.Method != http.MethodPost ||
			r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("webhook request %s %q (%s): %v", r.Method, body, r.Header.Get("Content-Type"), err)
		}
		e.mu.Lock()
		e.got = append(e.got, hr)
		status := e.answer(hr, e.accepted)
		if status/100 == 2 {
			e.accepted[hr.update.Message.Text] = true
		}
		e.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(e.Close)
	return e
}

func setHook(t *testing.T, srv *bottest.Server, url string) {
	t.Helper()
	if r := call(t, srv, "setWebhook", map[string]any{"url": url, "secret_token": "s3cret", "max_connections": 4}); !r.OK {
		t.Fatalf("setWebhook: %s", r.raw)
	}
}

// Updates go to the webhook with the secret; an update is delivered again
// until it is answered 2xx; a chat's updates wait for the earlier ones, other
// chats do not; every attempt is recorded.
func TestWebhookDelivery(t *testing.T) {
	srv := bottest.NewServer(t, bottest.WithWebhookDelivery(bottest.WebhookOptions{}), bottest.WithControlAPI())
	ctx := testCtx(t)
	refused := false
	ep := newEndpoint(t, func(r hookRequest, accepted map[string]bool) int {
		switch r.update.Message.Text {
		case "a1":
			// Refused the first time, and until b1, of another chat, got
			// through: a1's failures do not hold b1 up (else this never
			// ends).
			if !accepted["b1"] || !refused {
				refused = true
				return http.StatusServiceUnavailable
			}
		case "a2":
			if !accepted["a1"] {
				t.Errorf("a2 delivered before a1 was accepted")
			}
		}
		return http.StatusOK
	})
	setHook(t, srv, ep.URL+"/hook")
	alice, bob := srv.User(1, "A", "en"), srv.User(2, "B", "en")
	a1 := alice.Send("a1")
	a2 := alice.Send("a2")
	b1 := bob.Send("b1")
	for _, id := range []int64{a1, a2, b1} {
		if _, err := srv.WaitWebhookAccepted(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	ds := srv.WebhookDeliveriesOf(a1)
	if len(ds) < 2 || ds[0].Status != 503 || !ds[len(ds)-1].OK() || ds[len(ds)-1].Attempt != len(ds) {
		t.Errorf("a1 deliveries = %+v, want 503 first and 200 last", ds)
	}
	if n := srv.Delivered(a1); n != len(ds) || !srv.Confirmed(a1) {
		t.Errorf("a1 delivered %d times (confirmed %v), %d attempts recorded", n, srv.Confirmed(a1), len(ds))
	}
	if ds := srv.WebhookDeliveriesOf(b1); len(ds) != 1 || ds[0].Status != 200 || !strings.HasSuffix(ds[0].URL, "/hook") {
		t.Errorf("b1 deliveries = %+v", ds)
	}
	ep.mu.Lock()
	for _, r := range ep.got {
		if r.secret != "s3cret" {
			t.Errorf("update %d posted with secret %q", r.update.ID, r.secret)
		}
	}
	ep.mu.Unlock()
	if srv.PendingUpdates() != 0 {
		t.Errorf("%d updates pending after all were accepted", srv.PendingUpdates())
	}

	info := call(t, srv, "getWebhookInfo", nil)
	var wi struct {
		URL     string `json:"url"`
		Pending int    `json:"pending_update_count"`
		ErrDate int64  `json:"last_error_date"`
		ErrMsg  string `json:"last_error_message"`
	}
	if err := json.Unmarshal(info.Result, &wi); err != nil || wi.Pending != 0 || wi.ErrDate == 0 ||
		wi.ErrMsg != "Wrong response from the webhook: 503 Service Unavailable" {
		t.Errorf("getWebhookInfo = %s", info.raw)
	}
	if r := call(t, srv, "getUpdates", nil); r.status != http.StatusConflict {
		t.Errorf("getUpdates while the webhook is set: %s", r.raw)
	}

	// The control API shows the same log.
	resp, err := http.Get(srv.URL + "/_bottest/webhook/deliveries?update_id=" + jsonNum(a1))
	if err != nil {
		t.Fatal(err)
	}
	var viaControl []bottest.WebhookDelivery
	err = json.NewDecoder(resp.Body).Decode(&viaControl)
	resp.Body.Close()
	if err != nil || len(viaControl) != len(ds) || viaControl[0].Status != 503 {
		t.Errorf("control deliveries = %+v, %v; want %d", viaControl, err, len(ds))
	}

	// Once deleted, updates wait for getUpdates again.
	if r := call(t, srv, "deleteWebhook", nil); !r.OK {
		t.Fatal(r.raw)
	}
	later := alice.Send("after")
	r := call(t, srv, "getUpdates", nil)
	if !r.OK || !strings.Contains(string(r.Result), `"text":"after"`) {
		t.Errorf("getUpdates after deleteWebhook: %s", r.raw)
	}
	if ds := srv.WebhookDeliveriesOf(later); len(ds) != 0 {
		t.Errorf("update posted after deleteWebhook: %+v", ds)
	}
}

func jsonNum(n int64) string { b, _ := json.Marshal(n); return string(b) }

// A slow endpoint is cut at the timeout and tried again; an update refused
// MaxAttempts times is given up, as Telegram does in the end.
func TestWebhookTimeoutAndGiveUp(t *testing.T) {
	ctx := testCtx(t)
	release := make(chan struct{})
	var mu sync.Mutex
	calls := 0
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		if first {
			select { // never answers in time
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })
	srv := bottest.NewServer(t, bottest.WithWebhookDelivery(bottest.WebhookOptions{Timeout: 200 * time.Millisecond}))
	setHook(t, srv, slow.URL)
	id := srv.User(1, "A", "en").Send("x")
	ds, err := srv.WaitWebhookAccepted(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || ds[0].Status != 0 || ds[0].Error == "" || ds[1].Status != 200 {
		t.Errorf("deliveries = %+v, want a timeout then 200", ds)
	}

	srv2 := bottest.NewServer(t, bottest.WithWebhookDelivery(bottest.WebhookOptions{MaxAttempts: 3}))
	failing := newEndpoint(t, func(hookRequest, map[string]bool) int { return http.StatusInternalServerError })
	setHook(t, srv2, failing.URL)
	id = srv2.User(1, "A", "en").Send("y")
	next := srv2.User(1, "A", "en").Send("z") // waits behind y, then goes
	ds, err = srv2.WaitWebhookAccepted(ctx, id)
	if err == nil || len(ds) != 3 || !ds[2].GivenUp || !srv2.Confirmed(id) {
		t.Errorf("given up: %+v, %v (confirmed %v)", ds, err, srv2.Confirmed(id))
	}
	if ds, _ := srv2.WaitWebhookAttempts(ctx, next, 1); len(ds) == 0 {
		t.Errorf("the next update of the chat never went")
	}
}

// Telegram wants https; the fake lets plain http through to loopback only.
func TestWebhookURLs(t *testing.T) {
	with := bottest.NewServer(t, bottest.WithWebhookDelivery(bottest.WebhookOptions{}))
	without := bottest.NewServer(t)
	for _, c := range []struct {
		srv  *bottest.Server
		url  string
		want bool
	}{
		{with, "http://127.0.0.1:1/hook", true},
		{with, "http://localhost:1/hook", true},
		{with, "http://[::1]:1/hook", true},
		{with, "http://example.com/hook", false},
		{with, "https://example.com/hook", true},
		{without, "http://127.0.0.1:1/hook", false},
	} {
		if r := call(t, c.srv, "setWebhook", map[string]any{"url": c.url}); r.OK != c.want {
			t.Errorf("setWebhook %s (delivery %v): %s", c.url, c.srv == with, r.raw)
		}
		call(t, c.srv, "deleteWebhook", nil)
	}
}
