package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// Invitations: the compound's inv hash (household -> current code) is the truth;
// the global key per code is the index from a code to its household. A code
// resolves only while it is the household's current one, so a crash between the
// steps below never leaves two live codes.

// invRecord is a household's current invitation as stored in the compound's slot.
type invRecord struct {
	Code   string    `json:"code"`
	Issued time.Time `json:"issued"`
	// Revoked marks a household whose invitation was revoked and not reissued:
	// Code is empty and EnsureInvites leaves it without one.
	Revoked bool `json:"revoked,omitempty"`
}

// IssueInvite gives the household a new invitation code; its previous code, if
// any, is revoked.
func (s *Store) IssueInvite(ctx context.Context, ref renovote.HouseholdRef, now time.Time) (renovote.Invite, error) {
	wrap := func(err error) error { return fmt.Errorf("issue invite %s: %w", ref, err) }
	ck, err := s.checkRef(ref)
	if err != nil {
		return renovote.Invite{}, wrap(err)
	}
	inv := renovote.Invite{Code: renovote.NewInviteCode(), Ref: ref, Issued: nowOr(now).UTC()}
	if err := s.putInviteIndex(ctx, s.rdb, inv); err != nil {
		return renovote.Invite{}, wrap(err)
	}
	js, _ := json.Marshal(invRecord{Code: inv.Code, Issued: inv.Issued})
	_, res, err := s.run(ctx, scriptInviteSet, []string{ck.hh, ck.inv}, ref.HouseholdID, string(js))
	if err != nil {
		s.rdb.Del(context.WithoutCancel(ctx), s.k.invite(inv.Code))
		return renovote.Invite{}, wrap(err)
	}
	if old := str(res, 0); old != "" {
		var r invRecord
		if json.Unmarshal([]byte(old), &r) == nil && r.Code != inv.Code && r.Code != "" {
			if err := s.markRevoked(ctx, r.Code); err != nil {
				return inv, wrap(err)
			}
		}
	}
	return inv, nil
}

// EnsureInvites issues codes to the compound's households (not removed) that
// never had one and returns every current invitation, in register order. A
// household whose invitation was revoked gets none until IssueInvite.
func (s *Store) EnsureInvites(ctx context.Context, compoundID string, now time.Time) ([]renovote.Invite, error) {
	wrap := func(err error) error { return fmt.Errorf("ensure invites %s: %w", compoundID, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return nil, wrap(err)
	}
	hhs, current, err := s.invites(ctx, compoundID, ck)
	if err != nil {
		return nil, wrap(err)
	}
	issued := nowOr(now).UTC()
	var proposals []renovote.Invite
	for _, h := range hhs {
		if _, ok := current[h.ID]; !ok && !h.Removed {
			proposals = append(proposals, renovote.Invite{Code: renovote.NewInviteCode(), Ref: h.Ref(), Issued: issued})
		}
	}
	if len(proposals) > 0 {
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, inv := range proposals {
				if err := s.putInviteIndex(ctx, p, inv); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return nil, wrap(err)
		}
		args := make([]any, 0, 2*len(proposals))
		for _, inv := range proposals {
			js, _ := json.Marshal(invRecord{Code: inv.Code, Issued: inv.Issued})
			args = append(args, inv.Ref.HouseholdID, string(js))
		}
		_, res, err := s.run(ctx, scriptInviteEnsure, []string{ck.hh, ck.inv}, args...)
		if err != nil {
			return nil, wrap(err)
		}
		taken := map[string]bool{}
		for _, id := range strs(res, 0) {
			taken[id] = true
		}
		for _, inv := range proposals {
			if !taken[inv.Ref.HouseholdID] { // lost a race: drop the unused index entry
				s.rdb.Del(ctx, s.k.invite(inv.Code))
			}
		}
		if hhs, current, err = s.invites(ctx, compoundID, ck); err != nil {
			return nil, wrap(err)
		}
	}
	out := make([]renovote.Invite, 0, len(hhs))
	for _, h := range hhs {
		if r, ok := current[h.ID]; ok && !h.Removed && r.Code != "" {
			out = append(out, renovote.Invite{Code: r.Code, Ref: h.Ref(), Issued: r.Issued})
		}
	}
	return out, nil
}

// invites reads the register and the current invitations of a compound.
func (s *Store) invites(ctx context.Context, compoundID string, ck compoundKeys) ([]renovote.Household, map[string]invRecord, error) {
	h, err := s.readHashes(ctx, ck, ck.hh, ck.inv)
	if err != nil {
		return nil, nil, err
	}
	hh, inv := h[0], h[1]
	hhs, err := decodeHouseholds(hh)
	if err != nil {
		return nil, nil, err
	}
	current := map[string]invRecord{}
	for id, js := range inv {
		var r invRecord
		if err := json.Unmarshal([]byte(js), &r); err != nil {
			return nil, nil, fmt.Errorf("decode invitation: %w", err)
		}
		current[id] = r
	}
	return hhs, current, nil
}

// RevokeInvite revokes the household's current code, if any; the household
// gets no new code from EnsureInvites until IssueInvite reissues one.
func (s *Store) RevokeInvite(ctx context.Context, ref renovote.HouseholdRef) error {
	wrap := func(err error) error { return fmt.Errorf("revoke invite %s: %w", ref, err) }
	ck, err := s.checkRef(ref)
	if err != nil {
		return wrap(err)
	}
	js, _ := json.Marshal(invRecord{Revoked: true})
	_, res, err := s.run(ctx, scriptInviteRevoke, []string{ck.hh, ck.inv}, ref.HouseholdID, string(js))
	if err != nil {
		return wrap(err)
	}
	if old := str(res, 0); old != "" {
		var r invRecord
		if json.Unmarshal([]byte(old), &r) == nil && r.Code != "" {
			if err := s.markRevoked(ctx, r.Code); err != nil {
				return wrap(err)
			}
		}
	}
	return nil
}

// ResolveInvite returns the household of a code: renovote.ErrNotFound for an
// unknown code, renovote.ErrRevoked for one that is no longer current.
func (s *Store) ResolveInvite(ctx context.Context, code string) (renovote.HouseholdRef, error) {
	// The code is never put in errors: it is a secret.
	wrap := func(err error) error { return fmt.Errorf("resolve invite: %w", err) }
	if !renovote.ValidInviteCode(code) {
		return renovote.HouseholdRef{}, wrap(renovote.ErrNotFound)
	}
	m, err := s.rdb.HGetAll(ctx, s.k.invite(code)).Result()
	if err != nil {
		return renovote.HouseholdRef{}, wrap(err)
	}
	if len(m) == 0 {
		return renovote.HouseholdRef{}, wrap(renovote.ErrNotFound)
	}
	ref := renovote.HouseholdRef{CompoundID: m["c"], HouseholdID: m["h"]}
	if m["revoked"] == "1" {
		return renovote.HouseholdRef{}, wrap(renovote.ErrRevoked)
	}
	ck, err := s.checkRef(ref)
	if err != nil {
		return renovote.HouseholdRef{}, wrap(err)
	}
	js, err := s.rdb.HGet(ctx, ck.inv, ref.HouseholdID).Result()
	if err != nil && err != redis.Nil {
		return renovote.HouseholdRef{}, wrap(err)
	}
	var r invRecord
	if js == "" || json.Unmarshal([]byte(js), &r) != nil || r.Code != code {
		return renovote.HouseholdRef{}, wrap(renovote.ErrRevoked)
	}
	return ref, nil
}

func (s *Store) putInviteIndex(ctx context.Context, c redis.Cmdable, inv renovote.Invite) error {
	return c.HSet(ctx, s.k.invite(inv.Code),
		"c", inv.Ref.CompoundID, "h", inv.Ref.HouseholdID, "issued", fmtTime(inv.Issued), "revoked", "0").Err()
}

// markRevoked flags an index entry as revoked (if it still exists).
func (s *Store) markRevoked(ctx context.Context, code string) error {
	k := s.k.invite(code)
	n, err := s.rdb.Exists(ctx, k).Result()
	if err != nil || n == 0 {
		return err
	}
	return s.rdb.HSet(ctx, k, "revoked", "1").Err()
}
