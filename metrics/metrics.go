package metrics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Pinger is the store as /healthz sees it (store.Store is one).
type Pinger interface {
	Ping(ctx context.Context) error
}

// PingTimeout is how long /healthz waits for the store.
const PingTimeout = time.Second

// pendingTimeout bounds the read of the outbox gauge at a scrape.
const pendingTimeout = time.Second

// Metrics holds the registry and the bot's metrics. Its methods are safe for
// concurrent use.
type Metrics struct {
	reg      *prometheus.Registry
	updates  *prometheus.CounterVec
	handle   prometheus.Histogram
	votes    *prometheus.CounterVec
	pending  *prometheus.CounterVec
	tooMany  prometheus.Counter
	outbox   *prometheus.CounterVec
	outcomes map[string]bool
}

// New makes the metrics in a registry of their own. pending, when not nil,
// is read at each scrape for renovote_outbox_pending (NaN when it fails).
func New(pending func(ctx context.Context) (int64, error)) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "renovote_updates_total", Help: "Telegram updates handled, by kind (message or callback).",
		}, []string{"kind"}),
		handle: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "renovote_handle_seconds", Help: "Time to handle one update, replies included.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
		votes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "renovote_votes_total", Help: "Votes cast, by channel (replayed commands not counted).",
		}, []string{"channel"}),
		pending: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "renovote_votes_pending_total", Help: "Votes answered as pending confirmation: fewer replicas than configured acknowledged them in time (replays included).",
		}, []string{"channel"}),
		tooMany: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "renovote_telegram_429_total", Help: "Bot API calls answered 429 Too Many Requests.",
		}),
		outbox: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "renovote_outbox_sent_total", Help: "Outbox messages settled, by outcome.",
		}, []string{"outcome"}),
		outcomes: map[string]bool{"delivered": true, "unreachable": true, "failed": true},
	}
	m.reg.MustRegister(m.updates, m.handle, m.votes, m.pending, m.tooMany, m.outbox,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// The known label values show from the start, at 0.
	for _, k := range []string{"message", "callback"} {
		m.updates.WithLabelValues(k)
	}
	for o := range m.outcomes {
		m.outbox.WithLabelValues(o)
	}
	if pending != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "renovote_outbox_pending", Help: "Outbox messages still to be sent (read from the store at each scrape; NaN when it fails).",
		}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), pendingTimeout)
			defer cancel()
			n, err := pending(ctx)
			if err != nil {
				return math.NaN()
			}
			return float64(n)
		}))
	}
	return m
}

// Registry is the registry the metrics are in.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// UpdateHandled records one update handled: kind is "message" or "callback".
func (m *Metrics) UpdateHandled(kind string, d time.Duration) {
	if kind != "callback" {
		kind = "message"
	}
	m.updates.WithLabelValues(kind).Inc()
	m.handle.Observe(d.Seconds())
}

// TooManyRequests records a 429 from the Bot API.
func (m *Metrics) TooManyRequests() { m.tooMany.Inc() }

// OutboxSettled records an outbox message's outcome: delivered, unreachable
// or failed (anything else counts as failed).
func (m *Metrics) OutboxSettled(outcome string) {
	if !m.outcomes[outcome] {
		outcome = "failed"
	}
	m.outbox.WithLabelValues(outcome).Inc()
}

// VoteCast records a vote cast through channel (telegram, paper, proxy).
func (m *Metrics) VoteCast(channel string) {
	if channel == "" {
		channel = "unknown"
	}
	m.votes.WithLabelValues(channel).Inc()
}

// VotePending records a vote answered as pending confirmation (the store's
// confirmed mode: fewer replicas than configured acknowledged it in time).
func (m *Metrics) VotePending(channel string) {
	if channel == "" {
		channel = "unknown"
	}
	m.pending.WithLabelValues(channel).Inc()
}

// Handler serves /healthz (200 "ok" when p answers a ping within PingTimeout,
// else 503 with the reason) and /metrics.
func (m *Metrics) Handler(p Pinger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := ping(r.Context(), p); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, err)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg}))
	return mux
}

// ping asks p, within PingTimeout, and says why it failed.
func ping(ctx context.Context, p Pinger) error {
	ctx, cancel := context.WithTimeout(ctx, PingTimeout)
	defer cancel()
	err := p.Ping(ctx)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil:
		return fmt.Errorf("store: no answer to ping within %s", PingTimeout)
	default:
		return fmt.Errorf("store: %v", err)
	}
}
