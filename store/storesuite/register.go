package storesuite

import (
	"context"
	"slices"
	"testing"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

func ids(hhs []renovote.Household) []string {
	out := make([]string, len(hhs))
	for i, h := range hhs {
		out[i] = h.ID
	}
	slices.Sort(out)
	return out
}

func TestImportRegister(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	opts := store.ImportOptions{Actor: "cli:test", Now: opens}
	_, err := s.ImportRegister(ctx, lm, households(lm, 3), opts)
	wantErr(t, err, renovote.ErrNotFound) // no programme yet
	must(t, s.ApplyProgramme(ctx, testProgramme()))

	hhs := households(lm, 55)
	diff, err := s.ImportRegister(ctx, lm, hhs, opts)
	must(t, err)
	if !slices.Equal(diff.Added, ids(hhs)) || len(diff.Updated)+len(diff.Unchanged)+len(diff.Missing) != 0 {
		t.Fatalf("first import: %+v", diff)
	}
	diff, err = s.ImportRegister(ctx, lm, hhs, opts)
	must(t, err)
	if !slices.Equal(diff.Unchanged, ids(hhs)) || len(diff.Added)+len(diff.Updated) != 0 {
		t.Fatalf("same import again: %+v", diff)
	}
	tl := checkTally(t, s, lm)
	if tl.Households != 55 || tl.Owners != 44 {
		t.Fatalf("tally %+v", tl)
	}

	got, err := s.Households(ctx, lm)
	must(t, err)
	for i := range got {
		if got[i] != hhs[i] {
			t.Fatalf("household %d: got %+v want %+v", i, got[i], hhs[i])
		}
	}
	h, err := s.Household(ctx, hhs[10].Ref())
	must(t, err)
	if h != hhs[10] {
		t.Fatalf("household %+v", h)
	}
	_, err = s.Household(ctx, renovote.HouseholdRef{CompoundID: lm, HouseholdID: "x"})
	wantErr(t, err, renovote.ErrNotFound)
}

func TestImportInvalid(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	hhs := slices.Clone(regs[lm])
	hhs[3].ID = hhs[2].ID
	_, err := s.ImportRegister(ctx, lm, hhs, store.ImportOptions{})
	wantErr(t, err, renovote.ErrInvalid)
	hhs = slices.Clone(regs[lm])
	hhs[0].CompoundID = lzy
	_, err = s.ImportRegister(ctx, lm, hhs, store.ImportOptions{})
	wantErr(t, err, renovote.ErrInvalid)
	_, err = s.ImportRegister(ctx, lm, nil, store.ImportOptions{RemoveMissing: true})
	wantErr(t, err, renovote.ErrInvalid)
	_, err = s.ImportRegister(ctx, "nowhere", households("nowhere", 3), store.ImportOptions{})
	wantErr(t, err, renovote.ErrNotFound)
	// Nothing changed.
	got, err := s.Households(ctx, lm)
	must(t, err)
	if !slices.Equal(got, regs[lm]) {
		t.Fatal("a refused import changed the register")
	}
}

// Re-importing keeps votes and bindings; changed areas and owners of voted
// households keep the counters exact.
func TestReimportKeepsVotesAndBindings(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	hhs := slices.Clone(regs[lm])
	for i := range 20 {
		_, err := s.CastVote(ctx, cmd(hhs[i].Ref(), []renovote.Choice{A, D, A}[i%3], during))
		must(t, err)
		must(t, s.Bind(ctx, int64(1000+i), hhs[i].Ref(), 3, during))
	}
	before, err := s.Votes(ctx, lm)
	must(t, err)

	hhs[0].Area += 1234                    // voted agree
	hhs[1].Area -= 1000                    // voted disagree
	hhs[30].Area += 1                      // not voted
	hhs[2].Phone = hhs[1].Phone            // agree unit joins a disagreeing owner
	hhs[5].Phone, hhs[5].Owner = "", "新业主" // owner changes
	hhs[6].Owner = "改名"                    // name only: owner key is the phone, area unchanged
	diff, err := s.ImportRegister(ctx, lm, hhs, store.ImportOptions{Actor: "cli:test", Now: during})
	must(t, err)
	if want := []string{hhs[0].ID, hhs[1].ID, hhs[2].ID, hhs[30].ID, hhs[5].ID, hhs[6].ID}; !slices.Equal(diff.Updated, sorted(want)) {
		t.Fatalf("updated %v, want %v", diff.Updated, sorted(want))
	}
	tl := checkTally(t, s, lm)
	after, err := s.Votes(ctx, lm)
	must(t, err)
	if len(after) != len(before) {
		t.Fatalf("votes %d -> %d", len(before), len(after))
	}
	for id, v := range before {
		if after[id] != v {
			t.Fatalf("vote of %s changed: %+v -> %+v", id, v, after[id])
		}
	}
	var votedArea renovote.Area
	for i := range 20 {
		votedArea += hhs[i].Area
		m, err := s.Members(ctx, hhs[i].Ref())
		must(t, err)
		if !slices.Equal(m, []int64{int64(1000 + i)}) {
			t.Fatalf("members of %s: %v", hhs[i].ID, m)
		}
	}
	if tl.VotedArea != votedArea || tl.Bound != 20 || tl.Voted != 20 {
		t.Fatalf("tally %+v, voted area want %v", tl, votedArea)
	}
	h, _ := s.Household(ctx, hhs[0].Ref())
	if h.Area != hhs[0].Area {
		t.Fatalf("area not updated: %v", h.Area)
	}
	// Votes after the re-import still adjust the counters exactly.
	for i := range 20 {
		_, err := s.CastVote(ctx, cmd(hhs[i].Ref(), []renovote.Choice{D, A}[i%2], during))
		must(t, err)
	}
	checkTally(t, s, lm)
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

func TestImportRemoval(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	hhs := regs[lm]
	gone := hhs[50:] // 5 households leave the register
	for _, h := range hhs[45:] {
		_, err := s.CastVote(ctx, cmd(h.Ref(), A, during))
		must(t, err)
	}
	must(t, s.Bind(ctx, 77, hhs[52].Ref(), 3, during))
	full := checkTally(t, s, lm)

	// Without RemoveMissing: only reported.
	diff, err := s.ImportRegister(ctx, lm, hhs[:50], store.ImportOptions{Actor: "cli:test", Now: during})
	must(t, err)
	if !slices.Equal(diff.Missing, ids(gone)) || len(diff.Removed) != 0 {
		t.Fatalf("diff %+v", diff)
	}
	if tl := checkTally(t, s, lm); tl != full {
		t.Fatalf("report-only import changed the tally: %+v", tl)
	}

	// With RemoveMissing: removed, excluded from totals; history kept.
	diff, err = s.ImportRegister(ctx, lm, hhs[:50], store.ImportOptions{RemoveMissing: true, Actor: "cli:test", Now: during})
	must(t, err)
	if !slices.Equal(diff.Removed, ids(gone)) || !slices.Equal(diff.Missing, ids(gone)) {
		t.Fatalf("diff %+v", diff)
	}
	tl := checkTally(t, s, lm)
	if tl.Households != 50 || tl.Voted != 5 || tl.Agree != 5 || tl.Bound != 0 {
		t.Fatalf("tally after removal %+v", tl)
	}
	h, err := s.Household(ctx, gone[0].Ref())
	must(t, err)
	if !h.Removed {
		t.Fatal("household not marked removed")
	}
	if v, ok, err := s.CurrentVote(ctx, gone[0].Ref()); err != nil || !ok || v.Choice != A {
		t.Fatalf("vote of a removed household lost: %+v %v %v", v, ok, err)
	}
	_, err = s.CastVote(ctx, cmd(gone[0].Ref(), D, during))
	wantErr(t, err, renovote.ErrRemoved)
	if n, _ := s.AuditLen(ctx, lm); n != 10 {
		t.Fatalf("audit %d entries, want 10", n)
	}
	all, _ := s.Households(ctx, lm)
	if len(all) != 55 {
		t.Fatalf("removed households not listed: %d", len(all))
	}

	// Again: already removed households are neither missing nor removed again.
	diff, err = s.ImportRegister(ctx, lm, hhs[:50], store.ImportOptions{RemoveMissing: true, Actor: "cli:test", Now: during})
	must(t, err)
	if len(diff.Missing)+len(diff.Removed) != 0 {
		t.Fatalf("diff %+v", diff)
	}

	// Listed again: restored with its vote and member.
	diff, err = s.ImportRegister(ctx, lm, hhs, store.ImportOptions{Actor: "cli:test", Now: during})
	must(t, err)
	if !slices.Equal(diff.Updated, ids(gone)) {
		t.Fatalf("restore diff %+v", diff)
	}
	if tl := checkTally(t, s, lm); tl != full {
		t.Fatalf("restored tally %+v, want %+v", tl, full)
	}
}

func TestRebuildCounters(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	for i, h := range regs[lzy][:100] {
		_, err := s.CastVote(ctx, cmd(h.Ref(), []renovote.Choice{A, D}[i%2], during))
		must(t, err)
	}
	want := checkTally(t, s, lzy)
	got, err := s.RebuildCounters(ctx, lzy)
	must(t, err)
	if got != want {
		t.Fatalf("rebuilt %+v, want %+v", got, want)
	}
}

func TestHouseholdsNaturalOrder(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	got, err := s.Households(context.Background(), lzy)
	must(t, err)
	for i := range got {
		if got[i].ID != regs[lzy][i].ID {
			t.Fatalf("position %d: %s, want %s", i, got[i].ID, regs[lzy][i].ID)
		}
	}
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"2栋", "10栋", -1}, {"10", "9", 1}, {"101", "1001", -1}, {"A", "B", -1},
		{"3-1-101", "3-1-101", 0}, {"07", "7", 1}, {"", "1", -1}, {"1栋", "1", 1},
	} {
		if got := store.NaturalCompare(c.a, c.b); got != c.want {
			t.Errorf("NaturalCompare(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
