package sqlstore

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// A journaled update is dropped UpdateTTL after it was journaled, on the
// store's clock; journaling it again starts its time again. The suite cannot
// test this: it cannot move the Redis store's clock by a day.
func TestJournaledUpdatesExpireOnTheStoresClock(t *testing.T) {
	ctx := context.Background()
	s, clk := openHourTTL(t)

	must(t, s.JournalUpdates(ctx, map[int64][]byte{1: []byte(`{"update_id":1}`), 2: []byte(`{"update_id":2}`)}, 0))
	clk.Add(59 * time.Minute)
	must(t, s.JournalUpdates(ctx, map[int64][]byte{2: []byte(`{"update_id":2}`)}, 0)) // again: its time starts again
	got, err := s.JournaledUpdates(ctx)
	must(t, err)
	if len(got) != 2 {
		t.Errorf("within UpdateTTL: %d updates journaled, want 2", len(got))
	}
	clk.Add(time.Minute)
	got, err = s.JournaledUpdates(ctx)
	must(t, err)
	if len(got) != 1 || !bytes.Equal(got[2], []byte(`{"update_id":2}`)) {
		t.Errorf("after UpdateTTL of the first: %d updates, update 2 %q; want only update 2", len(got), got[2])
	}
	var rows int
	must(t, s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM update_journal`).Scan(&rows))
	if rows != 1 {
		t.Errorf("%d rows left in update_journal, want the expired one deleted", rows)
	}
}

// The journal outlives the process: what a store journaled, the next one
// opened on the directory reads back.
func TestUpdateJournalSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, dir, nil)
	must(t, s.JournalUpdates(ctx, map[int64][]byte{5: []byte(`{"update_id":5}`), 6: []byte(`{"update_id":6}`)}, 0))
	must(t, s.UpdatesDone(ctx, []int64{6}))
	s.Close()

	s = open(t, dir, nil)
	got, err := s.JournaledUpdates(ctx)
	must(t, err)
	if len(got) != 1 || !bytes.Equal(got[5], []byte(`{"update_id":5}`)) {
		t.Errorf("after reopen: %d updates, update 5 %q; want only update 5", len(got), got[5])
	}
}
