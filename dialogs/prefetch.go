package dialogs

import (
	"context"

	"github.com/renovote/renovote"
)

// A vote press is the busiest turn there is: at a ballot's opening hundreds
// of residents press at once, and every round trip to the store is time each
// of them waits and work the store's server does. A store that can read what
// the press needs in fewer round trips says so with the two interfaces below;
// from any other store the turn reads it piece by piece, with the same
// outcome.

// TurnReader is implemented by a Store that reads, in one round trip, what a
// vote press starts with (store.Store does).
type TurnReader interface {
	// ReadTurn returns what GetSession(sessionKey), Binding(userID) and
	// Programme would. The programme may be shared with the store's cache:
	// the caller must not change it.
	ReadTurn(ctx context.Context, sessionKey string, userID int64) (session []byte, ref renovote.HouseholdRef, bound bool, p renovote.Programme, err error)
}

// VoteViewer is implemented by a Store whose CastVote can also return the
// household and its bound members (the members before the vote) read in the
// same atomic step (store.Store does).
type VoteViewer interface {
	// CastVoteView is CastVote, with the household and its members.
	CastVoteView(ctx context.Context, cmd renovote.VoteCmd) (renovote.Receipt, renovote.Household, []int64, error)
}

// prefetched is what Handle read with the session for a vote press.
type prefetched struct {
	ref   renovote.HouseholdRef
	bound bool
	p     renovote.Programme
}

// readTurn reads the session, and for a vote press the binding and the
// programme with it when the store can (pre is nil otherwise). A failed read
// is the turn's failure, as a failed GetSession is: reading again piece by
// piece would only make the resident wait twice as long for the same answer
// while the store is unreachable.
func (e *Engine) readTurn(ctx context.Context, key string, in Input) ([]byte, *prefetched, error) {
	if tr, ok := e.store.(TurnReader); ok && isVoteAction(in) {
		data, ref, bound, p, err := tr.ReadTurn(ctx, key, in.UserID)
		if err != nil {
			return nil, nil, err
		}
		return data, &prefetched{ref: ref, bound: bound, p: p}, nil
	}
	data, err := e.store.GetSession(ctx, key)
	return data, nil, err
}

// binding is the presser's binding: prefetched, or read now.
func (t *turn) binding() (renovote.HouseholdRef, bool, error) {
	if t.pre != nil {
		return t.pre.ref, t.pre.bound, nil
	}
	return t.e.store.Binding(t.ctx, t.in.UserID)
}

// castVote casts the vote of ref. With a prefetched programme and a
// VoteViewer it is one round trip, and the household and its members come
// back with the receipt; otherwise the programme, household and members are
// read first (householdView), as before. p, c and h are zero when the read
// before the vote failed (err says so); loc always has a value.
func (t *turn) castVote(ref renovote.HouseholdRef, cmd renovote.VoteCmd) (v voteView, err error) {
	if vv, ok := t.e.store.(VoteViewer); ok && t.pre != nil {
		v.p = t.pre.p
		v.c = compoundOf(v.p, ref)
		v.rc, v.h, v.members, v.err = vv.CastVoteView(t.ctx, cmd)
		return v, nil
	}
	v.p, v.c, v.h, v.members, err = t.householdView(ref)
	if err != nil {
		return v, err
	}
	v.rc, v.err = t.e.store.CastVote(t.ctx, cmd)
	return v, nil
}

// voteView is a cast vote with what its receipt shows: err is the vote's
// own outcome (a refusal, or a failure).
type voteView struct {
	p       renovote.Programme
	c       renovote.Compound
	h       renovote.Household
	members []int64 // nil: not read
	rc      renovote.Receipt
	err     error
}

// compoundOf is the compound of ref in p, or a stand-in named by its id.
func compoundOf(p renovote.Programme, ref renovote.HouseholdRef) renovote.Compound {
	c, ok := p.Compound(ref.CompoundID)
	if !ok {
		c = renovote.Compound{ID: ref.CompoundID, Name: ref.CompoundID}
	}
	return c
}
