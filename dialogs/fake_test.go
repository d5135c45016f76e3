package dialogs

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/renovote/renovote"
)

// fakeStore is an in-memory Store with the semantics the dialogs rely on:
// member cap, already bound, ballot window checked at cmd.At over [opens,
// closes), votes idempotent by OpID.
type fakeStore struct {
	mu         sync.Mutex
	prog       renovote.Programme
	households map[renovote.HouseholdRef]renovote.Household
	invites    map[string]renovote.Invite
	bindings   map[int64]renovote.HouseholdRef
	members    map[renovote.HouseholdRef][]int64
	failures   map[int64][]time.Time
	votes      map[renovote.HouseholdRef]renovote.HouseholdVote
	ops        map[string]renovote.Receipt
	changes    []renovote.VoteChange
	sessions   map[string][]byte
	workers    map[int64]bool
}

func newFakeStore(p renovote.Programme, hhs []renovote.Household) *fakeStore {
	f := &fakeStore{
		prog:       p,
		households: map[renovote.HouseholdRef]renovote.Household{},
		invites:    map[string]renovote.Invite{},
		bindings:   map[int64]renovote.HouseholdRef{},
		members:    map[renovote.HouseholdRef][]int64{},
		failures:   map[int64][]time.Time{},
		votes:      map[renovote.HouseholdRef]renovote.HouseholdVote{},
		ops:        map[string]renovote.Receipt{},
		sessions:   map[string][]byte{},
		workers:    map[int64]bool{},
	}
	for _, h := range hhs {
		f.households[h.Ref()] = h
	}
	return f
}

// issue gives the household an invitation code (made from its ref, so
// transcripts are stable), revoking its previous one.
func (f *fakeStore) issue(t testing.TB, r renovote.HouseholdRef) string {
	f.revoke(t, r)
	f.mu.Lock()
	defer f.mu.Unlock()
	c := code(r.CompoundID + "_" + r.HouseholdID)
	f.invites[c] = renovote.Invite{Code: c, Ref: r}
	return c
}

func (f *fakeStore) revoke(t testing.TB, r renovote.HouseholdRef) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c, inv := range f.invites {
		if inv.Ref == r {
			inv.Revoked = true
			f.invites[c] = inv
		}
	}
}

func (f *fakeStore) audit(t testing.TB, compoundID string) []renovote.VoteChange {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []renovote.VoteChange
	for _, a := range f.changes {
		if a.Ref.CompoundID == compoundID {
			out = append(out, a)
		}
	}
	return out
}

func (f *fakeStore) addWorker(t testing.TB, id int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.workers[id] = true
}

func (f *fakeStore) Programme(ctx context.Context) (renovote.Programme, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.prog, nil
}

func (f *fakeStore) Household(ctx context.Context, ref renovote.HouseholdRef) (renovote.Household, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h, ok := f.households[ref]
	if !ok {
		return h, fmt.Errorf("household: %w", renovote.ErrNotFound)
	}
	return h, nil
}

func (f *fakeStore) Households(ctx context.Context, compoundID string) ([]renovote.Household, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []renovote.Household
	for _, h := range f.households {
		if h.CompoundID == compoundID {
			out = append(out, h)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (f *fakeStore) ResolveInvite(ctx context.Context, code string) (renovote.HouseholdRef, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	inv, ok := f.invites[code]
	switch {
	case !ok:
		return renovote.HouseholdRef{}, fmt.Errorf("resolve invite: %w", renovote.ErrNotFound)
	case inv.Revoked:
		return renovote.HouseholdRef{}, fmt.Errorf("resolve invite: %w", renovote.ErrRevoked)
	}
	return inv.Ref, nil
}

func (f *fakeStore) Bind(ctx context.Context, userID int64, ref renovote.HouseholdRef, maxMembers int, now time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if cur, ok := f.bindings[userID]; ok {
		if cur == ref {
			return nil
		}
		return fmt.Errorf("bind: %w", renovote.ErrAlreadyBound)
	}
	h, ok := f.households[ref]
	switch {
	case !ok:
		return fmt.Errorf("bind: %w", renovote.ErrNotFound)
	case h.Removed:
		return fmt.Errorf("bind: %w", renovote.ErrRemoved)
	case len(f.members[ref]) >= maxMembers:
		return fmt.Errorf("bind: %w", renovote.ErrHouseholdFull)
	}
	f.bindings[userID] = ref
	f.members[ref] = append(f.members[ref], userID)
	return nil
}

func (f *fakeStore) Binding(ctx context.Context, userID int64) (renovote.HouseholdRef, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ref, ok := f.bindings[userID]
	return ref, ok, nil
}

func (f *fakeStore) Members(ctx context.Context, ref renovote.HouseholdRef) ([]int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.members[ref]), nil
}

func (f *fakeStore) AddInviteFailure(ctx context.Context, userID int64, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures[userID] = append(f.failures[userID], at)
	return nil
}

func (f *fakeStore) InviteFailures(ctx context.Context, userID int64, since time.Time) (int, time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, oldest := 0, time.Time{}
	for _, at := range f.failures[userID] {
		if at.Before(since) {
			continue
		}
		n++
		if oldest.IsZero() || at.Before(oldest) {
			oldest = at
		}
	}
	return n, oldest, nil
}

func (f *fakeStore) CastVote(ctx context.Context, cmd renovote.VoteCmd) (renovote.Receipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := cmd.Validate(); err != nil {
		return renovote.Receipt{}, fmt.Errorf("cast vote: %w", err)
	}
	if rc, ok := f.ops[cmd.OpID]; ok {
		rc.Replayed = true
		return rc, nil
	}
	c, ok := f.prog.Compound(cmd.Ref.CompoundID)
	if !ok {
		return renovote.Receipt{}, fmt.Errorf("cast vote: compound: %w", renovote.ErrNotFound)
	}
	switch c.Ballot.State(cmd.At) {
	case renovote.NotOpen:
		return renovote.Receipt{}, fmt.Errorf("cast vote: %w", renovote.ErrBallotNotOpen)
	case renovote.Closed:
		return renovote.Receipt{}, fmt.Errorf("cast vote: %w", renovote.ErrBallotClosed)
	}
	h, ok := f.households[cmd.Ref]
	switch {
	case !ok:
		return renovote.Receipt{}, fmt.Errorf("cast vote: %w", renovote.ErrNotFound)
	case h.Removed:
		return renovote.Receipt{}, fmt.Errorf("cast vote: %w", renovote.ErrRemoved)
	}
	prev := f.votes[cmd.Ref].Choice
	f.votes[cmd.Ref] = renovote.HouseholdVote{Choice: cmd.Choice, Channel: cmd.Channel, Actor: cmd.Actor, At: cmd.At, ReceiptID: cmd.ReceiptID, Evidence: cmd.Evidence}
	rc := renovote.Receipt{ID: cmd.ReceiptID, Ref: cmd.Ref, Choice: cmd.Choice, Previous: prev, Channel: cmd.Channel, At: cmd.At}
	f.ops[cmd.OpID] = rc
	f.changes = append(f.changes, renovote.VoteChange{Ref: cmd.Ref, Old: prev, New: cmd.Choice, Channel: cmd.Channel, Actor: cmd.Actor, At: cmd.At, ReceiptID: cmd.ReceiptID, UpdateID: cmd.UpdateID, Evidence: cmd.Evidence})
	return rc, nil
}

func (f *fakeStore) CurrentVote(ctx context.Context, ref renovote.HouseholdRef) (renovote.HouseholdVote, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.votes[ref]
	return v, ok, nil
}

func (f *fakeStore) Tally(ctx context.Context, compoundID string) (renovote.Tally, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var hhs []renovote.Household
	votes := map[string]renovote.Choice{}
	bound := map[string]bool{}
	for ref, h := range f.households {
		if ref.CompoundID != compoundID {
			continue
		}
		hhs = append(hhs, h)
		votes[h.ID] = f.votes[ref].Choice
		bound[h.ID] = len(f.members[ref]) > 0
	}
	return renovote.Recount(compoundID, hhs, votes, bound), nil
}

func (f *fakeStore) GetSession(ctx context.Context, key string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sessions[key]), nil
}

func (f *fakeStore) PutSession(ctx context.Context, key string, data []byte, ttl time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sessions[key] = slices.Clone(data)
	return nil
}

func (f *fakeStore) IsWorker(ctx context.Context, userID int64) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.workers[userID], nil
}

func (f *fakeStore) AddWorker(ctx context.Context, userID int64, by string, now time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.workers[userID] = true
	return nil
}

var _ backend = (*fakeStore)(nil)
