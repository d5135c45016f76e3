package storesuite

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

func TestBind(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	a, b := regs[lm][0].Ref(), regs[lm][1].Ref()

	must(t, s.Bind(ctx, 101, a, 2, during))
	must(t, s.Bind(ctx, 101, a, 2, during)) // same household again: no-op
	must(t, s.Bind(ctx, 102, a, 2, during))
	wantErr(t, s.Bind(ctx, 103, a, 2, during), renovote.ErrHouseholdFull)
	wantErr(t, s.Bind(ctx, 101, b, 2, during), renovote.ErrAlreadyBound)
	must(t, s.Bind(ctx, 103, b, 2, during)) // the refused user is free to bind elsewhere

	ids, err := s.Members(ctx, a)
	must(t, err)
	if !slices.Equal(ids, []int64{101, 102}) {
		t.Fatalf("members %v", ids)
	}
	ref, ok, err := s.Binding(ctx, 103)
	must(t, err)
	if !ok || ref != b {
		t.Fatalf("binding of 103: %v %v", ref, ok)
	}
	if _, ok, _ := s.Binding(ctx, 999); ok {
		t.Fatal("unknown user bound")
	}
	if tl := checkTally(t, s, lm); tl.Bound != 2 {
		t.Fatalf("bound %d, want 2", tl.Bound)
	}

	must(t, s.Unbind(ctx, 101))
	must(t, s.Unbind(ctx, 101)) // idempotent
	if _, ok, _ := s.Binding(ctx, 101); ok {
		t.Fatal("still bound after unbind")
	}
	must(t, s.Bind(ctx, 104, a, 2, during)) // the freed place
	must(t, s.Unbind(ctx, 102))
	must(t, s.Unbind(ctx, 104))
	if tl := checkTally(t, s, lm); tl.Bound != 1 {
		t.Fatalf("bound %d, want 1", tl.Bound)
	}

	wantErr(t, s.Bind(ctx, 105, renovote.HouseholdRef{CompoundID: lm, HouseholdID: "no-such"}, 3, during), renovote.ErrNotFound)
	if _, ok, _ := s.Binding(ctx, 105); ok {
		t.Fatal("refused bind left a binding")
	}
	wantErr(t, s.Bind(ctx, 105, a, 0, during), renovote.ErrInvalid)
}

func TestBindConcurrentCap(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	ref := regs[lzy][17].Ref()
	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Bind(ctx, int64(500+i), ref, 3, during)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		default:
			wantErr(t, err, renovote.ErrHouseholdFull)
		}
	}
	ids, err := s.Members(ctx, ref)
	must(t, err)
	if ok != 3 || len(ids) != 3 {
		t.Fatalf("%d binds succeeded, %d members; want 3", ok, len(ids))
	}
	for i := range 10 {
		_, bound, err := s.Binding(ctx, int64(500+i))
		must(t, err)
		if bound != slices.Contains(ids, int64(500+i)) {
			t.Fatalf("user %d: bound %v but members %v", 500+i, bound, ids)
		}
	}
	if tl := checkTally(t, s, lzy); tl.Bound != 1 {
		t.Fatalf("bound %d", tl.Bound)
	}
}

// The same user binding to two households at once ends in exactly one.
func TestBindConcurrentSameUser(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Bind(ctx, 42, regs[lm][i%2].Ref(), 3, during)
		}()
	}
	wg.Wait()
	ref, ok, err := s.Binding(ctx, 42)
	must(t, err)
	if !ok {
		t.Fatalf("not bound: %v", errs)
	}
	for i, err := range errs {
		if regs[lm][i%2].Ref() == ref {
			must(t, err)
		} else {
			wantErr(t, err, renovote.ErrAlreadyBound)
		}
	}
	for _, h := range regs[lm][:2] {
		ids, _ := s.Members(ctx, h.Ref())
		if slices.Contains(ids, 42) != (h.Ref() == ref) {
			t.Fatalf("members of %s: %v (bound to %s)", h.ID, ids, ref)
		}
	}
	checkTally(t, s, lm)
}

func TestBindRemoved(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	hhs := regs[lm]
	must(t, s.Bind(ctx, 7, hhs[54].Ref(), 3, during))
	_, err := s.ImportRegister(ctx, lm, hhs[:54], store.ImportOptions{RemoveMissing: true, Actor: "cli:test", Now: during})
	must(t, err)
	wantErr(t, s.Bind(ctx, 8, hhs[54].Ref(), 3, during), renovote.ErrRemoved)
	wantErr(t, s.Bind(ctx, 7, hhs[54].Ref(), 3, during), renovote.ErrRemoved) // already a member
	if ref, ok, _ := s.Binding(ctx, 7); !ok || ref != hhs[54].Ref() {
		t.Fatal("a refused re-bind dropped the existing binding")
	}
	if _, ok, _ := s.Binding(ctx, 8); ok {
		t.Fatal("refused bind left a binding")
	}
	if tl := checkTally(t, s, lm); tl.Bound != 0 {
		t.Fatalf("removed household still counted as bound: %+v", tl)
	}
	must(t, s.Unbind(ctx, 7))
	checkTally(t, s, lm)
}
