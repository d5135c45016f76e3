package store_test

// Tests of staff that depend on Redis itself (its scripts, keys, clients or
// server); the behaviour shared with the SQLite store is in store/storesuite.

import (
	"context"
	"slices"
	"testing"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store/storetest"
)

func TestStaffMigration(t *testing.T) {
	t.Parallel()
	a, b := storetest.NewPair(t)
	ctx := context.Background()
	must(t, a.SeedLegacyWorkers(ctx, 7, 5))
	ok, err := a.IsWorker(ctx, 5)
	must(t, err)
	if !ok {
		t.Fatal("issue-2 worker lost")
	}
	m, _, err := a.StaffMember(ctx, 7)
	must(t, err)
	if m.Role != renovote.RoleWorker || !slices.Equal(m.Compounds, []string{renovote.AllCompounds}) ||
		m.AddedBy != "migration" || !m.Covers(lm) {
		t.Fatalf("migrated %+v", m)
	}
	if exists, _ := a.LegacyWorkersExist(ctx); exists {
		t.Fatal("legacy set kept")
	}
	// Another process migrating again changes nothing.
	ws, err := b.Workers(ctx)
	must(t, err)
	if !slices.Equal(ws, []int64{5, 7}) {
		t.Fatalf("workers %v", ws)
	}
	log, err := b.StaffAudit(ctx)
	must(t, err)
	if !slices.Equal(ops(log), []string{"migrate:worker", "migrate:worker"}) {
		t.Fatalf("audit %v", ops(log))
	}
}
