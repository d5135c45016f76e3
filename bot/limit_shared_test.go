package bot

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"
)

// fakeShared is a SharedLimit that records its calls and answers from a
// script of waits (then 0), or fails.
type fakeShared struct {
	mu     sync.Mutex
	takes  []sharedTake
	waits  []time.Duration
	err    error
	paused []time.Duration
}

type sharedTake struct {
	perSec   float64
	burst    int
	reserve  int
	chat     int64
	waitChat bool
	hold     time.Duration
}

func (f *fakeShared) TakeSend(_ context.Context, perSec float64, burst, reserve int, chat int64, waitChat bool, hold time.Duration) (time.Duration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.takes = append(f.takes, sharedTake{perSec, burst, reserve, chat, waitChat, hold})
	if f.err != nil {
		return 0, f.err
	}
	if len(f.waits) > 0 {
		w := f.waits[0]
		f.waits = f.waits[1:]
		return w, nil
	}
	return 0, nil
}

func (f *fakeShared) PauseSends(_ context.Context, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.paused = append(f.paused, d)
	return f.err
}

func sharedBot(f *fakeShared, log io.Writer) *Bot {
	cfg := Config{Rate: 40, Metrics: noMetrics{}, Replicas: ReplicaConfig{Limit: f, Count: 2}}
	cfg.Replicas.prepare()
	// The replica's own bucket, for when the shared one is out of reach: a
	// burst of 2, then a token every 100s.
	return &Bot{cfg: cfg, log: slog.New(slog.NewTextHandler(log, nil)), global: newBucket(0.01, 2), sharedWarn: every(time.Minute)}
}

// A call takes its token from the shared limit: bulk leaves a token for
// replies and keeps the chat's pace, an edit only holds the chat, a call to
// no chat neither; a wait it is told is waited, and asked again.
func TestSharedLimitTakes(t *testing.T) {
	t.Parallel()
	f := &fakeShared{waits: []time.Duration{20 * time.Millisecond}}
	b := sharedBot(f, io.Discard)
	ctx := context.Background()
	if err := b.take(ctx, true, sendTo{chat: 7, wait: true}); err != nil {
		t.Fatal(err)
	}
	if err := b.take(ctx, false, sendTo{chat: 7}); err != nil {
		t.Fatal(err)
	}
	if err := b.take(ctx, false, sendTo{}); err != nil {
		t.Fatal(err)
	}
	want := []sharedTake{
		{40, 2, 1, 7, true, time.Second}, // told to wait
		{40, 2, 1, 7, true, time.Second}, // asked again
		{40, 2, 0, 7, false, time.Second},
		{40, 2, 0, 0, false, 0},
	}
	if len(f.takes) != len(want) {
		t.Fatalf("takes %+v, want %+v", f.takes, want)
	}
	for i := range want {
		if f.takes[i] != want[i] {
			t.Errorf("take %d = %+v, want %+v", i, f.takes[i], want[i])
		}
	}
	// A 429 pauses the other replicas too.
	err := b.do("sendMessage", func() error { return &tg.TooManyRequestsError{Message: "Too Many Requests", RetryAfter: 3} })
	if err == nil || len(f.paused) != 1 || f.paused[0] != 3*time.Second {
		t.Errorf("429: err %v, shared pauses %v, want [3s]", err, f.paused)
	}
	if _, on := b.pause.paused(); !on {
		t.Error("429: this replica is not paused")
	}
}

// When the shared limit cannot be reached, a replica keeps its share
// (Rate/Count) by itself, and says so once.
func TestSharedLimitFallback(t *testing.T) {
	t.Parallel()
	f := &fakeShared{err: errors.New("connection refused")}
	var log logBuffer
	b := sharedBot(f, &log)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	// The replica's bucket holds its burst (2): two go at once, the third
	// waits for a token long after ctx ends.
	for i := range 2 {
		if err := b.take(ctx, false, sendTo{}); err != nil {
			t.Fatalf("take %d: %v", i, err)
		}
	}
	if err := b.take(ctx, false, sendTo{}); err == nil {
		t.Error("a third call went through the replica's bucket with a burst of 2")
	}
	if got := log.lines("shared rate limit not reachable"); len(got) != 1 {
		t.Errorf("logged %d times, want once:\n%s", len(got), log.String())
	}
}

// The poller hands over the updates of private chats, messages and button
// presses, and moves the offset past all it got.
func TestHandable(t *testing.T) {
	t.Parallel()
	b := &Bot{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	raw := []json.RawMessage{
		json.RawMessage(`{"update_id":10,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":false,"first_name":"a"},"text":"/vote"}}`),
		json.RawMessage(`{"update_id":11,"message":{"message_id":2,"date":1,"chat":{"id":-9,"type":"group"},"from":{"id":5,"is_bot":false,"first_name":"a"},"text":"hi"}}`),
		json.RawMessage(`{"update_id":12,"my_chat_member":{"chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":false,"first_name":"a"},"date":1}}`),
		json.RawMessage(`{"update_id":13,"callback_query":{"id":"q","from":{"id":6,"is_bot":false,"first_name":"b"},"chat_instance":"c","data":"v:a:x","message":{"message_id":3,"date":1,"chat":{"id":6,"type":"private"}}}}`),
		json.RawMessage(`{"not":"an update"}`),
	}
	next, ups := b.handable(raw, 10)
	if next != 14 {
		t.Errorf("next offset %d, want 14", next)
	}
	if len(ups) != 2 || ups[0].ID != 10 || ups[0].Chat != 5 || ups[1].ID != 13 || ups[1].Chat != 6 || string(ups[1].Body) != string(raw[3]) {
		t.Errorf("handed over %+v", ups)
	}
}
