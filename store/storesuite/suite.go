package storesuite

import (
	"context"
	"testing"
	"time"

	"github.com/renovote/renovote/store"
)

// Store is what the suite tests: every method the Redis and the SQLite store
// share (store.Backend).
type Store = store.Backend

// Hooks are test-only entry points a store offers in its own tests (an
// export_test.go): a partial enqueue, as a process killed after the first
// batch leaves it, and the number of outbox messages claimed and not settled.
type Hooks interface {
	EnqueueFirstBatch(ctx context.Context, id string, chats []int64) error
	OutboxPending(ctx context.Context) (int64, error)
}

// Backend makes the stores a test binary runs the suite on.
type Backend struct {
	// Name is "redis", "miniredis" or "sqlite".
	Name string
	// New returns a fresh, empty store for the test, closed with t.Cleanup.
	New func(t testing.TB) Store
	// NewTTL returns a fresh store and a func that lets d pass for its
	// expiries and leases (op ids, sessions, job claims).
	NewTTL func(t testing.TB) (Store, func(d time.Duration))
}

var backend Backend

// Use sets the backend of every test of the suite in this test binary; the
// test files of each store call it in an init func.
func Use(b Backend) { backend = b }

// BackendName is the backend the suite runs on.
func BackendName() string { return backend.Name }

func newStore(t testing.TB) Store {
	t.Helper()
	if backend.New == nil {
		t.Fatal("storesuite: no backend (storesuite.Use)")
	}
	return backend.New(t)
}

func newTTL(t testing.TB) (Store, func(d time.Duration)) {
	t.Helper()
	if backend.NewTTL == nil {
		t.Fatal("storesuite: no backend (storesuite.Use)")
	}
	return backend.NewTTL(t)
}

// hooks returns the store's test hooks; the test is skipped when it has none.
func hooks(t testing.TB, s Store) Hooks {
	t.Helper()
	h, ok := s.(Hooks)
	if !ok {
		t.Skipf("%s offers no test hooks", backend.Name)
	}
	return h
}

// counterBatch is a number of compounds beyond the Redis store's pipeline
// batch (store.CounterBatch), so that the batch reads are tested on it.
const counterBatch = 500
