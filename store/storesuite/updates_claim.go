package storesuite

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/renovote/renovote"
)

func claim(t *testing.T, s Store, id int64, token string) renovote.UpdateClaim {
	t.Helper()
	c, err := s.ClaimUpdate(context.Background(), id, token, time.Minute)
	must(t, err)
	return c
}

// The life of a webhook update: claimed, busy for others, released after a
// failure (counted), claimed again, done for good.
func TestClaimUpdate(t *testing.T) {
	t.Parallel()
	s := newStore(t)
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
	s := newStore(t)
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
