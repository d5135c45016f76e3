package store_test

// Tests of the update log that depend on Redis itself (its keys' expiry);
// the behaviour shared with the SQLite store is in store/storesuite.

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote/store"
)

// A done mark lasts UpdateTTL, and is one key per update with that TTL.
// (miniredis, whose clock the test moves.)
func TestUpdatesDoneExpiry(t *testing.T) {
	t.Parallel()
	mr, s := hourStore(t)
	ctx := context.Background()

	must(t, s.UpdatesDone(ctx, []int64{1, 2}))
	if ttl := mr.TTL("p:upd:1"); ttl != time.Hour {
		t.Errorf("TTL of a done mark = %v, want UpdateTTL", ttl)
	}
	if v, _ := mr.Get("p:upd:2"); v != "done|poll" {
		t.Errorf("done mark = %q", v)
	}
	mr.FastForward(59 * time.Minute)
	must(t, s.UpdatesDone(ctx, []int64{2})) // marked again: its TTL starts again
	got, err := s.SeenUpdates(ctx, []int64{1, 2})
	must(t, err)
	if !slices.Equal(got, []bool{true, true}) {
		t.Errorf("within UpdateTTL: %v", got)
	}
	mr.FastForward(time.Minute)
	got, err = s.SeenUpdates(ctx, []int64{1, 2})
	must(t, err)
	if !slices.Equal(got, []bool{false, true}) {
		t.Errorf("after UpdateTTL of the first mark: %v, want [false true]", got)
	}
}

// A journaled update's done mark is its deletion from the journal: no key of
// its own. The journal's through, which makes it count, lasts UpdateTTL (on
// this process's clock, as the journal's entries): after a week without
// updates Telegram may start its ids again lower, so an old through must
// not hide new updates.
func TestJournalDoneWritesNoKey(t *testing.T) {
	t.Parallel()
	mr, s := hourStore(t)
	ctx := context.Background()

	must(t, s.JournalUpdates(ctx, map[int64][]byte{5: []byte(`{"update_id":5}`), 6: []byte(`{"update_id":6}`)}, 6))
	must(t, s.JournalDone(ctx, []int64{5, 6}))
	if keys := mr.Keys(); !slices.Equal(keys, []string{"p:updjournal"}) {
		t.Errorf("keys after JournalDone = %v, want only the journal", keys)
	}
	got, err := s.SeenUpdates(ctx, []int64{5, 6, 7})
	must(t, err)
	if !slices.Equal(got, []bool{true, true, false}) {
		t.Errorf("seen 5, 6, 7 = %v, want [true true false]", got)
	}
	// The same through written more than UpdateTTL ago counts for nothing.
	old := time.Now().Add(-time.Hour - time.Minute).UnixMilli()
	mr.HSet("p:updjournal", "through", strconv.FormatInt(old, 10)+"|6")
	got, err = s.SeenUpdates(ctx, []int64{5, 6})
	must(t, err)
	if !slices.Equal(got, []bool{false, false}) {
		t.Errorf("seen 5, 6 with a through older than UpdateTTL = %v, want [false false]", got)
	}
	// Nor does one that cannot be read; nor is it taken for an update.
	mr.HSet("p:updjournal", "through", "garbage")
	got, err = s.SeenUpdates(ctx, []int64{5})
	must(t, err)
	if got[0] {
		t.Error("seen with an unreadable through")
	}
	j, err := s.JournaledUpdates(ctx)
	must(t, err)
	if len(j) != 0 {
		t.Errorf("journaled updates = %v, want none (through is not one)", j)
	}
}

// hourStore is a store with the prefix "p:" and an UpdateTTL of an hour on a
// miniredis of its own, whose clock the test moves.
func hourStore(t *testing.T) (*miniredis.Miniredis, *store.Store) {
	t.Helper()
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { rdb.Close() })
	return mr, store.New(rdb, store.Options{Prefix: "p:", UpdateTTL: time.Hour})
}
