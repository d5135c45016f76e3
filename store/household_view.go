package store

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// HouseholdView reads, in one round trip, what a vote press shows around
// the vote: the applied programme (as Programme: the cached one while its
// revision stands, a copy the caller may change), the household (as
// Household) and the users bound to it (as Members, at the time of the
// read). Every round trip of a vote press is time the resident waits, and
// with an append-only file fsynced at every write each one may wait for a
// sync. renovote.ErrNotFound when there is no programme or no such
// household.
func (s *Store) HouseholdView(ctx context.Context, ref renovote.HouseholdRef) (renovote.Programme, renovote.Household, []int64, error) {
	fail := func(err error) (renovote.Programme, renovote.Household, []int64, error) {
		return renovote.Programme{}, renovote.Household{}, nil, fmt.Errorf("household view %s: %w", ref, err)
	}
	ck, err := s.checkRef(ref)
	if err != nil {
		return fail(err)
	}
	var rev, hh, members *redis.StringCmd
	// The commands' own errors are looked at below; redis.Nil is an answer.
	_, _ = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		rev = p.Get(ctx, s.k.programmeRev())
		hh = p.HGet(ctx, ck.hh, ref.HouseholdID)
		members = p.HGet(ctx, ck.members, ref.HouseholdID)
		return nil
	})
	for _, c := range []*redis.StringCmd{rev, hh, members} {
		if err := c.Err(); err != nil && !isNil(err) {
			return fail(err)
		}
	}
	p, err := s.programmeAt(ctx, rev.Val())
	if err != nil {
		return fail(err)
	}
	if isNil(hh.Err()) {
		return fail(renovote.ErrNotFound)
	}
	h, err := decodeHousehold(hh.Val())
	if err != nil {
		return fail(err)
	}
	return cloneProgramme(p), h, parseMembers(members.Val()), nil
}
