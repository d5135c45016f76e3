package storesuite

import (
	"context"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

func TestInvites(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	ref := regs[lm][4].Ref()

	inv1, err := s.IssueInvite(ctx, ref, during)
	must(t, err)
	if !renovote.ValidInviteCode(inv1.Code) || inv1.Ref != ref || !inv1.Issued.Equal(during) {
		t.Fatalf("invite %+v", inv1)
	}
	got, err := s.ResolveInvite(ctx, inv1.Code)
	must(t, err)
	if got != ref {
		t.Fatalf("resolved %v", got)
	}

	// Reissue: the old code is revoked.
	inv2, err := s.IssueInvite(ctx, ref, during.Add(time.Hour))
	must(t, err)
	if inv2.Code == inv1.Code {
		t.Fatal("same code reissued")
	}
	_, err = s.ResolveInvite(ctx, inv1.Code)
	wantErr(t, err, renovote.ErrRevoked)
	got, err = s.ResolveInvite(ctx, inv2.Code)
	must(t, err)
	if got != ref {
		t.Fatalf("resolved %v", got)
	}

	// Revoke.
	must(t, s.RevokeInvite(ctx, ref))
	must(t, s.RevokeInvite(ctx, ref)) // idempotent
	_, err = s.ResolveInvite(ctx, inv2.Code)
	wantErr(t, err, renovote.ErrRevoked)
	// A revoked household gets no new code from the next export...
	all, err := s.EnsureInvites(ctx, lm, during)
	must(t, err)
	for _, inv := range all {
		if inv.Ref == ref {
			t.Fatalf("revoked household got a new code from EnsureInvites: %+v", inv)
		}
	}
	// ...until it is reissued.
	inv3, err := s.IssueInvite(ctx, ref, during)
	must(t, err)
	if got, err := s.ResolveInvite(ctx, inv3.Code); err != nil || got != ref {
		t.Fatalf("reissued code resolves to %v, %v", got, err)
	}

	// Unknown and malformed codes.
	_, err = s.ResolveInvite(ctx, renovote.NewInviteCode())
	wantErr(t, err, renovote.ErrNotFound)
	_, err = s.ResolveInvite(ctx, "short")
	wantErr(t, err, renovote.ErrNotFound)

	// Unknown household.
	_, err = s.IssueInvite(ctx, renovote.HouseholdRef{CompoundID: lm, HouseholdID: "none"}, during)
	wantErr(t, err, renovote.ErrNotFound)
	wantErr(t, s.RevokeInvite(ctx, renovote.HouseholdRef{CompoundID: lm, HouseholdID: "none"}), renovote.ErrNotFound)
}

func TestEnsureInvites(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	hhs := regs[lm]
	pre, err := s.IssueInvite(ctx, hhs[0].Ref(), opens)
	must(t, err)

	all, err := s.EnsureInvites(ctx, lm, during)
	must(t, err)
	if len(all) != 55 {
		t.Fatalf("%d invites, want 55", len(all))
	}
	codes := map[string]bool{}
	for i, inv := range all {
		if inv.Ref != hhs[i].Ref() || codes[inv.Code] {
			t.Fatalf("invite %d: %+v", i, inv)
		}
		codes[inv.Code] = true
		got, err := s.ResolveInvite(ctx, inv.Code)
		must(t, err)
		if got != inv.Ref {
			t.Fatalf("code of %s resolves to %s", inv.Ref, got)
		}
	}
	if all[0].Code != pre.Code || !all[0].Issued.Equal(opens) {
		t.Fatalf("existing invitation replaced: %+v", all[0])
	}
	again, err := s.EnsureInvites(ctx, lm, during.Add(time.Hour))
	must(t, err)
	for i := range again {
		if again[i] != all[i] {
			t.Fatalf("second ensure changed %+v -> %+v", all[i], again[i])
		}
	}

	// Removed households get no invitation and cannot be issued one.
	_, err = s.ImportRegister(ctx, lm, hhs[:54], store.ImportOptions{RemoveMissing: true, Actor: "cli:test", Now: during})
	must(t, err)
	left, err := s.EnsureInvites(ctx, lm, during)
	must(t, err)
	if len(left) != 54 {
		t.Fatalf("%d invites after removal", len(left))
	}
	_, err = s.IssueInvite(ctx, hhs[54].Ref(), during)
	wantErr(t, err, renovote.ErrRemoved)
	_, err = s.EnsureInvites(ctx, "nowhere", during)
	wantErr(t, err, renovote.ErrNotFound)
}
