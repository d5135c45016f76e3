package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// ApplyProgramme validates and stores the programme and, per compound, the meta
// hash the scripts read (ballot window, rule, name, publish flag). It is
// idempotent; compounds of earlier programmes that p no longer lists are marked
// inactive (their data stays; votes and imports are refused).
func (s *Store) ApplyProgramme(ctx context.Context, p renovote.Programme) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("apply programme: %w", err)
	}
	js, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("apply programme: %w", err)
	}
	// The compound set first, so a crash never leaves a meta hash that a later
	// run cannot find and retire.
	ids := make([]any, 0, len(p.Compounds))
	for _, c := range p.Compounds {
		ids = append(ids, c.ID)
	}
	if err := s.rdb.SAdd(ctx, s.k.compounds(), ids...).Err(); err != nil {
		return fmt.Errorf("apply programme: %w", err)
	}
	current := map[string]bool{}
	for _, c := range p.Compounds {
		current[c.ID] = true
		rule, err := json.Marshal(c.Rule)
		if err != nil {
			return fmt.Errorf("apply programme: compound %s: %w", c.ID, err)
		}
		o, cl := c.Ballot.Opens, c.Ballot.Closes
		if err := s.rdb.HSet(ctx, s.k.compound(c.ID).meta,
			"active", "1",
			"programme", p.ID,
			"name", c.Name,
			"rule", string(rule),
			"publish", boolStr(c.PublishTally),
			"planned", strconv.FormatInt(c.PlannedHouseholds, 10),
			"opens", strconv.FormatInt(o.UnixMilli(), 10),
			"closes", strconv.FormatInt(cl.UnixMilli(), 10),
			"opens_s", strconv.FormatInt(o.Unix(), 10),
			"opens_ns", strconv.Itoa(o.Nanosecond()),
			"closes_s", strconv.FormatInt(cl.Unix(), 10),
			"closes_ns", strconv.Itoa(cl.Nanosecond()),
		).Err(); err != nil {
			return fmt.Errorf("apply programme: compound %s: %w", c.ID, err)
		}
	}
	all, err := s.rdb.SMembers(ctx, s.k.compounds()).Result()
	if err != nil {
		return fmt.Errorf("apply programme: %w", err)
	}
	for _, id := range all {
		if current[id] || !renovote.ValidID(id) {
			continue
		}
		if err := s.rdb.HSet(ctx, s.k.compound(id).meta, "active", "0").Err(); err != nil {
			return fmt.Errorf("apply programme: retire compound %s: %w", id, err)
		}
	}
	if err := s.rdb.Set(ctx, s.k.programme(), js, 0).Err(); err != nil {
		return fmt.Errorf("apply programme: %w", err)
	}
	return nil
}

// Programme returns the applied programme, renovote.ErrNotFound if none.
func (s *Store) Programme(ctx context.Context) (renovote.Programme, error) {
	var p renovote.Programme
	js, err := s.rdb.Get(ctx, s.k.programme()).Bytes()
	if errors.Is(err, redis.Nil) {
		return p, fmt.Errorf("programme: %w", renovote.ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("programme: %w", err)
	}
	if err := json.Unmarshal(js, &p); err != nil {
		return p, fmt.Errorf("programme: decode: %w", err)
	}
	return p, nil
}

// compoundExists reports whether the compound was ever applied (active or not).
func (s *Store) compoundExists(ctx context.Context, ck compoundKeys) (bool, error) {
	n, err := s.rdb.Exists(ctx, ck.meta).Result()
	return n == 1, err
}

func boolStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
