package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

func claim(t *testing.T, s *store.Store, id int64, token string) renovote.UpdateClaim {
	t.Helper()
	c, err := s.ClaimUpdate(context.Background(), id, token, time.Minute)
	must(t, err)
	return c
}

// The life of a webhook update: claimed, busy for others, released after a
// failure (counted), claimed again, done for good.
func TestClaimUpdate(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := context.Background()

	if c := claim(t, s, 7, "a"); c.Status != renovote.UpdateClaimed || c.Attempt != 1 {
		t.Fatalf("first claim = %+v", c)
	}
	if c := claim(t, s, 7, "a"); c.Status != renovote.UpdateClaimed || c.Attempt != 1 {
		t.Errorf("the same claim again (a retried call) = %+v, want it claimed", c)
	}
	c := claim(t, s, 7, "b")
	if c.Status != renovote.UpdateBusy || c.Wait <= 0 || c.Wait > time.Minute {
		t.Errorf("claim while held = %+v, want busy with the lease left", c)
	}
	if c := claim(t, s, 8, "b"); c.Status != renovote.UpdateClaimed {
		t.Errorf("another update = %+v", c)
	}

	must(t, s.ReleaseUpdate(ctx, 7, "b")) // not b's: nothing happens
	if c := claim(t, s, 7, "c"); c.Status != renovote.UpdateBusy {
		t.Errorf("after a stranger's release = %+v, want still busy", c)
	}
	must(t, s.ReleaseUpdate(ctx, 7, "a"))
	if c := claim(t, s, 7, "c"); c.Status != renovote.UpdateClaimed || c.Attempt != 2 {
		t.Errorf("after the holder's release = %+v, want claimed, attempt 2", c)
	}
	must(t, s.ReleaseUpdate(ctx, 7, "c"))
	if c := claim(t, s, 7, "d"); c.Attempt != 3 {
		t.Errorf("third attempt = %+v", c)
	}
	must(t, s.FinishUpdate(ctx, 7, "d"))
	for _, tok := range []string{"d", "e"} {
		if c := claim(t, s, 7, tok); c.Status != renovote.UpdateDone {
			t.Errorf("claim by %s after done = %+v", tok, c)
		}
	}
	must(t, s.ReleaseUpdate(ctx, 7, "d")) // too late: stays done
	if c := claim(t, s, 7, "f"); c.Status != renovote.UpdateDone {
		t.Errorf("release after done undid it: %+v", c)
	}

	// An update taken by a long poller (FirstSeen) counts as done.
	first, err := s.FirstSeen(ctx, 9)
	must(t, err)
	if c := claim(t, s, 9, "a"); !first || c.Status != renovote.UpdateDone {
		t.Errorf("after FirstSeen = %+v", c)
	}
	// And one claimed through the webhook is not new to a poller.
	if first, err := s.FirstSeen(ctx, 8); err != nil || first {
		t.Errorf("FirstSeen of a claimed update = %v, %v", first, err)
	}

	for _, tok := range []string{"", "a|b", "{x}"} {
		_, err := s.ClaimUpdate(ctx, 10, tok, time.Minute)
		wantErr(t, err, renovote.ErrInvalid)
		wantErr(t, s.FinishUpdate(ctx, 10, tok), renovote.ErrInvalid)
		wantErr(t, s.ReleaseUpdate(ctx, 10, tok), renovote.ErrInvalid)
	}
	_, err = s.ClaimUpdate(ctx, 10, "a", 0)
	wantErr(t, err, renovote.ErrInvalid)
}

// Many processes receiving the same update at once: exactly one claims it.
func TestClaimUpdateConcurrent(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	const n = 32
	var wg sync.WaitGroup
	results := make([]renovote.UpdateClaim, n)
	for i := range n {
		wg.Go(func() {
			c, err := s.ClaimUpdate(context.Background(), 42, fmt.Sprintf("tok%d", i), time.Minute)
			if err != nil {
				t.Error(err)
			}
			results[i] = c
		})
	}
	wg.Wait()
	claimed := 0
	for _, c := range results {
		switch c.Status {
		case renovote.UpdateClaimed:
			claimed++
		case renovote.UpdateBusy:
		default:
			t.Errorf("claim = %+v", c)
		}
	}
	if claimed != 1 {
		t.Fatalf("%d processes claimed the update, want 1", claimed)
	}
}

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
