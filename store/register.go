package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// ImportOptions control a register import.
type ImportOptions struct {
	// RemoveMissing marks households that are stored but not in the import as
	// Removed; without it they are only reported as Missing.
	RemoveMissing bool
	Actor         string // who imports ("tg:<id>", "cli:<name>"), for the register audit
	Now           time.Time
}

// RegisterDiff says what an import changed, by household id (sorted).
type RegisterDiff struct {
	Added     []string `json:"added"`
	Updated   []string `json:"updated"` // fields changed, or a removed household listed again
	Unchanged []string `json:"unchanged"`
	Missing   []string `json:"missing"` // stored, not removed, not in the import
	Removed   []string `json:"removed"` // missing ones marked Removed now (RemoveMissing)
}

// hhRecord is a household as stored: the domain value plus its owner key, so
// the scripts can count owners without seeing the owner's name or phone.
type hhRecord struct {
	renovote.Household
	OwnerKey string `json:"owner_key"`
}

// ImportRegister stores the register of a compound in one script: households
// are added or updated (bindings, votes, survey answers and invitations are
// kept), missing ones reported or removed, and the compound's counters rebuilt
// from the households, current votes and members, and its survey counters from
// the answers of the households on the register, in the same script, so they
// stay exact. A removed household that is listed again is restored, with its
// vote and survey answer. The compound must
// be in the applied programme. A retried import leaves the same state (its diff
// then reports the households as unchanged).
func (s *Store) ImportRegister(ctx context.Context, compoundID string, hhs []renovote.Household, opts ImportOptions) (RegisterDiff, error) {
	var diff RegisterDiff
	wrap := func(err error) error { return fmt.Errorf("import register %s: %w", compoundID, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return diff, wrap(err)
	}
	v := &renovote.ValidationError{What: "register"}
	if len(hhs) == 0 { // surely a wrong file; with RemoveMissing it would empty the register
		v.Add("households", "an import needs at least one household")
	}
	seen := map[string]int{}
	args := []any{boolStr(opts.RemoveMissing), opts.Actor, fmtTime(nowOr(opts.Now)), len(hhs)}
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
		args = append(args, h.ID, string(js))
	}
	if err := v.Err(); err != nil {
		return diff, wrap(err)
	}
	_, res, err := s.run(ctx, scriptImport,
		[]string{ck.meta, ck.hh, ck.choice, ck.members, ck.tally, ck.ownUnits, ck.ownAgree, ck.ownDisagree, ck.regAudit,
			ck.survey, ck.surveyCounts},
		args...)
	if err != nil {
		return diff, wrap(err)
	}
	diff = RegisterDiff{Added: strs(res, 0), Updated: strs(res, 1), Unchanged: strs(res, 2), Missing: strs(res, 3), Removed: strs(res, 4)}
	for _, l := range [][]string{diff.Added, diff.Updated, diff.Unchanged, diff.Missing, diff.Removed} {
		slices.Sort(l)
	}
	return diff, nil
}

// RebuildCounters recomputes a compound's counters from its households, current
// votes and members, and its survey counters from the answers (a repair tool;
// the scripts keep them exact), and returns the tally.
func (s *Store) RebuildCounters(ctx context.Context, compoundID string) (renovote.Tally, error) {
	wrap := func(err error) error { return fmt.Errorf("rebuild counters %s: %w", compoundID, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return renovote.Tally{}, wrap(err)
	}
	if _, _, err := s.run(ctx, scriptRebuild,
		[]string{ck.meta, ck.hh, ck.choice, ck.members, ck.tally, ck.ownUnits, ck.ownAgree, ck.ownDisagree,
			ck.survey, ck.surveyCounts}); err != nil {
		return renovote.Tally{}, wrap(err)
	}
	return s.Tally(ctx, compoundID)
}

// Household returns one household (also a removed one, with Removed set).
func (s *Store) Household(ctx context.Context, ref renovote.HouseholdRef) (renovote.Household, error) {
	ck, err := s.checkRef(ref)
	if err != nil {
		return renovote.Household{}, fmt.Errorf("household %s: %w", ref, err)
	}
	js, err := s.rdb.HGet(ctx, ck.hh, ref.HouseholdID).Result()
	if errors.Is(err, redis.Nil) {
		return renovote.Household{}, fmt.Errorf("household %s: %w", ref, renovote.ErrNotFound)
	}
	if err != nil {
		return renovote.Household{}, fmt.Errorf("household %s: %w", ref, err)
	}
	h, err := decodeHousehold(js)
	if err != nil {
		return h, fmt.Errorf("household %s: %w", ref, err)
	}
	return h, nil
}

// Households returns the compound's register, removed households included
// (Removed set), sorted by building, unit and room in natural order.
func (s *Store) Households(ctx context.Context, compoundID string) ([]renovote.Household, error) {
	wrap := func(err error) error { return fmt.Errorf("households %s: %w", compoundID, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return nil, wrap(err)
	}
	h, err := s.readHashes(ctx, ck, ck.hh)
	if err != nil {
		return nil, wrap(err)
	}
	out, err := decodeHouseholds(h[0])
	if err != nil {
		return nil, wrap(err)
	}
	return out, nil
}

func decodeHousehold(js string) (renovote.Household, error) {
	var r hhRecord
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		return renovote.Household{}, fmt.Errorf("decode household: %w", err)
	}
	return r.Household, nil
}

// decodeHouseholds decodes a household hash and sorts it.
func decodeHouseholds(m map[string]string) ([]renovote.Household, error) {
	out := make([]renovote.Household, 0, len(m))
	for _, js := range m {
		h, err := decodeHousehold(js)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	SortHouseholds(out)
	return out, nil
}

// SortHouseholds sorts households by building, unit and room, comparing runs of
// digits as numbers ("2栋" before "10栋"), then by id.
func SortHouseholds(hhs []renovote.Household) {
	slices.SortStableFunc(hhs, func(a, b renovote.Household) int {
		if c := NaturalCompare(a.Building, b.Building); c != 0 {
			return c
		}
		if c := NaturalCompare(a.Unit, b.Unit); c != 0 {
			return c
		}
		if c := NaturalCompare(a.Room, b.Room); c != 0 {
			return c
		}
		return NaturalCompare(a.ID, b.ID)
	})
}

func nowOr(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}
