package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

// hhRecord is a household as stored: the domain value plus its owner key.
type hhRecord struct {
	renovote.Household
	OwnerKey string `json:"owner_key"`
}

// ImportRegister stores the register of a compound in one transaction:
// households are added or updated (bindings, votes, survey answers and
// invitations are kept), missing ones reported or removed (RemoveMissing), and
// the compound's survey counters rebuilt from the answers of the households on
// the register. A removed household that is listed again is restored, with its
// vote and survey answer. The compound must be in the applied programme. A
// retried import leaves the same state (its diff then reports the households
// as unchanged).
func (s *Store) ImportRegister(ctx context.Context, compoundID string, hhs []renovote.Household, opts store.ImportOptions) (store.RegisterDiff, error) {
	var diff store.RegisterDiff
	wrap := func(err error) error { return fmt.Errorf("import register %s: %w", compoundID, err) }
	if err := checkCompound(compoundID); err != nil {
		return diff, wrap(err)
	}
	v := &renovote.ValidationError{What: "register"}
	if len(hhs) == 0 {
		v.Add("households", "an import needs at least one household")
	}
	type row struct {
		h  renovote.Household
		js string
	}
	rows := make([]row, 0, len(hhs))
	seen := map[string]int{}
	for i, h := range hhs {
		path := fmt.Sprintf("households[%d]", i)
		if h.ID == "" {
			h.ID = renovote.HouseholdID(h.Building, h.Unit, h.Room)
		}
		if h.CompoundID != "" && h.CompoundID != compoundID {
			v.Add(path+".compound", fmt.Sprintf("%q is not %q", h.CompoundID, compoundID))
		}
		if h.ID == "--" || len(h.ID) > maxIDLen {
			v.Add(path+".id", "missing or too long")
		} else if j, dup := seen[h.ID]; dup {
			v.Add(path+".id", fmt.Sprintf("%q is also households[%d]", h.ID, j))
		}
		seen[h.ID] = i
		if h.Area < 0 {
			v.Add(path+".area", "must not be negative")
		}
		h.CompoundID = compoundID
		h.Removed = false
		js, err := json.Marshal(hhRecord{Household: h, OwnerKey: h.OwnerKey()})
		if err != nil {
			return diff, wrap(err)
		}
		rows = append(rows, row{h, string(js)})
	}
	if err := v.Err(); err != nil {
		return diff, wrap(err)
	}
	at := fmtTime(nowOr(opts.Now))
	err := s.write(ctx, func(tx *sql.Tx) error {
		diff = store.RegisterDiff{}
		c, err := getCompound(ctx, tx, compoundID)
		if err != nil {
			return err
		}
		if !c.active {
			return fail("compound", renovote.ErrNotFound)
		}
		stored, err := householdJSON(ctx, tx, compoundID)
		if err != nil {
			return err
		}
		incoming := map[string]bool{}
		for _, r := range rows {
			incoming[r.h.ID] = true
			old, ok := stored[r.h.ID]
			switch {
			case !ok:
				diff.Added = append(diff.Added, r.h.ID)
			case old == r.js:
				diff.Unchanged = append(diff.Unchanged, r.h.ID)
				continue
			default:
				diff.Updated = append(diff.Updated, r.h.ID)
			}
			if err := putHousehold(ctx, tx, r.h, r.js); err != nil {
				return err
			}
		}
		for hid, js := range stored {
			if incoming[hid] {
				continue
			}
			var rec hhRecord
			if err := json.Unmarshal([]byte(js), &rec); err != nil {
				return fmt.Errorf("decode household: %w", err)
			}
			if rec.Removed {
				continue
			}
			diff.Missing = append(diff.Missing, hid)
			if opts.RemoveMissing {
				rec.Removed = true
				b, err := json.Marshal(rec)
				if err != nil {
					return err
				}
				if err := putHouseholdRecord(ctx, tx, rec, string(b)); err != nil {
					return err
				}
				diff.Removed = append(diff.Removed, hid)
			}
		}
		if err := recomputeSurvey(ctx, tx, compoundID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO register_audit (compound, actor, at, added, updated, unchanged, missing, removed)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, compoundID, opts.Actor, at,
			len(diff.Added), len(diff.Updated), len(diff.Unchanged), len(diff.Missing), len(diff.Removed))
		return err
	})
	if err != nil {
		return store.RegisterDiff{}, wrap(err)
	}
	for _, l := range [][]string{diff.Added, diff.Updated, diff.Unchanged, diff.Missing, diff.Removed} {
		slices.Sort(l)
	}
	return diff, nil
}

// householdJSON reads a compound's stored household JSON by id.
func householdJSON(ctx context.Context, q querier, compoundID string) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, js FROM households WHERE compound = ?`, compoundID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, js string
		if err := rows.Scan(&id, &js); err != nil {
			return nil, err
		}
		out[id] = js
	}
	return out, rows.Err()
}

func putHousehold(ctx context.Context, tx *sql.Tx, h renovote.Household, js string) error {
	return putHouseholdRecord(ctx, tx, hhRecord{Household: h, OwnerKey: h.OwnerKey()}, js)
}

func putHouseholdRecord(ctx context.Context, tx *sql.Tx, r hhRecord, js string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO households (compound, id, js, removed, area, owner_key)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (compound, id) DO UPDATE SET js = excluded.js, removed = excluded.removed,
		area = excluded.area, owner_key = excluded.owner_key`,
		r.CompoundID, r.ID, js, b2i(r.Removed), int64(r.Area), r.OwnerKey)
	return err
}

// RebuildCounters recomputes the compound's survey counters from the answers
// (a repair tool; the submissions keep them exact) and returns the tally,
// which is always computed from the data.
func (s *Store) RebuildCounters(ctx context.Context, compoundID string) (renovote.Tally, error) {
	wrap := func(err error) error { return fmt.Errorf("rebuild counters %s: %w", compoundID, err) }
	if err := checkCompound(compoundID); err != nil {
		return renovote.Tally{}, wrap(err)
	}
	if err := s.write(ctx, func(tx *sql.Tx) error {
		if err := compoundExists(ctx, tx, compoundID); err != nil {
			return fail("compound", err)
		}
		return recomputeSurvey(ctx, tx, compoundID)
	}); err != nil {
		return renovote.Tally{}, wrap(err)
	}
	return s.Tally(ctx, compoundID)
}

// Household returns one household (also a removed one, with Removed set).
func (s *Store) Household(ctx context.Context, ref renovote.HouseholdRef) (renovote.Household, error) {
	wrap := func(err error) error { return fmt.Errorf("household %s: %w", ref, err) }
	if err := checkRef(ref); err != nil {
		return renovote.Household{}, wrap(err)
	}
	var js string
	err := s.r.QueryRowContext(ctx, `SELECT js FROM households WHERE compound = ? AND id = ?`,
		ref.CompoundID, ref.HouseholdID).Scan(&js)
	if errors.Is(err, sql.ErrNoRows) {
		return renovote.Household{}, wrap(renovote.ErrNotFound)
	}
	if err != nil {
		return renovote.Household{}, wrap(err)
	}
	h, err := decodeHousehold(js)
	if err != nil {
		return h, wrap(err)
	}
	return h, nil
}

// Households returns the compound's register, removed households included
// (Removed set), sorted by building, unit and room in natural order.
func (s *Store) Households(ctx context.Context, compoundID string) ([]renovote.Household, error) {
	wrap := func(err error) error { return fmt.Errorf("households %s: %w", compoundID, err) }
	if err := checkCompound(compoundID); err != nil {
		return nil, wrap(err)
	}
	var out []renovote.Household
	if err := s.read(ctx, func(tx *sql.Tx) error {
		if err := compoundExists(ctx, tx, compoundID); err != nil {
			return err
		}
		var err error
		out, err = households(ctx, tx, compoundID)
		return err
	}); err != nil {
		return nil, wrap(err)
	}
	return out, nil
}

// households reads and sorts a compound's register.
func households(ctx context.Context, q querier, compoundID string) ([]renovote.Household, error) {
	rows, err := q.QueryContext(ctx, `SELECT js FROM households WHERE compound = ?`, compoundID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []renovote.Household{}
	for rows.Next() {
		var js string
		if err := rows.Scan(&js); err != nil {
			return nil, err
		}
		h, err := decodeHousehold(js)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	store.SortHouseholds(out)
	return out, nil
}

func decodeHousehold(js string) (renovote.Household, error) {
	var r hhRecord
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		return renovote.Household{}, fmt.Errorf("decode household: %w", err)
	}
	return r.Household, nil
}

// householdState is what the writes check of a household.
func householdState(ctx context.Context, q querier, ref renovote.HouseholdRef) (exists, removed bool, err error) {
	err = q.QueryRowContext(ctx, `SELECT removed FROM households WHERE compound = ? AND id = ?`,
		ref.CompoundID, ref.HouseholdID).Scan(&removed)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, nil
	}
	return err == nil, removed, err
}

// checkHousehold fails unless the household is on the register.
func checkHousehold(ctx context.Context, q querier, ref renovote.HouseholdRef) error {
	exists, removed, err := householdState(ctx, q, ref)
	switch {
	case err != nil:
		return err
	case !exists:
		return fail("household", renovote.ErrNotFound)
	case removed:
		return renovote.ErrRemoved
	}
	return nil
}
