package store_test

// Tests of the update log that depend on Redis itself (its keys' expiry);
// the behaviour shared with the SQLite store is in store/storesuite.

import (
	"context"
	"slices"
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
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { rdb.Close() })
	s := store.New(rdb, store.Options{Prefix: "p:", UpdateTTL: time.Hour})
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
