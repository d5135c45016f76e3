package store_test

// Tests of updates claim that depend on Redis itself (its scripts, keys, clients or
// server); the behaviour shared with the SQLite store is in store/storesuite.

import (
	"context"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

// A process that dies holding a claim blocks the update until the lease
// expires; the failure count and the done mark last UpdateTTL. (miniredis,
// whose clock the test moves.)
func TestClaimUpdateExpiry(t *testing.T) {
	t.Parallel()
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { rdb.Close() })
	s := store.New(rdb, store.Options{UpdateTTL: time.Hour})
	ctx := context.Background()

	if _, err := s.ClaimUpdate(ctx, 1, "dead", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	mr.FastForward(29 * time.Second)
	if c := claim(t, s, 1, "b"); c.Status != renovote.UpdateBusy || c.Wait != time.Second {
		t.Errorf("before the lease ends = %+v, want busy for 1s", c)
	}
	mr.FastForward(time.Second)
	if c := claim(t, s, 1, "b"); c.Status != renovote.UpdateClaimed {
		t.Errorf("after the lease = %+v, want claimed", c)
	}
	must(t, s.ReleaseUpdate(ctx, 1, "b"))
	mr.FastForward(59 * time.Minute)
	if c := claim(t, s, 1, "c"); c.Attempt != 2 {
		t.Errorf("within UpdateTTL of a failure = %+v, want attempt 2", c)
	}
	must(t, s.FinishUpdate(ctx, 1, "c"))
	mr.FastForward(59 * time.Minute)
	if c := claim(t, s, 1, "d"); c.Status != renovote.UpdateDone {
		t.Errorf("within UpdateTTL of done = %+v", c)
	}
	mr.FastForward(time.Minute)
	if c := claim(t, s, 1, "d"); c.Status != renovote.UpdateClaimed || c.Attempt != 1 {
		t.Errorf("after UpdateTTL = %+v, want forgotten", c)
	}
}
