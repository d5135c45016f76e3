package storesuite

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/renovote/renovote"
)

func seen(t *testing.T, s Store, ids ...int64) []bool {
	t.Helper()
	got, err := s.SeenUpdates(context.Background(), ids)
	must(t, err)
	if len(got) != len(ids) {
		t.Fatalf("SeenUpdates(%v) = %v: one answer per id wanted", ids, got)
	}
	return got
}

// The update log of a lone poller: ids marked done are seen, others not,
// in the order asked; marking again changes nothing; an empty list is no
// call at all.
func TestUpdateLog(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()

	if got, err := s.SeenUpdates(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("SeenUpdates of none = %v, %v", got, err)
	}
	must(t, s.UpdatesDone(ctx, nil))
	must(t, s.UpdatesDone(ctx, []int64{}))

	if got := seen(t, s, 1, 2, 3); slices.Contains(got, true) {
		t.Fatalf("before any mark: %v", got)
	}
	must(t, s.UpdatesDone(ctx, []int64{1, 3}))
	if got, want := seen(t, s, 1, 2, 3), []bool{true, false, true}; !slices.Equal(got, want) {
		t.Errorf("after marking 1 and 3: %v, want %v", got, want)
	}
	must(t, s.UpdatesDone(ctx, []int64{3, 1, 3})) // again, and twice in one call
	if got, want := seen(t, s, 3, 2, 3, 1), []bool{true, false, true, true}; !slices.Equal(got, want) {
		t.Errorf("after marking again: %v, want %v", got, want)
	}

	// More ids than one round of the stores' batches.
	var many []int64
	for id := int64(1000); id < 1700; id++ {
		many = append(many, id)
	}
	var even []int64
	for _, id := range many {
		if id%2 == 0 {
			even = append(even, id)
		}
	}
	must(t, s.UpdatesDone(ctx, even))
	for i, v := range seen(t, s, many...) {
		if v != (many[i]%2 == 0) {
			t.Fatalf("update %d seen = %v after marking the even ones", many[i], v)
		}
	}
}

// The update log shares its marks with FirstSeen and the webhook's claims:
// an update done by a lone poller is done for a claim and not first any
// more; one taken by FirstSeen, claimed, or released after a failure counts
// as seen; a done mark over a claim makes it done.
func TestUpdateLogSharesMarks(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()

	must(t, s.UpdatesDone(ctx, []int64{1}))
	if c := claim(t, s, 1, "a"); c.Status != renovote.UpdateDone {
		t.Errorf("claim after UpdatesDone = %+v, want done", c)
	}
	if first, err := s.FirstSeen(ctx, 1); err != nil || first {
		t.Errorf("FirstSeen after UpdatesDone = %v, %v", first, err)
	}

	first, err := s.FirstSeen(ctx, 2)
	must(t, err)
	if !first {
		t.Fatal("FirstSeen of a new update is not first")
	}
	claim(t, s, 3, "a") // held
	claim(t, s, 4, "a")
	must(t, s.ReleaseUpdate(ctx, 4, "a")) // failed once
	claim(t, s, 5, "a")
	must(t, s.FinishUpdate(ctx, 5, "a"))
	if got, want := seen(t, s, 2, 3, 4, 5, 6), []bool{true, true, true, true, false}; !slices.Equal(got, want) {
		t.Errorf("seen after FirstSeen, claim, release, finish = %v, want %v", got, want)
	}

	must(t, s.UpdatesDone(ctx, []int64{3}))
	if c, err := s.ClaimUpdate(ctx, 3, "b", time.Minute); err != nil || c.Status != renovote.UpdateDone {
		t.Errorf("claim of a held update marked done = %+v, %v", c, err)
	}
}
