package store_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

// HouseholdView returns what Programme, Household and Members return, in
// one round trip, and sees a programme another process applied.
func TestHouseholdView(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bot, cli := storetest.NewPair(t)
	must(t, cli.ApplyProgramme(ctx, testProgramme()))
	hhs := households(lm, 3)
	_, err := cli.ImportRegister(ctx, lm, hhs, store.ImportOptions{Actor: "cli:test"})
	must(t, err)
	ref := hhs[0].Ref()
	for _, u := range []int64{42, 7} {
		must(t, bot.Bind(ctx, u, ref, 3, during))
	}

	p, h, members, err := bot.HouseholdView(ctx, ref)
	must(t, err)
	wantP, err := bot.Programme(ctx)
	must(t, err)
	wantH, err := bot.Household(ctx, ref)
	must(t, err)
	if !reflect.DeepEqual(p, wantP) || !reflect.DeepEqual(h, wantH) || !slices.Equal(members, []int64{7, 42}) {
		t.Fatalf("view %+v %+v %v", p.ID, h, members)
	}
	p.Compounds[0].Name = "changed by a caller"
	if again, _, _, err := bot.HouseholdView(ctx, ref); err != nil || again.Compounds[0].Name == "changed by a caller" {
		t.Errorf("a caller's change reached the next caller: %v", err)
	}

	if _, _, members, err := bot.HouseholdView(ctx, hhs[1].Ref()); err != nil || len(members) != 0 {
		t.Errorf("household without members: %v %v", members, err)
	}
	_, _, _, err = bot.HouseholdView(ctx, renovote.HouseholdRef{CompoundID: lm, HouseholdID: "9-9-999"})
	wantErr(t, err, renovote.ErrNotFound)
	_, _, _, err = bot.HouseholdView(ctx, renovote.HouseholdRef{CompoundID: "No Such", HouseholdID: "1"})
	wantErr(t, err, renovote.ErrInvalid)

	changed := testProgramme()
	changed.Compounds[0].Name = "renamed elsewhere"
	must(t, cli.ApplyProgramme(ctx, changed))
	p, _, _, err = bot.HouseholdView(ctx, ref)
	must(t, err)
	if p.Compounds[0].Name != "renamed elsewhere" {
		t.Errorf("after another process applied a programme: %q", p.Compounds[0].Name)
	}
}

// No programme: ErrNotFound, as from Programme.
func TestHouseholdViewNoProgramme(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	_, _, _, err := s.HouseholdView(context.Background(), renovote.HouseholdRef{CompoundID: lm, HouseholdID: "1-1-101"})
	wantErr(t, err, renovote.ErrNotFound)
}
