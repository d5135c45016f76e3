package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote/metrics"
)

type pingFunc func(ctx context.Context) error

func (f pingFunc) Ping(ctx context.Context) error { return f(ctx) }

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func TestHealthz(t *testing.T) {
	m := metrics.New(nil)
	if code, body := get(t, m.Handler(pingFunc(func(context.Context) error { return nil })), "/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("working store: %d %q, want 200 ok", code, body)
	}
	failing := pingFunc(func(context.Context) error { return errors.New("ping redis: connection refused") })
	if code, body := get(t, m.Handler(failing), "/healthz"); code != 503 || !strings.Contains(body, "connection refused") {
		t.Errorf("failing store: %d %q, want 503 with the reason", code, body)
	}
	// A store that hangs is reported after the timeout.
	hanging := pingFunc(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
	start := time.Now()
	code, body := get(t, m.Handler(hanging), "/healthz")
	if code != 503 || !strings.Contains(body, "no answer") || time.Since(start) > 5*time.Second {
		t.Errorf("hanging store: %d %q after %s", code, body, time.Since(start))
	}
}

func TestMetricsExposed(t *testing.T) {
	m := metrics.New(func(context.Context) (int64, error) { return 7, nil })
	m.UpdateHandled("message", 30*time.Millisecond)
	m.UpdateHandled("callback", 2*time.Millisecond)
	m.UpdateHandled("callback", 2*time.Millisecond)
	m.TooManyRequests()
	m.OutboxSettled("delivered")
	m.OutboxSettled("unreachable")
	m.VoteCast("telegram")
	m.VoteCast("paper")
	code, body := get(t, m.Handler(pingFunc(func(context.Context) error { return nil })), "/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	for _, want := range []string{
		`renovote_updates_total{kind="message"} 1`,
		`renovote_updates_total{kind="callback"} 2`,
		`renovote_handle_seconds_count 3`,
		`renovote_telegram_429_total 1`,
		`renovote_outbox_sent_total{outcome="delivered"} 1`,
		`renovote_outbox_sent_total{outcome="unreachable"} 1`,
		`renovote_outbox_sent_total{outcome="failed"} 0`,
		`renovote_votes_total{channel="telegram"} 1`,
		`renovote_votes_total{channel="paper"} 1`,
		`renovote_outbox_pending 7`,
		`go_goroutines`,
		`process_start_time_seconds`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", body)
	}
}
