package store

import (
	"context"
	"strconv"
	"time"

	"github.com/renovote/renovote"
)

// Hooks for tests that simulate a crash between the steps of a bind.

// BindClaimOnly runs step 1 of Bind (the pending claim) and stops.
func (s *Store) BindClaimOnly(ctx context.Context, userID int64, ref renovote.HouseholdRef, now time.Time) error {
	_, _, err := s.run(ctx, scriptUserClaim, []string{s.k.user(userID)},
		ref.CompoundID, ref.HouseholdID, strconv.FormatInt(now.UnixMilli(), 10))
	return err
}

// BindClaimAndAdd runs steps 1 and 2 of Bind and stops before marking it done.
func (s *Store) BindClaimAndAdd(ctx context.Context, userID int64, ref renovote.HouseholdRef, max int, now time.Time) error {
	if err := s.BindClaimOnly(ctx, userID, ref, now); err != nil {
		return err
	}
	ck := s.k.compound(ref.CompoundID)
	_, _, err := s.run(ctx, scriptBindAdd, []string{ck.hh, ck.members, ck.tally},
		ref.HouseholdID, strconv.FormatInt(userID, 10), max)
	return err
}
