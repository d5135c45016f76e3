package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/renovote/renovote"
)

// Binding spans two slots: the user's key (global) says which household the
// user belongs to, the household's member list (compound slot) enforces the
// member cap and feeds the bound counter. A bind therefore runs in steps:
//
//  1. claim the user key: write a pending claim unless the user already has one;
//  2. add the member under the cap in the compound script (idempotent);
//  3. mark the claim done — or, when step 2 refused, delete our pending claim.
//
// A crash after step 1 leaves a pending claim: binding again to the same
// household finishes it; binding elsewhere takes it over once it is older than
// Options.BindStale and the user is not a member. Binding treats a pending claim
// as bound only if the user is in the member list.

// userState is the content of a user key.
type userState struct {
	c, h, s, t string // compound, household, state (p pending, d done), unix ms
}

func (u userState) ref() renovote.HouseholdRef {
	return renovote.HouseholdRef{CompoundID: u.c, HouseholdID: u.h}
}

func (u userState) args() []any { return []any{u.c, u.h, u.s, u.t} }

// Bind makes userID a member of ref. Binding again to the same household is a
// no-op; renovote.ErrAlreadyBound if bound elsewhere, renovote.ErrHouseholdFull
// if the household has maxMembers members, renovote.ErrRemoved for a removed
// household, renovote.ErrNotFound for an unknown one.
func (s *Store) Bind(ctx context.Context, userID int64, ref renovote.HouseholdRef, maxMembers int, now time.Time) error {
	wrap := func(err error) error { return fmt.Errorf("bind %s: %w", ref, err) }
	ck, err := s.checkRef(ref)
	if err != nil {
		return wrap(err)
	}
	if maxMembers <= 0 {
		return wrap(fmt.Errorf("max members %d: %w", maxMembers, renovote.ErrInvalid))
	}
	now = nowOr(now)
	ukey := s.k.user(userID)
	ours := userState{ref.CompoundID, ref.HouseholdID, "p", strconv.FormatInt(now.UnixMilli(), 10)}
	st, res, err := s.run(ctx, scriptUserClaim, []string{ukey}, ref.CompoundID, ref.HouseholdID, ours.t)
	if err != nil {
		return wrap(err)
	}
	if st == "EXISTS" {
		cur := userState{str(res, 0), str(res, 1), str(res, 2), str(res, 3)}
		switch {
		case cur.ref() == ref:
			// Already bound here (the member script below then changes
			// nothing, but still refuses a removed household), or a pending
			// bind here to finish (a retry or a crashed run).
			ours = cur
		default:
			if err := s.takeOver(ctx, userID, cur, ours, now); err != nil {
				return wrap(err)
			}
		}
	}
	_, _, err = s.run(ctx, scriptBindAdd, []string{ck.hh, ck.members, ck.tally},
		ref.HouseholdID, strconv.FormatInt(userID, 10), maxMembers)
	if err != nil {
		if isDomain(err) && ours.s == "p" { // refused: release our pending claim
			undo := append(append([]any{"exact"}, ours.args()...), "", "", "", "")
			if _, _, uerr := s.run(context.WithoutCancel(ctx), scriptUserCAS, []string{ukey}, undo...); uerr != nil {
				return wrap(errors.Join(err, uerr))
			}
		}
		return wrap(err)
	}
	done := userState{ref.CompoundID, ref.HouseholdID, "d", ours.t}
	if _, _, err := s.run(ctx, scriptUserCAS, []string{ukey},
		append(append([]any{"finish"}, ours.args()...), done.args()...)...); err != nil {
		return wrap(err)
	}
	return nil
}

// takeOver replaces another household's claim on the user by ours when that
// claim is a stale, unfinished bind; otherwise the user is bound elsewhere.
func (s *Store) takeOver(ctx context.Context, userID int64, cur, ours userState, now time.Time) error {
	if cur.s == "d" {
		return renovote.ErrAlreadyBound
	}
	ms, _ := strconv.ParseInt(cur.t, 10, 64)
	if now.Sub(time.UnixMilli(ms)) < s.opts.BindStale {
		return renovote.ErrAlreadyBound // possibly still in flight
	}
	member, err := s.isMember(ctx, cur.ref(), userID)
	if err != nil {
		return err
	}
	ukey := s.k.user(userID)
	if member { // the old bind went through: finish it
		done := cur
		done.s = "d"
		if _, _, err := s.run(ctx, scriptUserCAS, []string{ukey},
			append(append([]any{"exact"}, cur.args()...), done.args()...)...); err != nil {
			return err
		}
		return renovote.ErrAlreadyBound
	}
	_, res, err := s.run(ctx, scriptUserCAS, []string{ukey},
		append(append([]any{"exact"}, cur.args()...), ours.args()...)...)
	if err != nil {
		return err
	}
	if n, _ := res[0].(int64); n != 1 {
		return renovote.ErrAlreadyBound // changed meanwhile
	}
	return nil
}

// Binding returns the household userID is bound to, if any.
func (s *Store) Binding(ctx context.Context, userID int64) (renovote.HouseholdRef, bool, error) {
	m, err := s.rdb.HGetAll(ctx, s.k.user(userID)).Result()
	if err != nil {
		return renovote.HouseholdRef{}, false, fmt.Errorf("binding: %w", err)
	}
	ref, bound, err := s.bindingOf(ctx, userID, m)
	if err != nil {
		return renovote.HouseholdRef{}, false, fmt.Errorf("binding: %w", err)
	}
	return ref, bound, nil
}

// bindingOf reads the binding in m, the user's hash: a binding still being
// confirmed counts once the user is among the household's members.
func (s *Store) bindingOf(ctx context.Context, userID int64, m map[string]string) (renovote.HouseholdRef, bool, error) {
	if len(m) == 0 || m["c"] == "" {
		return renovote.HouseholdRef{}, false, nil
	}
	ref := renovote.HouseholdRef{CompoundID: m["c"], HouseholdID: m["h"]}
	if m["s"] == "d" {
		return ref, true, nil
	}
	member, err := s.isMember(ctx, ref, userID)
	if err != nil || !member {
		return renovote.HouseholdRef{}, false, err
	}
	return ref, true, nil
}

// Members lists the user ids bound to the household, sorted.
func (s *Store) Members(ctx context.Context, ref renovote.HouseholdRef) ([]int64, error) {
	ids, err := s.members(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("members %s: %w", ref, err)
	}
	return ids, nil
}

func (s *Store) members(ctx context.Context, ref renovote.HouseholdRef) ([]int64, error) {
	ck, err := s.checkRef(ref)
	if err != nil {
		return nil, err
	}
	list, err := s.rdb.HGet(ctx, ck.members, ref.HouseholdID).Result()
	if err != nil && !isNil(err) {
		return nil, err
	}
	return parseMembers(list), nil
}

func parseMembers(list string) []int64 {
	var ids []int64
	for _, f := range strings.Split(list, ",") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

func (s *Store) isMember(ctx context.Context, ref renovote.HouseholdRef, userID int64) (bool, error) {
	ids, err := s.members(ctx, ref)
	if err != nil {
		return false, err
	}
	return slices.Contains(ids, userID), nil
}

// Unbind removes userID from their household; a no-op when not bound.
func (s *Store) Unbind(ctx context.Context, userID int64) error {
	wrap := func(err error) error { return fmt.Errorf("unbind: %w", err) }
	ukey := s.k.user(userID)
	m, err := s.rdb.HGetAll(ctx, ukey).Result()
	if err != nil {
		return wrap(err)
	}
	if len(m) == 0 {
		return nil
	}
	cur := userState{m["c"], m["h"], m["s"], m["t"]}
	ck, err := s.checkRef(cur.ref())
	if err != nil {
		return wrap(err)
	}
	// Mark the claim pending first: a crash below then reads as "not bound
	// unless still a member", and a rerun finishes the job.
	pending := userState{cur.c, cur.h, "p", strconv.FormatInt(time.Now().UnixMilli(), 10)}
	_, res, err := s.run(ctx, scriptUserCAS, []string{ukey}, append(append([]any{"exact"}, cur.args()...), pending.args()...)...)
	if err != nil {
		return wrap(err)
	}
	if n, _ := res[0].(int64); n != 1 {
		return wrap(fmt.Errorf("binding changed meanwhile: %w", renovote.ErrConflict))
	}
	if _, _, err := s.run(ctx, scriptBindRemove, []string{ck.hh, ck.members, ck.tally},
		cur.h, strconv.FormatInt(userID, 10)); err != nil {
		return wrap(err)
	}
	if _, _, err := s.run(ctx, scriptUserCAS, []string{ukey},
		append(append([]any{"exact"}, pending.args()...), "", "", "", "")...); err != nil {
		return wrap(err)
	}
	return nil
}

// isDomain reports whether err is a refusal by a script (a domain error kind).
func isDomain(err error) bool {
	for _, e := range statusErrors {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
