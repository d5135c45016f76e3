package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

// Staff: one row per member of staff (renovote.StaffMember JSON); every change
// is one transaction with its audit entry (staff_audit, scope ''), so the
// audit never misses nor invents a change. A staff invitation is used and its
// user made staff in one transaction, so it happens once.

// SetStaff adds a member of staff or changes their role and scope, recording
// the change (op "add" or "change", m.AddedBy as who, m.Added as when).
// Setting the role and scope a member already has changes nothing and records
// nothing. m.Role must be worker, bureau or admin; a worker needs a scope
// (compound ids or renovote.AllCompounds, which then stands alone); the
// bureau's and admins' scopes are dropped. A zero m.Added is now.
func (s *Store) SetStaff(ctx context.Context, m renovote.StaffMember) error {
	wrap := func(err error) error { return fmt.Errorf("set staff %d: %w", m.UserID, err) }
	m, err := normMember(m)
	if err != nil {
		return wrap(err)
	}
	js, err := json.Marshal(m)
	if err != nil {
		return wrap(err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		cur, ok, err := staffMember(ctx, tx, m.UserID)
		if err != nil {
			return err
		}
		op := "add"
		if ok {
			if cur.Role == m.Role && slices.Equal(cur.Compounds, m.Compounds) {
				return nil
			}
			op = "change"
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO staff (user_id, js) VALUES (?, ?)`, m.UserID, string(js)); err != nil {
			return err
		}
		return staffAudit(ctx, tx, "", op, m.UserID, string(m.Role), strings.Join(m.Compounds, ","), m.AddedBy, fmtTime(m.Added))
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}

// staffAudit appends an entry to the staff audit (scope "") or a compound's
// supervisor audit (scope: its id).
func staffAudit(ctx context.Context, tx *sql.Tx, scope, op string, userID int64, role, compounds, by, at string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO staff_audit (scope, op, user_id, role, compounds, by_whom, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, scope, op, userID, role, compounds, by, at)
	return err
}

func staffMember(ctx context.Context, q querier, userID int64) (renovote.StaffMember, bool, error) {
	var js string
	err := q.QueryRowContext(ctx, `SELECT js FROM staff WHERE user_id = ?`, userID).Scan(&js)
	if errors.Is(err, sql.ErrNoRows) {
		return renovote.StaffMember{}, false, nil
	}
	if err != nil {
		return renovote.StaffMember{}, false, err
	}
	var m renovote.StaffMember
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		return m, false, fmt.Errorf("decode staff member: %w", err)
	}
	return m, true, nil
}

// RevokeStaff removes a member of staff, recording the change (op "remove");
// renovote.ErrNotFound if the user is not staff.
func (s *Store) RevokeStaff(ctx context.Context, userID int64, by string, at time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		cur, ok, err := staffMember(ctx, tx, userID)
		if err != nil {
			return err
		}
		if !ok {
			return fail("staff member", renovote.ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM staff WHERE user_id = ?`, userID); err != nil {
			return err
		}
		return staffAudit(ctx, tx, "", "remove", userID, string(cur.Role), strings.Join(cur.Compounds, ","), by, fmtTime(nowOr(at)))
	})
	if err != nil {
		return fmt.Errorf("revoke staff %d: %w", userID, err)
	}
	return nil
}

// StaffMember returns the user's staff record, if they are staff.
func (s *Store) StaffMember(ctx context.Context, userID int64) (renovote.StaffMember, bool, error) {
	m, ok, err := staffMember(ctx, s.r, userID)
	if err != nil {
		return renovote.StaffMember{}, false, fmt.Errorf("staff member %d: %w", userID, err)
	}
	return m, ok, nil
}

// StaffMembers lists every named member of staff, by user id.
func (s *Store) StaffMembers(ctx context.Context) ([]renovote.StaffMember, error) {
	out, err := s.staffMembers(ctx)
	if err != nil {
		return nil, fmt.Errorf("staff members: %w", err)
	}
	return out, nil
}

func (s *Store) staffMembers(ctx context.Context) ([]renovote.StaffMember, error) {
	out := []renovote.StaffMember{}
	err := eachRow(ctx, s.r, `SELECT js FROM staff ORDER BY user_id`, nil, func(r *sql.Rows) error {
		var js string
		if err := r.Scan(&js); err != nil {
			return err
		}
		var m renovote.StaffMember
		if err := json.Unmarshal([]byte(js), &m); err != nil {
			return fmt.Errorf("decode staff member: %w", err)
		}
		out = append(out, m)
		return nil
	})
	return out, err
}

// StaffOf lists the staff whose scope covers the compound (its workers,
// workers of every compound, the bureau and stored admins), by user id.
func (s *Store) StaffOf(ctx context.Context, compoundID string) ([]renovote.StaffMember, error) {
	wrap := func(err error) error { return fmt.Errorf("staff of %s: %w", compoundID, err) }
	if !renovote.ValidID(compoundID) {
		return nil, wrap(fmt.Errorf("compound id: %w", renovote.ErrInvalid))
	}
	all, err := s.staffMembers(ctx)
	if err != nil {
		return nil, wrap(err)
	}
	return slices.DeleteFunc(all, func(m renovote.StaffMember) bool { return !m.Covers(compoundID) }), nil
}

// CreateStaffInvite stores a one-time staff invitation under a fresh code
// (inv.Code and inv.UsedBy are ignored) and returns it. The role must be
// worker or bureau, a worker's invitation needs a scope, inv.By is required,
// and inv.Expires must be after inv.Created (a zero Created is now). The
// invitation is kept until Expires plus Options.OpTTL (on the store's clock,
// from now); after that its code is unknown.
func (s *Store) CreateStaffInvite(ctx context.Context, inv renovote.StaffInvite) (renovote.StaffInvite, error) {
	wrap := func(err error) error { return fmt.Errorf("create staff invite: %w", err) }
	inv.Created = nowOr(inv.Created).UTC()
	inv.Expires = inv.Expires.UTC()
	inv.UsedBy = 0
	v := &renovote.ValidationError{What: "staff invitation"}
	if inv.Role != renovote.RoleWorker && inv.Role != renovote.RoleBureau {
		v.Add("role", fmt.Sprintf("%q is not worker or bureau", inv.Role))
	}
	scope, err := renovote.StaffScope(inv.Role, inv.Compounds)
	if err != nil {
		v.Add("compounds", err.Error())
	}
	if inv.By == "" {
		v.Add("by", "missing")
	}
	if inv.Expires.IsZero() {
		v.Add("expires", "missing")
	} else if !inv.Expires.After(inv.Created) {
		v.Add("expires", "not after created")
	}
	if err := v.Err(); err != nil {
		return renovote.StaffInvite{}, wrap(err)
	}
	inv.Compounds = scope
	keep := s.now().Add(inv.Expires.Sub(inv.Created) + s.opts.OpTTL).UnixNano()
	for range 3 { // a taken code is all but impossible: draw another
		inv.Code = renovote.NewInviteCode()
		js, err := json.Marshal(inv)
		if err != nil {
			return renovote.StaffInvite{}, wrap(err)
		}
		taken := false
		err = s.write(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `INSERT INTO staff_invites (code, js, keep_ns) VALUES (?, ?, ?)
				ON CONFLICT (code) DO UPDATE SET js = excluded.js, keep_ns = excluded.keep_ns
				WHERE staff_invites.keep_ns <= ?`, inv.Code, string(js), keep, s.now().UnixNano())
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			taken = n == 0
			return err
		})
		if err != nil {
			return renovote.StaffInvite{}, wrap(err)
		}
		if !taken {
			return inv, nil
		}
	}
	return renovote.StaffInvite{}, wrap(fmt.Errorf("no free code: %w", renovote.ErrConflict))
}

func staffInvite(ctx context.Context, q querier, code string, now time.Time) (renovote.StaffInvite, bool, error) {
	var js string
	err := q.QueryRowContext(ctx, `SELECT js FROM staff_invites WHERE code = ? AND keep_ns > ?`, code, now.UnixNano()).Scan(&js)
	if errors.Is(err, sql.ErrNoRows) {
		return renovote.StaffInvite{}, false, nil
	}
	if err != nil {
		return renovote.StaffInvite{}, false, err
	}
	var inv renovote.StaffInvite
	if err := json.Unmarshal([]byte(js), &inv); err != nil {
		return inv, false, fmt.Errorf("decode staff invitation: %w", err)
	}
	return inv, true, nil
}

// RedeemStaffInvite makes userID staff with the invitation's role and scope,
// once, in one transaction with its audit entry (op "redeem", the inviter as
// who). The code may carry renovote.StaffInvitePrefix. Errors:
// renovote.ErrNotFound for an unknown code (or one kept past its expiry plus
// Options.OpTTL), renovote.ErrRevoked for one used by another user or expired
// at at. Redeeming again by the user who used it is a no-op that returns their
// record, or renovote.ErrRevoked if they have been revoked since.
//
// An invitation never lowers a role: a member whose role outranks the
// invitation's keeps their record (the invitation is used all the same); a
// worker invited as a worker gets the union of both scopes; otherwise the
// invitation's role and scope replace the record.
func (s *Store) RedeemStaffInvite(ctx context.Context, code string, userID int64, at time.Time) (renovote.StaffMember, error) {
	// The code is never put in errors: it is a secret.
	wrap := func(err error) error { return fmt.Errorf("redeem staff invite: %w", err) }
	code = strings.TrimPrefix(code, renovote.StaffInvitePrefix)
	if !renovote.ValidInviteCode(code) {
		return renovote.StaffMember{}, wrap(renovote.ErrNotFound)
	}
	if userID == 0 {
		return renovote.StaffMember{}, wrap(fmt.Errorf("user id missing: %w", renovote.ErrInvalid))
	}
	at = nowOr(at).UTC()
	var out renovote.StaffMember
	err := s.write(ctx, func(tx *sql.Tx) error {
		inv, ok, err := staffInvite(ctx, tx, code, s.now())
		if err != nil {
			return err
		}
		if !ok {
			return renovote.ErrNotFound
		}
		m, isStaff, err := staffMember(ctx, tx, userID)
		if err != nil {
			return err
		}
		var cur *renovote.StaffMember
		if isStaff {
			cur = &m
		}
		switch {
		case inv.UsedBy == userID && cur != nil:
			out = *cur // a retry, or the link opened twice
			return nil
		case inv.UsedBy != 0:
			return fmt.Errorf("used: %w", renovote.ErrRevoked)
		case !at.Before(inv.Expires):
			return fmt.Errorf("expired: %w", renovote.ErrRevoked)
		}
		next, changed, err := redeemed(inv, cur, userID, at)
		if err != nil {
			return err
		}
		if changed {
			js, err := json.Marshal(next)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO staff (user_id, js) VALUES (?, ?)`, userID, string(js)); err != nil {
				return err
			}
		}
		used := inv
		used.UsedBy = userID
		ujs, err := json.Marshal(used)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE staff_invites SET js = ? WHERE code = ?`, string(ujs), code); err != nil {
			return err
		}
		out = next
		return staffAudit(ctx, tx, "", "redeem", userID, string(next.Role), strings.Join(next.Compounds, ","), inv.By, fmtTime(at))
	})
	if err != nil {
		return renovote.StaffMember{}, wrap(err)
	}
	return out, nil
}

// StaffInvite reads a staff invitation without using it: renovote.ErrNotFound
// for an unknown code. The code is never put in errors.
func (s *Store) StaffInvite(ctx context.Context, code string) (renovote.StaffInvite, error) {
	wrap := func(err error) error { return fmt.Errorf("staff invite: %w", err) }
	code = strings.TrimPrefix(code, renovote.StaffInvitePrefix)
	if !renovote.ValidInviteCode(code) {
		return renovote.StaffInvite{}, wrap(renovote.ErrNotFound)
	}
	inv, ok, err := staffInvite(ctx, s.r, code, s.now())
	if err != nil {
		return renovote.StaffInvite{}, wrap(err)
	}
	if !ok {
		return renovote.StaffInvite{}, wrap(renovote.ErrNotFound)
	}
	return inv, nil
}

// AddWorker makes userID a community worker of every compound (SetStaff with
// role worker and scope renovote.AllCompounds), recording who did it.
func (s *Store) AddWorker(ctx context.Context, userID int64, by string, now time.Time) error {
	err := s.SetStaff(ctx, renovote.StaffMember{UserID: userID, Role: renovote.RoleWorker,
		Compounds: []string{renovote.AllCompounds}, AddedBy: by, Added: now})
	if err != nil {
		return fmt.Errorf("add worker: %w", err)
	}
	return nil
}

// RemoveWorker revokes userID's staff record (RevokeStaff, whatever the
// role). Idempotent: a user who is not staff is left alone.
func (s *Store) RemoveWorker(ctx context.Context, userID int64, by string, now time.Time) error {
	if err := s.RevokeStaff(ctx, userID, by, now); err != nil && !errors.Is(err, renovote.ErrNotFound) {
		return fmt.Errorf("remove worker: %w", err)
	}
	return nil
}

// IsWorker reports whether userID is staff with role worker (of any scope).
func (s *Store) IsWorker(ctx context.Context, userID int64) (bool, error) {
	m, ok, err := s.StaffMember(ctx, userID)
	if err != nil {
		return false, fmt.Errorf("is worker: %w", err)
	}
	return ok && m.Role == renovote.RoleWorker, nil
}

// Workers lists the user ids of the staff with role worker, sorted.
func (s *Store) Workers(ctx context.Context) ([]int64, error) {
	all, err := s.staffMembers(ctx)
	if err != nil {
		return nil, fmt.Errorf("workers: %w", err)
	}
	out := []int64{}
	for _, m := range all {
		if m.Role == renovote.RoleWorker {
			out = append(out, m.UserID)
		}
	}
	return out, nil
}

// StaffAudit returns the staff changes, oldest first.
func (s *Store) StaffAudit(ctx context.Context) ([]store.StaffChange, error) {
	out, err := s.readStaffAudit(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("staff audit: %w", err)
	}
	return out, nil
}

func (s *Store) readStaffAudit(ctx context.Context, scope string) ([]store.StaffChange, error) {
	out := []store.StaffChange{}
	err := eachRow(ctx, s.r, `SELECT seq, op, user_id, role, compounds, by_whom, at FROM staff_audit
		WHERE scope = ? ORDER BY seq`, []any{scope}, func(r *sql.Rows) error {
		var seq, uid int64
		var op, role, comps, by, at string
		if err := r.Scan(&seq, &op, &uid, &role, &comps, &by, &at); err != nil {
			return err
		}
		var list []string
		if comps != "" {
			list = strings.Split(comps, ",")
		}
		out = append(out, store.StaffChange{ID: seqID(seq), Op: op, Role: role, Compounds: list, UserID: uid,
			By: by, At: parseTime(at)})
		return nil
	})
	return out, err
}

// normMember is renovote.StaffMember.Normalized with Added now when unset.
func normMember(m renovote.StaffMember) (renovote.StaffMember, error) {
	m.Added = nowOr(m.Added)
	return m.Normalized()
}

// redeemed is renovote.StaffInvite.Redeem at time at (now when unset).
func redeemed(inv renovote.StaffInvite, cur *renovote.StaffMember, userID int64, at time.Time) (renovote.StaffMember, bool, error) {
	return inv.Redeem(cur, userID, nowOr(at))
}
