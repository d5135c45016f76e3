package store

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// ReadTurn reads what a vote press starts with in one pipelined round trip:
// the chat's session (nil when none), the user's binding and the programme's
// revision, in a pipeline shared with the presses of the moment (batch.go).
// The programme comes from the store's cache while the revision is
// the one cached (otherwise it is read, one more round trip, and cached); a
// binding still being confirmed (rare) costs one more round trip too, as in
// Binding. The programme is shared with the cache: the caller must not change
// it. Each command is on one key, so a Cluster client splits the pipeline by
// node.
func (s *Store) ReadTurn(ctx context.Context, sessionKey string, userID int64) ([]byte, renovote.HouseholdRef, bool, renovote.Programme, error) {
	fail := func(err error) ([]byte, renovote.HouseholdRef, bool, renovote.Programme, error) {
		return nil, renovote.HouseholdRef{}, false, renovote.Programme{}, fmt.Errorf("read turn: %w", err)
	}
	var (
		session, rev *redis.StringCmd
		user         *redis.MapStringStringCmd
	)
	// The commands' own errors are looked at below; redis.Nil is an answer.
	if err := s.batch.do(ctx, func(p redis.Pipeliner) {
		session = p.Get(ctx, s.k.session(sessionKey))
		user = p.HGetAll(ctx, s.k.user(userID))
		rev = p.Get(ctx, s.k.programmeRev())
	}); err != nil {
		return fail(err)
	}
	for _, err := range []error{session.Err(), user.Err(), rev.Err()} {
		if err != nil && !isNil(err) {
			return fail(err)
		}
	}
	var data []byte
	if !isNil(session.Err()) {
		data = []byte(session.Val())
	}
	p, err := s.programmeAt(ctx, rev.Val())
	if err != nil {
		return fail(err)
	}
	ref, bound, err := s.bindingOf(ctx, userID, user.Val())
	if err != nil {
		return fail(err)
	}
	return data, ref, bound, p, nil
}
