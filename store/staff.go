package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// Staff: named members of staff with a role (community worker, housing bureau,
// admin) and, for a worker, a scope of compounds. The records are one hash in
// the {staff} slot (user id -> renovote.StaffMember JSON); every change (set,
// revoke, redeem) is one script that also appends to the {staff}:audit stream,
// so the audit never misses nor invents a change. Staff invitations are keys
// of the same slot, so using one and making its user staff is one script.
//
// The community workers of issue 2 (a set of user ids) are moved into the
// records on a store's first staff call: each becomes a worker of every
// compound (renovote.AllCompounds), audited as "migrate".

// SetStaff adds a member of staff or changes their role and scope, recording
// the change (op "add" or "change", m.AddedBy as who, m.Added as when) in the
// staff audit stream. The record keeps who set it last and when. Setting the
// role and scope a member already has changes nothing and records nothing.
// m.Role must be worker, bureau or admin; a worker needs a scope (compound ids
// or renovote.AllCompounds, which then stands alone); the bureau's and admins'
// scopes are dropped (they cover every compound). A zero m.Added is now.
func (s *Store) SetStaff(ctx context.Context, m renovote.StaffMember) error {
	wrap := func(err error) error { return fmt.Errorf("set staff %d: %w", m.UserID, err) }
	m, err := normMember(m)
	if err != nil {
		return wrap(err)
	}
	if err := s.ensureStaff(ctx); err != nil {
		return wrap(err)
	}
	if _, err := s.setStaff(ctx, m); err != nil {
		return wrap(err)
	}
	return nil
}

// setStaff runs the set script and reports whether anything changed.
func (s *Store) setStaff(ctx context.Context, m renovote.StaffMember) (bool, error) {
	js, err := json.Marshal(m)
	if err != nil {
		return false, err
	}
	_, res, err := s.run(ctx, scriptStaffSet, []string{s.k.staffMembers(), s.k.staffAudit()},
		strconv.FormatInt(m.UserID, 10), string(m.Role), strings.Join(m.Compounds, ","), string(js),
		m.AddedBy, fmtTime(m.Added))
	if err != nil {
		return false, err
	}
	return str(res, 0) != "same", nil
}

// RevokeStaff removes a member of staff, recording the change (op "remove");
// renovote.ErrNotFound if the user is not staff.
func (s *Store) RevokeStaff(ctx context.Context, userID int64, by string, at time.Time) error {
	wrap := func(err error) error { return fmt.Errorf("revoke staff %d: %w", userID, err) }
	if err := s.ensureStaff(ctx); err != nil {
		return wrap(err)
	}
	if _, _, err := s.run(ctx, scriptStaffRevoke, []string{s.k.staffMembers(), s.k.staffAudit()},
		strconv.FormatInt(userID, 10), by, fmtTime(nowOr(at))); err != nil {
		return wrap(err)
	}
	return nil
}

// StaffMember returns the user's staff record, if they are staff.
func (s *Store) StaffMember(ctx context.Context, userID int64) (renovote.StaffMember, bool, error) {
	wrap := func(err error) error { return fmt.Errorf("staff member %d: %w", userID, err) }
	if err := s.ensureStaff(ctx); err != nil {
		return renovote.StaffMember{}, false, wrap(err)
	}
	js, err := s.rdb.HGet(ctx, s.k.staffMembers(), strconv.FormatInt(userID, 10)).Result()
	if isNil(err) {
		return renovote.StaffMember{}, false, nil
	}
	if err != nil {
		return renovote.StaffMember{}, false, wrap(err)
	}
	m, err := decodeMember(js)
	if err != nil {
		return renovote.StaffMember{}, false, wrap(err)
	}
	return m, true, nil
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
	if err := s.ensureStaff(ctx); err != nil {
		return nil, err
	}
	all, err := s.rdb.HGetAll(ctx, s.k.staffMembers()).Result()
	if err != nil {
		return nil, err
	}
	out := make([]renovote.StaffMember, 0, len(all))
	for _, js := range all {
		m, err := decodeMember(js)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b renovote.StaffMember) int { return cmpInt(a.UserID, b.UserID) })
	return out, nil
}

// StaffOf lists the staff whose scope covers the compound (its workers, workers
// of every compound, the bureau and stored admins), by user id.
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

func decodeMember(js string) (renovote.StaffMember, error) {
	var m renovote.StaffMember
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		return m, fmt.Errorf("decode staff member: %w", err)
	}
	return m, nil
}

// staffInviteGrace is how long a staff invitation is kept after it expires,
// so that it is reported as expired (renovote.ErrRevoked) rather than unknown.
func (s *Store) staffInviteGrace() time.Duration { return s.opts.OpTTL }

// CreateStaffInvite stores a one-time staff invitation under a fresh code
// (renovote.NewInviteCode; inv.Code and inv.UsedBy are ignored) and returns it.
// The role must be worker or bureau (admins come from configuration), a
// worker's invitation needs a scope, inv.By is required, and inv.Expires must
// be after inv.Created (a zero Created is now). The invitation is kept until
// Expires plus Options.OpTTL; after that its code is unknown.
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
	ttl := inv.Expires.Sub(inv.Created) + s.staffInviteGrace()
	for range 3 { // a taken code is all but impossible: draw another
		inv.Code = renovote.NewInviteCode()
		js, err := json.Marshal(inv)
		if err != nil {
			return renovote.StaffInvite{}, wrap(err)
		}
		ok, err := s.rdb.SetNX(ctx, s.k.staffInvite(inv.Code), js, ttl).Result()
		if err != nil {
			return renovote.StaffInvite{}, wrap(err)
		}
		if ok {
			return inv, nil
		}
	}
	return renovote.StaffInvite{}, wrap(fmt.Errorf("no free code: %w", renovote.ErrConflict))
}

// RedeemStaffInvite makes userID staff with the invitation's role and scope,
// once, in one script with its audit entry (op "redeem", the inviter as who).
// The code may carry renovote.StaffInvitePrefix. Errors: renovote.ErrNotFound
// for an unknown code (or one kept past its expiry plus Options.OpTTL),
// renovote.ErrRevoked for one used by another user or expired at at
// (at ≥ Expires). Redeeming again by the user who used it is a no-op that
// returns their record, or renovote.ErrRevoked if they have been revoked since.
// Of concurrent redemptions exactly one wins.
//
// An invitation never lowers a role: a member whose role outranks the
// invitation's (admin > bureau > worker) keeps their record (the invitation is
// used all the same); a worker invited as a worker gets the union of both
// scopes; otherwise the invitation's role and scope replace the record, with
// the inviter as AddedBy and at as Added.
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
	if err := s.ensureStaff(ctx); err != nil {
		return renovote.StaffMember{}, wrap(err)
	}
	at = nowOr(at).UTC()
	key, uid := s.k.staffInvite(code), strconv.FormatInt(userID, 10)
	var invCmd, memCmd *redis.StringCmd
	if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		invCmd = p.Get(ctx, key)
		memCmd = p.HGet(ctx, s.k.staffMembers(), uid)
		return nil
	}); err != nil && !isNil(err) {
		return renovote.StaffMember{}, wrap(err)
	}
	invJS, memJS := invCmd.Val(), memCmd.Val()
	for range maxMoveAttempts {
		if invJS == "" {
			return renovote.StaffMember{}, wrap(renovote.ErrNotFound)
		}
		var inv renovote.StaffInvite
		if err := json.Unmarshal([]byte(invJS), &inv); err != nil {
			return renovote.StaffMember{}, wrap(fmt.Errorf("decode staff invitation: %w", err))
		}
		var cur *renovote.StaffMember
		if memJS != "" {
			m, err := decodeMember(memJS)
			if err != nil {
				return renovote.StaffMember{}, wrap(err)
			}
			cur = &m
		}
		switch {
		case inv.UsedBy == userID && cur != nil:
			return *cur, nil // a retry, or the link opened twice
		case inv.UsedBy != 0:
			return renovote.StaffMember{}, wrap(fmt.Errorf("used: %w", renovote.ErrRevoked))
		case !at.Before(inv.Expires):
			return renovote.StaffMember{}, wrap(fmt.Errorf("expired: %w", renovote.ErrRevoked))
		}
		next, changed, err := redeemed(inv, cur, userID, at)
		if err != nil {
			return renovote.StaffMember{}, wrap(err)
		}
		nextJS := ""
		if changed {
			b, err := json.Marshal(next)
			if err != nil {
				return renovote.StaffMember{}, wrap(err)
			}
			nextJS = string(b)
		}
		used := inv
		used.UsedBy = userID
		usedJS, err := json.Marshal(used)
		if err != nil {
			return renovote.StaffMember{}, wrap(err)
		}
		st, res, err := s.run(ctx, scriptStaffRedeem, []string{key, s.k.staffMembers(), s.k.staffAudit()},
			invJS, memJS, string(usedJS), uid, nextJS, string(next.Role), strings.Join(next.Compounds, ","),
			inv.By, fmtTime(at))
		if err != nil {
			return renovote.StaffMember{}, wrap(err)
		}
		if st == "STALE" { // used or the member changed meanwhile: decide again
			invJS, memJS = str(res, 0), str(res, 1)
			continue
		}
		return next, nil
	}
	return renovote.StaffMember{}, wrap(fmt.Errorf("staff record keeps changing: %w", renovote.ErrConflict))
}

// ensureStaff moves the issue-2 community workers into the staff records,
// once per store (the script is idempotent, so stores sharing a database may
// each run it).
func (s *Store) ensureStaff(ctx context.Context) error {
	if s.staffReady.Load() {
		return nil
	}
	if _, _, err := s.run(ctx, scriptStaffMigrate, []string{s.k.workers(), s.k.staffMembers(), s.k.staffAudit()},
		fmtTime(time.Now())); err != nil {
		return fmt.Errorf("migrate workers: %w", err)
	}
	s.staffReady.Store(true)
	return nil
}

// AddWorker makes userID a community worker of every compound
// (SetStaff with role worker and scope renovote.AllCompounds), recording who
// did it. Idempotent. A member of staff with another role or scope becomes a
// worker of every compound.
func (s *Store) AddWorker(ctx context.Context, userID int64, by string, now time.Time) error {
	err := s.SetStaff(ctx, renovote.StaffMember{UserID: userID, Role: renovote.RoleWorker,
		Compounds: []string{renovote.AllCompounds}, AddedBy: by, Added: now})
	if err != nil {
		return fmt.Errorf("add worker: %w", err)
	}
	return nil
}

// RemoveWorker revokes userID's staff record (RevokeStaff, whatever the role),
// recording the change. Idempotent: a user who is not staff is left alone.
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

// sortedIDs parses user ids (skipping anything else) and sorts them.
func sortedIDs(ms []string) []int64 {
	out := make([]int64, 0, len(ms))
	for _, m := range ms {
		if id, err := strconv.ParseInt(m, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// StaffChange is one entry of a staff audit stream: the global one (members of
// staff: Role worker, bureau or admin) or a compound's (resident supervisors,
// Role "supervisor").
type StaffChange struct {
	ID string `json:"id"`
	// Op is add, change or remove (SetStaff, RevokeStaff; a supervisor's add or
	// remove), redeem (a staff invitation used: By is the inviter) or migrate
	// (an issue-2 worker moved into the staff records).
	Op        string    `json:"op"`
	Role      string    `json:"role"`
	Compounds []string  `json:"compounds,omitempty"` // the scope after the change (before a remove)
	UserID    int64     `json:"user"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

// StaffAudit returns the staff changes, oldest first.
func (s *Store) StaffAudit(ctx context.Context) ([]StaffChange, error) {
	out, err := s.readStaffAudit(ctx, s.k.staffAudit())
	if err != nil {
		return nil, fmt.Errorf("staff audit: %w", err)
	}
	return out, nil
}

func (s *Store) readStaffAudit(ctx context.Context, key string) ([]StaffChange, error) {
	msgs, err := s.rdb.XRange(ctx, key, "-", "+").Result()
	if err != nil {
		return nil, err
	}
	out := make([]StaffChange, 0, len(msgs))
	for _, m := range msgs {
		f := func(k string) string { v, _ := m.Values[k].(string); return v }
		id, _ := strconv.ParseInt(f("user"), 10, 64)
		role := f("role")
		if role == "" {
			role = "worker" // issue-2 entries
		}
		var scope []string
		if c := f("compounds"); c != "" {
			scope = strings.Split(c, ",")
		}
		out = append(out, StaffChange{ID: m.ID, Op: f("op"), Role: role, Compounds: scope, UserID: id,
			By: f("by"), At: parseTime(f("at"))})
	}
	return out, nil
}

// StaffInvite reads a staff invitation without using it (for the confirmation
// screen): renovote.ErrNotFound for an unknown code. The code is never put in
// errors.
func (s *Store) StaffInvite(ctx context.Context, code string) (renovote.StaffInvite, error) {
	wrap := func(err error) error { return fmt.Errorf("staff invite: %w", err) }
	code = strings.TrimPrefix(code, renovote.StaffInvitePrefix)
	if !renovote.ValidInviteCode(code) {
		return renovote.StaffInvite{}, wrap(renovote.ErrNotFound)
	}
	js, err := s.rdb.Get(ctx, s.k.staffInvite(code)).Result()
	if isNil(err) {
		return renovote.StaffInvite{}, wrap(renovote.ErrNotFound)
	}
	if err != nil {
		return renovote.StaffInvite{}, wrap(err)
	}
	var inv renovote.StaffInvite
	if err := json.Unmarshal([]byte(js), &inv); err != nil {
		return renovote.StaffInvite{}, wrap(fmt.Errorf("decode staff invitation: %w", err))
	}
	return inv, nil
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
