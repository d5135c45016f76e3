package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// Tally returns the compound's counters as kept by the scripts.
func (s *Store) Tally(ctx context.Context, compoundID string) (renovote.Tally, error) {
	wrap := func(err error) error { return fmt.Errorf("tally %s: %w", compoundID, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return renovote.Tally{}, wrap(err)
	}
	h, err := s.readHashes(ctx, ck, ck.tally)
	if err != nil {
		return renovote.Tally{}, wrap(err)
	}
	return decodeTally(compoundID, h[0]), nil
}

// decodeTally turns the tally hash (fields named as renovote.Tally's JSON)
// into a renovote.Tally; a missing or malformed field counts 0.
func decodeTally(compoundID string, m map[string]string) renovote.Tally {
	n := func(f string) int64 {
		v, _ := strconv.ParseInt(m[f], 10, 64)
		return v
	}
	return renovote.Tally{
		CompoundID: compoundID,
		Households: n("households"), Area: renovote.Area(n("area")), Owners: n("owners"),
		Bound: n("bound"),
		Voted: n("voted"), Agree: n("agree"), Disagree: n("disagree"),
		VotedArea: renovote.Area(n("voted_area")), AgreeArea: renovote.Area(n("agree_area")),
		VotedOwners: n("voted_owners"), AgreeOwners: n("agree_owners"),
	}
}

// Recount computes the compound's tally from scratch with renovote.Recount, from
// one consistent snapshot of households, current choices and members. It is the
// ground truth Tally must equal.
func (s *Store) Recount(ctx context.Context, compoundID string) (renovote.Tally, error) {
	wrap := func(err error) error { return fmt.Errorf("recount %s: %w", compoundID, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return renovote.Tally{}, wrap(err)
	}
	h, err := s.readHashes(ctx, ck, ck.hh, ck.choice, ck.members)
	if err != nil {
		return renovote.Tally{}, wrap(err)
	}
	hh, choice, members := h[0], h[1], h[2]
	hhs, err := decodeHouseholds(hh)
	if err != nil {
		return renovote.Tally{}, wrap(err)
	}
	votes := map[string]renovote.Choice{}
	for id, c := range choice {
		votes[id] = renovote.Choice(c)
	}
	bound := map[string]bool{}
	for id, list := range members {
		bound[id] = len(parseMembers(list)) > 0
	}
	return renovote.Recount(compoundID, hhs, votes, bound), nil
}

// AuditEntry is one entry of a compound's vote audit trail with its stream id.
type AuditEntry struct {
	ID string `json:"id"`
	renovote.VoteChange
}

// Audit reads the compound's vote audit trail from stream id from (inclusive;
// "" for the start; prefix "(" to start after an id) for at most count entries
// (count <= 0: all).
func (s *Store) Audit(ctx context.Context, compoundID string, from string, count int) ([]AuditEntry, error) {
	wrap := func(err error) error { return fmt.Errorf("audit %s: %w", compoundID, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return nil, wrap(err)
	}
	if from == "" {
		from = "-"
	}
	var msgs []redis.XMessage
	if count > 0 {
		msgs, err = s.rdb.XRangeN(ctx, ck.audit, from, "+", int64(count)).Result()
	} else {
		msgs, err = s.rdb.XRange(ctx, ck.audit, from, "+").Result()
	}
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]AuditEntry, 0, len(msgs))
	for _, m := range msgs {
		f := func(k string) string { v, _ := m.Values[k].(string); return v }
		upd, _ := strconv.ParseInt(f("update"), 10, 64)
		out = append(out, AuditEntry{ID: m.ID, VoteChange: renovote.VoteChange{
			Ref:       renovote.HouseholdRef{CompoundID: compoundID, HouseholdID: f("household")},
			Old:       renovote.Choice(f("old")),
			New:       renovote.Choice(f("new")),
			Channel:   renovote.Channel(f("channel")),
			Actor:     f("actor"),
			At:        parseTime(f("at")),
			ReceiptID: f("receipt"),
			UpdateID:  upd,
			Evidence:  f("evidence"),
		}})
	}
	return out, nil
}

// AuditLen returns the number of entries in the compound's vote audit trail.
func (s *Store) AuditLen(ctx context.Context, compoundID string) (int64, error) {
	ck, err := s.compound(compoundID)
	if err != nil {
		return 0, fmt.Errorf("audit length %s: %w", compoundID, err)
	}
	n, err := s.rdb.XLen(ctx, ck.audit).Result()
	if err != nil {
		return 0, fmt.Errorf("audit length %s: %w", compoundID, err)
	}
	return n, nil
}
