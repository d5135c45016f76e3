package store_test

// Tests of binding that depend on Redis itself (its scripts, keys, clients or
// server); the behaviour shared with the SQLite store is in store/storesuite.

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/renovote/renovote"
)

// A bind that crashed after its claim is finished by a rerun, and taken over by
// another household once stale.
func TestBindCrashRecovery(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	a, b := regs[lm][0].Ref(), regs[lm][1].Ref()

	// Crash after the claim: not bound, rerun finishes.
	must(t, s.BindClaimOnly(ctx, 1, a, during))
	if _, ok, _ := s.Binding(ctx, 1); ok {
		t.Fatal("half-done bind reads as bound")
	}
	wantErr(t, s.Bind(ctx, 1, b, 3, during.Add(time.Second)), renovote.ErrAlreadyBound) // may be in flight
	must(t, s.Bind(ctx, 1, a, 3, during.Add(time.Second)))
	if ref, ok, _ := s.Binding(ctx, 1); !ok || ref != a {
		t.Fatal("rerun did not finish the bind")
	}

	// Crash after the claim, stale: another household takes the user.
	must(t, s.BindClaimOnly(ctx, 2, a, during))
	must(t, s.Bind(ctx, 2, b, 3, during.Add(time.Hour)))
	if ref, ok, _ := s.Binding(ctx, 2); !ok || ref != b {
		t.Fatal("stale claim not taken over")
	}

	// Crash after adding the member: bound (it is a member), and not movable.
	must(t, s.BindClaimAndAdd(ctx, 3, a, 3, during))
	if ref, ok, _ := s.Binding(ctx, 3); !ok || ref != a {
		t.Fatal("member with a pending claim reads as unbound")
	}
	wantErr(t, s.Bind(ctx, 3, b, 3, during.Add(time.Hour)), renovote.ErrAlreadyBound)
	must(t, s.Bind(ctx, 3, a, 3, during.Add(time.Hour)))

	idsA, _ := s.Members(ctx, a)
	idsB, _ := s.Members(ctx, b)
	if !slices.Equal(idsA, []int64{1, 3}) || !slices.Equal(idsB, []int64{2}) {
		t.Fatalf("members a %v b %v", idsA, idsB)
	}
	checkTally(t, s, lm)
}
