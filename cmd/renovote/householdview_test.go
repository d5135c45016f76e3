package main

import (
	"context"
	"slices"
	"testing"

	"github.com/renovote/renovote/dialogs"
	"github.com/renovote/renovote/metrics"
	"github.com/renovote/renovote/programme"
	"github.com/renovote/renovote/register"
	"github.com/renovote/renovote/store"
)

// The metrics wrapper of the store keeps the vote press's one read.
func TestVotesCountedHouseholdView(t *testing.T) {
	ctx := context.Background()
	st, closeStore, err := store.NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	p := programme.Seed()
	if err := st.ApplyProgramme(ctx, p); err != nil {
		t.Fatal(err)
	}
	hhs := register.GenerateSeed(p, 2020)[:2]
	if _, err := st.ImportRegister(ctx, hhs[0].CompoundID, hhs, store.ImportOptions{Actor: "test", Now: inWindow}); err != nil {
		t.Fatal(err)
	}
	if err := st.Bind(ctx, 42, hhs[0].Ref(), 3, inWindow); err != nil {
		t.Fatal(err)
	}
	var hv dialogs.HouseholdViewer = votesCounted{Store: st, m: metrics.New(st.OutboxQueued)}
	gotP, h, members, err := hv.HouseholdView(ctx, hhs[0].Ref())
	if err != nil || gotP.ID != p.ID || h.ID != hhs[0].ID || !slices.Equal(members, []int64{42}) {
		t.Errorf("view: %q %q %v %v", gotP.ID, h.ID, members, err)
	}
}
