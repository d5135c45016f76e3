package bot

import (
	"sync"
	"testing"
	"time"

	"github.com/renovote/renovote/bot/bottest"
)

// recMetrics records the bot's metric events.
type recMetrics struct {
	mu       sync.Mutex
	updates  map[string]int
	tooMany  int
	outcomes map[string]int
}

func newRecMetrics() *recMetrics {
	return &recMetrics{updates: map[string]int{}, outcomes: map[string]int{}}
}

func (r *recMetrics) UpdateHandled(kind string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if d <= 0 {
		kind += "(no duration)"
	}
	r.updates[kind]++
}

func (r *recMetrics) TooManyRequests() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tooMany++
}

func (r *recMetrics) OutboxSettled(outcome string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outcomes[outcome]++
}

// waitFor polls until ok holds on the recorded events, or fails.
func (r *recMetrics) waitFor(t *testing.T, what string, ok func(r *recMetrics) bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		r.mu.Lock()
		done := ok(r)
		state := [3]any{r.updates, r.tooMany, r.outcomes}
		r.mu.Unlock()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics never showed %s: updates %v, 429s %v, outbox %v", what, state[0], state[1], state[2])
		}
	}
}

// A handled message, a handled press and a 429 from Telegram move the
// metrics; an update seen before is not counted again.
func TestMetricsRecorded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rec := newRecMetrics()
	e.run(e.newBot(menuHandler(echo), func(c *Config) { c.Metrics = rec }))
	u := e.srv.User(951, "M", "en")

	e.srv.FailNext("sendMessage", 1, bottest.TooManyRequests(1))
	u.Send("hello")
	e.reply(u.ID, 0, "re: hello")
	rec.waitFor(t, "one message and one 429", func(r *recMetrics) bool {
		return r.updates["message"] == 1 && r.tooMany == 1
	})

	m := e.menu(u)
	qid, err := u.Press(m.ID, "a")
	if err != nil {
		t.Fatal(err)
	}
	e.answered(qid)
	rec.waitFor(t, "two messages and one callback", func(r *recMetrics) bool {
		return r.updates["message"] == 2 && r.updates["callback"] == 1 && r.tooMany == 1 && len(r.updates) == 2
	})
}
