package bottest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Webhook delivery (WithWebhookDelivery). While a webhook is set, the server
// posts each queued update to its URL as Telegram does: the Update JSON as
// the body, the secret_token in the X-Telegram-Bot-Api-Secret-Token header.
// An update is confirmed (never delivered again) only when the endpoint
// answers 2xx; any other status, a transport error or a timeout makes it try
// again after a backoff. A chat's updates go one after the other, in order: a
// later update of a chat waits until the earlier one was accepted (Telegram
// does the same); different chats are delivered at once, up to the
// webhook's max_connections. Every attempt is recorded (WebhookDeliveries).

// WebhookOptions tune the delivery of updates to a webhook.
type WebhookOptions struct {
	// Client posts the updates (default: a client with Timeout).
	Client *http.Client
	// Timeout bounds one delivery (default 10s); a slower answer counts as a
	// failure, as on Telegram.
	Timeout time.Duration
	// Backoff is the wait before delivering an update again after a failed
	// attempt, doubled with each failure of the update up to MaxBackoff
	// (defaults 20ms and 500ms: tests want retries soon).
	Backoff, MaxBackoff time.Duration
	// MaxAttempts gives an update up (drops it) after that many failed
	// deliveries; 0 never does.
	MaxAttempts int
}

// WithWebhookDelivery makes the server deliver updates to a webhook set with
// setWebhook. setWebhook then also accepts plain http:// URLs on loopback
// hosts (127.0.0.1, ::1, localhost), as test endpoints are; other URLs
// must be https, as on Telegram. Without this option a webhook is stored
// and makes getUpdates fail, but nothing is posted.
func WithWebhookDelivery(o WebhookOptions) Option {
	return func(c *config) {
		if o.Timeout <= 0 {
			o.Timeout = 10 * time.Second
		}
		if o.Client == nil {
			o.Client = &http.Client{Timeout: o.Timeout}
		}
		if o.Backoff <= 0 {
			o.Backoff = 20 * time.Millisecond
		}
		if o.MaxBackoff <= 0 {
			o.MaxBackoff = 500 * time.Millisecond
		}
		c.webhooks = &o
	}
}

// WebhookDelivery is one attempt at posting an update to the webhook.
type WebhookDelivery struct {
	UpdateID int64         `json:"update_id"`
	Attempt  int           `json:"attempt"` // 1 for the first delivery of the update
	URL      string        `json:"url"`
	Status   int           `json:"status"` // the HTTP status, 0 when no answer came
	Error    string        `json:"error,omitempty"`
	At       time.Time     `json:"at"`
	Duration time.Duration `json:"duration_ns"`
	GivenUp  bool          `json:"given_up,omitempty"` // the last attempt before MaxAttempts dropped it
}

// OK reports whether the endpoint accepted the update (2xx).
func (d WebhookDelivery) OK() bool { return d.Status >= 200 && d.Status < 300 }

// webhookDeliverer is the delivery machinery of a server with the option.
type webhookDeliverer struct {
	opts   WebhookOptions
	ctx    context.Context // cancelled by Close: deliveries on the wire stop
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// startWebhooks starts the delivery loop when the option is on.
func (s *Server) startWebhooks() {
	if s.cfg.webhooks == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.hooks = &webhookDeliverer{opts: *s.cfg.webhooks, ctx: ctx, cancel: cancel}
	s.hooks.wg.Go(s.webhookLoop)
}

// stopWebhooks stops the loop and waits for the deliveries on the wire.
func (s *Server) stopWebhooks() {
	if s.hooks == nil {
		return
	}
	s.hooks.cancel()
	s.hooks.wg.Wait()
}

// webhookLoop starts deliveries whenever something changed or a backoff ended.
func (s *Server) webhookLoop() {
	for {
		s.mu.Lock()
		wait := s.startDeliveriesLocked()
		ch := s.changed
		s.mu.Unlock()
		var timer *time.Timer
		var tick <-chan time.Time
		if wait > 0 {
			timer = time.NewTimer(wait)
			tick = timer.C
		}
		select {
		case <-ch:
		case <-tick:
		case <-s.closed:
		case <-s.hooks.ctx.Done():
		}
		if timer != nil {
			timer.Stop()
		}
		select {
		case <-s.closed:
			return
		case <-s.hooks.ctx.Done():
			return
		default:
		}
	}
}

// startDeliveriesLocked starts the deliveries that may go now and returns
// how long until the next backoff ends (0: none pending).
func (s *Server) startDeliveriesLocked() time.Duration {
	st := s.st
	w := st.webhook
	if w.URL == "" {
		return 0
	}
	inFlight := 0
	for _, u := range st.queue {
		if u.inFlight {
			inFlight++
		}
	}
	now := time.Now()
	var next time.Duration
	seen := map[int64]bool{} // chats with an earlier update not yet accepted
	var kept []*queuedUpdate
	for _, u := range st.queue {
		if !s.allowedLocked(u.kind) {
			u.confirmed = true
			continue
		}
		kept = append(kept, u)
		if seen[u.chat] {
			continue
		}
		seen[u.chat] = true
		if u.inFlight {
			continue
		}
		if d := u.notBefore.Sub(now); d > 0 {
			if next == 0 || d < next {
				next = d
			}
			continue
		}
		if inFlight >= max(w.MaxConnections, 1) {
			continue
		}
		inFlight++
		u.inFlight = true
		u.delivered++
		u.attempts++
		s.hooks.wg.Go(func() { s.deliverWebhook(st, w, u, u.attempts) })
	}
	if len(kept) != len(st.queue) {
		st.queue = kept
	}
	return next
}

// deliverWebhook posts one update and records the outcome.
func (s *Server) deliverWebhook(st *state, w webhookState, u *queuedUpdate, attempt int) {
	o := s.hooks.opts
	ctx, cancel := context.WithTimeout(s.hooks.ctx, o.Timeout)
	defer cancel()
	start := time.Now()
	status, errText := 0, ""
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(u.raw))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		if w.SecretToken != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", w.SecretToken)
		}
		var resp *http.Response
		if resp, err = o.Client.Do(req); err == nil {
			status = resp.StatusCode
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
		}
	}
	if err != nil {
		errText = err.Error()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d := WebhookDelivery{UpdateID: u.id, Attempt: attempt, URL: w.URL, Status: status, Error: errText,
		At: s.now(), Duration: time.Since(start)}
	u.inFlight = false
	drop := false
	switch {
	case d.OK():
		drop = true
	case o.MaxAttempts > 0 && attempt >= o.MaxAttempts:
		d.GivenUp, drop = true, true
	default:
		u.notBefore = time.Now().Add(backoff(o, attempt))
	}
	if !d.OK() && st.webhook.URL == w.URL {
		st.webhook.LastErrorDate = s.now()
		st.webhook.LastErrorMessage = "Wrong response from the webhook: " + statusText(status, errText)
	}
	if drop {
		u.confirmed = true
		if i := slices.Index(st.queue, u); i >= 0 {
			st.queue = slices.Delete(slices.Clone(st.queue), i, i+1)
		}
	}
	st.deliveries = append(st.deliveries, d)
	s.logf("webhook delivery of update %d (attempt %d): %s", u.id, attempt, statusText(status, errText))
	s.notifyLocked()
}

func backoff(o WebhookOptions, attempt int) time.Duration {
	d := o.Backoff
	for i := 1; i < attempt && d < o.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, o.MaxBackoff)
}

func statusText(status int, errText string) string {
	if status == 0 {
		return "no answer: " + errText
	}
	return fmt.Sprintf("%d %s", status, http.StatusText(status))
}

// loopbackURL reports whether raw is an http URL on a loopback host.
func loopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}

// chatKeyOf is the chat an update belongs to for ordered delivery: the chat
// of its message, else its sender; updates without either are not ordered
// (a key of their own).
func chatKeyOf(id int64, raw json.RawMessage, kind string) int64 {
	var obj map[string]json.RawMessage
	var p struct {
		Chat *struct {
			ID int64 `json:"id"`
		} `json:"chat"`
		Message *struct {
			Chat *struct {
				ID int64 `json:"id"`
			} `json:"chat"`
		} `json:"message"`
		From *struct {
			ID int64 `json:"id"`
		} `json:"from"`
	}
	if json.Unmarshal(raw, &obj) == nil && json.Unmarshal(obj[kind], &p) == nil {
		switch {
		case p.Chat != nil:
			return p.Chat.ID
		case p.Message != nil && p.Message.Chat != nil:
			return p.Message.Chat.ID
		case p.From != nil:
			return p.From.ID
		}
	}
	return -1<<62 - id // apart from every chat id
}

// WebhookDeliveries returns every attempt at delivering an update to the
// webhook, in the order they ended.
func (s *Server) WebhookDeliveries() []WebhookDelivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.deliveries)
}

// WebhookDeliveriesOf returns the attempts at delivering one update.
func (s *Server) WebhookDeliveriesOf(updateID int64) []WebhookDelivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return deliveriesOfLocked(s.st, updateID)
}

func deliveriesOfLocked(st *state, updateID int64) []WebhookDelivery {
	var out []WebhookDelivery
	for _, d := range st.deliveries {
		if d.UpdateID == updateID {
			out = append(out, d)
		}
	}
	return out
}

// WaitWebhookAccepted waits until the webhook accepted the update (2xx) and
// returns its attempts. It fails if the update was given up (MaxAttempts).
func (s *Server) WaitWebhookAccepted(ctx context.Context, updateID int64) ([]WebhookDelivery, error) {
	var out []WebhookDelivery
	err := s.waitUntil(ctx, func() bool {
		out = deliveriesOfLocked(s.st, updateID)
		return len(out) > 0 && (out[len(out)-1].OK() || out[len(out)-1].GivenUp)
	})
	if err != nil {
		return out, err
	}
	if last := out[len(out)-1]; !last.OK() {
		return out, fmt.Errorf("bottest: update %d given up after %d attempts", updateID, last.Attempt)
	}
	return out, nil
}

// WaitWebhookAttempts waits until the update has had at least n delivery
// attempts, and returns them.
func (s *Server) WaitWebhookAttempts(ctx context.Context, updateID int64, n int) ([]WebhookDelivery, error) {
	var out []WebhookDelivery
	err := s.waitUntil(ctx, func() bool {
		out = deliveriesOfLocked(s.st, updateID)
		return len(out) >= n
	})
	return out, err
}
