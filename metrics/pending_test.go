package metrics_test

import (
	"context"
	"strings"
	"testing"

	"github.com/renovote/renovote/metrics"
)

func TestVotesPendingExposed(t *testing.T) {
	m := metrics.New(nil)
	m.VotePending("telegram")
	m.VotePending("telegram")
	m.VotePending("")
	code, body := get(t, m.Handler(pingFunc(func(context.Context) error { return nil })), "/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	for _, want := range []string{
		`renovote_votes_pending_total{channel="telegram"} 2`,
		`renovote_votes_pending_total{channel="unknown"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
}
