package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/renovote/renovote"
)

// Invitations: the invites table (household -> current code) is the truth;
// invite_codes keeps every code issued, so an old code is reported revoked
// rather than unknown.

// IssueInvite gives the household a new invitation code; its previous code,
// if any, is revoked.
func (s *Store) IssueInvite(ctx context.Context, ref renovote.HouseholdRef, now time.Time) (renovote.Invite, error) {
	wrap := func(err error) error { return fmt.Errorf("issue invite %s: %w", ref, err) }
	if err := checkRef(ref); err != nil {
		return renovote.Invite{}, wrap(err)
	}
	inv := renovote.Invite{Code: renovote.NewInviteCode(), Ref: ref, Issued: nowOr(now).UTC()}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := checkHousehold(ctx, tx, ref); err != nil {
			return err
		}
		return setInvite(ctx, tx, inv)
	})
	if err != nil {
		return renovote.Invite{}, wrap(err)
	}
	return inv, nil
}

// setInvite makes inv the household's current invitation, revoking the old code.
func setInvite(ctx context.Context, tx *sql.Tx, inv renovote.Invite) error {
	if _, err := tx.ExecContext(ctx, `UPDATE invite_codes SET revoked = 1 WHERE code IN
		(SELECT code FROM invites WHERE compound = ? AND household = ? AND code != '' AND code != ?)`,
		inv.Ref.CompoundID, inv.Ref.HouseholdID, inv.Code); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO invites (compound, household, code, issued, revoked)
		VALUES (?, ?, ?, ?, 0)`, inv.Ref.CompoundID, inv.Ref.HouseholdID, inv.Code, fmtTime(inv.Issued)); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO invite_codes (code, compound, household, issued, revoked)
		VALUES (?, ?, ?, ?, 0)`, inv.Code, inv.Ref.CompoundID, inv.Ref.HouseholdID, fmtTime(inv.Issued))
	return err
}

// EnsureInvites issues codes to the compound's households (not removed) that
// never had one and returns every current invitation, in register order. A
// household whose invitation was revoked gets none until IssueInvite.
func (s *Store) EnsureInvites(ctx context.Context, compoundID string, now time.Time) ([]renovote.Invite, error) {
	wrap := func(err error) error { return fmt.Errorf("ensure invites %s: %w", compoundID, err) }
	if err := checkCompound(compoundID); err != nil {
		return nil, wrap(err)
	}
	issued := nowOr(now).UTC()
	var out []renovote.Invite
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := compoundExists(ctx, tx, compoundID); err != nil {
			return err
		}
		hhs, err := households(ctx, tx, compoundID)
		if err != nil {
			return err
		}
		current, err := currentInvites(ctx, tx, compoundID)
		if err != nil {
			return err
		}
		out = make([]renovote.Invite, 0, len(hhs))
		for _, h := range hhs {
			if h.Removed {
				continue
			}
			r, ok := current[h.ID]
			if !ok {
				r = renovote.Invite{Code: renovote.NewInviteCode(), Ref: h.Ref(), Issued: issued}
				if err := setInvite(ctx, tx, r); err != nil {
					return err
				}
			}
			if r.Code != "" {
				out = append(out, r)
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrap(err)
	}
	return out, nil
}

// currentInvites reads a compound's current invitations by household (Code
// "" for a revoked one).
func currentInvites(ctx context.Context, q querier, compoundID string) (map[string]renovote.Invite, error) {
	out := map[string]renovote.Invite{}
	err := eachRow(ctx, q, `SELECT household, code, issued FROM invites WHERE compound = ?`, []any{compoundID},
		func(r *sql.Rows) error {
			var hid, code, issued string
			if err := r.Scan(&hid, &code, &issued); err != nil {
				return err
			}
			out[hid] = renovote.Invite{Code: code, Issued: parseTime(issued),
				Ref: renovote.HouseholdRef{CompoundID: compoundID, HouseholdID: hid}}
			return nil
		})
	return out, err
}

// RevokeInvite revokes the household's current code, if any; the household
// gets no new code from EnsureInvites until IssueInvite reissues one.
func (s *Store) RevokeInvite(ctx context.Context, ref renovote.HouseholdRef) error {
	wrap := func(err error) error { return fmt.Errorf("revoke invite %s: %w", ref, err) }
	if err := checkRef(ref); err != nil {
		return wrap(err)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		exists, _, err := householdState(ctx, tx, ref)
		if err != nil {
			return err
		}
		if !exists {
			return fail("household", renovote.ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invite_codes SET revoked = 1 WHERE code IN
			(SELECT code FROM invites WHERE compound = ? AND household = ? AND code != '')`,
			ref.CompoundID, ref.HouseholdID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO invites (compound, household, code, issued, revoked)
			VALUES (?, ?, '', ?, 1)`, ref.CompoundID, ref.HouseholdID, fmtTime(time.Time{}))
		return err
	})
	if err != nil {
		return wrap(err)
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
	var ref renovote.HouseholdRef
	err := s.read(ctx, func(tx *sql.Tx) error {
		var revoked bool
		err := tx.QueryRowContext(ctx, `SELECT compound, household, revoked FROM invite_codes WHERE code = ?`, code).
			Scan(&ref.CompoundID, &ref.HouseholdID, &revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return renovote.ErrNotFound
		}
		if err != nil {
			return err
		}
		if revoked {
			return renovote.ErrRevoked
		}
		var cur string
		err = tx.QueryRowContext(ctx, `SELECT code FROM invites WHERE compound = ? AND household = ?`,
			ref.CompoundID, ref.HouseholdID).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && cur != code) {
			return renovote.ErrRevoked
		}
		return err
	})
	if err != nil {
		return renovote.HouseholdRef{}, wrap(err)
	}
	return ref, nil
}
