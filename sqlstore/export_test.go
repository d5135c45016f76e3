package sqlstore

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/renovote/renovote/store/storesuite"
)

// Hooks for the conformance suite (storesuite.Hooks).

// EnqueueFirstBatch queues chats as one batch that is not the last, as an
// enqueue cut short after its first batch would have.
func (s *Store) EnqueueFirstBatch(ctx context.Context, id string, chats []int64) error {
	n, err := s.Notice(ctx, id)
	if err != nil {
		return err
	}
	return s.enqueueBatch(ctx, n, chats, false)
}

// OutboxPending is the number of outbox messages claimed and not settled.
func (s *Store) OutboxPending(ctx context.Context) (int64, error) {
	var n int64
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE claimed_ms IS NOT NULL`).Scan(&n)
	return n, err
}

// newSuiteStore is a store in a fresh data directory of the test.
func newSuiteStore(t testing.TB) storesuite.Store {
	t.Helper()
	s, err := Open(context.Background(), t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// newSuiteTTL is a store whose clock (expiries, leases) runs ahead of the
// wall clock by what the test lets pass.
func newSuiteTTL(t testing.TB) (storesuite.Store, func(time.Duration)) {
	t.Helper()
	var mu sync.Mutex
	var ahead time.Duration
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return time.Now().Add(ahead)
	}
	s, err := Open(context.Background(), t.TempDir(), Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, func(d time.Duration) {
		mu.Lock()
		ahead += d
		mu.Unlock()
	}
}
