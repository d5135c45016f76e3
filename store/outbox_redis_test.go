package store_test

// Tests of outbox that depend on Redis itself (its scripts, keys, clients or
// server); the behaviour shared with the SQLite store is in store/storesuite.

import (
	"context"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store/storetest"
)

func TestClaimOutboxBlock(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := context.Background()
	_, err := s.ClaimOutbox(ctx, "", 1, time.Second, 0)
	wantErr(t, err, renovote.ErrInvalid)
	_, err = s.ClaimOutbox(ctx, "c", 0, time.Second, 0)
	wantErr(t, err, renovote.ErrInvalid)

	start := time.Now()
	ms, err := s.ClaimOutbox(ctx, "c", 10, time.Second, 0) // no block: at once
	must(t, err)
	if len(ms) != 0 || time.Since(start) > 500*time.Millisecond {
		t.Fatalf("no block: %v after %v", ms, time.Since(start))
	}
	start = time.Now()
	ms, err = s.ClaimOutbox(ctx, "c", 10, time.Second, 100*time.Millisecond)
	must(t, err)
	if len(ms) != 0 || time.Since(start) < 90*time.Millisecond {
		t.Fatalf("block: %v after %v", ms, time.Since(start))
	}
	// A message enqueued while waiting ends the wait.
	n := createNotice(t, s, "快到了", lm)
	go func() {
		time.Sleep(50 * time.Millisecond)
		_, _ = s.EnqueueNotice(ctx, n.ID, []int64{42})
	}()
	start = time.Now()
	ms, err = s.ClaimOutbox(ctx, "c", 10, time.Second, 5*time.Second)
	must(t, err)
	if len(ms) != 1 || ms[0].ChatID != 42 || ms[0].Attempts != 1 || time.Since(start) > 3*time.Second {
		t.Fatalf("woken: %+v after %v", ms, time.Since(start))
	}

	// The stream deleted under the consumers: the group is made again and the
	// messages queued since are delivered.
	must(t, s.DeleteOutbox(ctx))
	n2 := createNotice(t, s, "again", lm)
	_, err = s.EnqueueNotice(ctx, n2.ID, []int64{43})
	must(t, err)
	ms, err = s.ClaimOutbox(ctx, "c", 10, time.Second, 0)
	must(t, err)
	if len(ms) != 1 || ms[0].ChatID != 43 {
		t.Fatalf("after the stream was deleted: %+v", ms)
	}
}
