package sqlstore

import (
	"context"
	"slices"
	"testing"
	"time"
)

// A done mark lasts UpdateTTL on the store's clock.
func TestUpdatesDoneExpireOnTheStoresClock(t *testing.T) {
	ctx := context.Background()
	s, clk := openHourTTL(t)

	must(t, s.UpdatesDone(ctx, []int64{1, 2}))
	clk.Add(59 * time.Minute)
	must(t, s.UpdatesDone(ctx, []int64{2})) // marked again: its TTL starts again
	got, err := s.SeenUpdates(ctx, []int64{1, 2})
	must(t, err)
	if !slices.Equal(got, []bool{true, true}) {
		t.Errorf("within UpdateTTL: %v", got)
	}
	clk.Add(time.Minute)
	got, err = s.SeenUpdates(ctx, []int64{1, 2})
	must(t, err)
	if !slices.Equal(got, []bool{false, true}) {
		t.Errorf("after UpdateTTL of the first mark: %v, want [false true]", got)
	}
	if first, err := s.FirstSeen(ctx, 1); err != nil || !first {
		t.Errorf("FirstSeen of an expired mark = %v, %v", first, err)
	}
}

// openHourTTL opens a store in a directory of its own on a clock of its own
// (2026-01-01 UTC), with an UpdateTTL of one hour.
func openHourTTL(t *testing.T) (*Store, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s, err := Open(context.Background(), t.TempDir(), Options{Now: clk.Now, UpdateTTL: time.Hour})
	must(t, err)
	t.Cleanup(s.Close)
	return s, clk
}
