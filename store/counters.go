package store

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// counterBatch is how many compounds one pipelined round trip of Tallies and
// Counters reads: 5,000 compounds are 10 round trips, and neither the client
// nor the server holds more than a few hundred compounds' replies at once.
const counterBatch = 500

// Tallies returns the counters of the compounds ids, in order, each as Tally
// returns it, in one pipelined round trip per few hundred compounds instead of
// one per compound. Every command of the pipelines reads one key of one
// compound (no transaction, no multi-key command), so it runs on Redis Cluster
// too, where go-redis sends each command to its slot's node. Each tally is one
// read of its hash, exact as the scripts keep it; tallies of different
// compounds are not one snapshot (they never were: each compound is counted
// apart). An unknown compound is renovote.ErrNotFound, a malformed id
// renovote.ErrInvalid, and the error names the compound.
func (s *Store) Tallies(ctx context.Context, ids []string) ([]renovote.Tally, error) {
	tallies, _, err := s.counters(ctx, ids, false)
	if err != nil {
		return nil, fmt.Errorf("tallies: %w", err)
	}
	return tallies, nil
}

// Counters returns, for the compounds ids in order, the tally and the survey
// counters, as Tally and SurveyCounts return them, read as Tallies reads (a
// pipelined round trip per few hundred compounds, one key per command). Each
// compound's survey counters take their Households from the tally read with
// them. These are what the bureau's programme-wide report needs: its cost
// grows with the compounds, never with their households.
func (s *Store) Counters(ctx context.Context, ids []string) ([]renovote.Tally, []renovote.SurveyCounts, error) {
	tallies, counts, err := s.counters(ctx, ids, true)
	if err != nil {
		return nil, nil, fmt.Errorf("counters: %w", err)
	}
	return tallies, counts, nil
}

// counters reads the tallies of ids and, when survey, their survey counters.
func (s *Store) counters(ctx context.Context, ids []string, survey bool) ([]renovote.Tally, []renovote.SurveyCounts, error) {
	cks := make([]compoundKeys, len(ids))
	for i, id := range ids {
		ck, err := s.compound(id)
		if err != nil {
			return nil, nil, err
		}
		cks[i] = ck
	}
	tallies := make([]renovote.Tally, len(ids))
	var counts []renovote.SurveyCounts
	if survey {
		counts = make([]renovote.SurveyCounts, len(ids))
	}
	type read struct {
		exists        *redis.IntCmd
		tally, survey *redis.MapStringStringCmd
	}
	reads := make([]read, min(len(ids), counterBatch))
	for from := 0; from < len(ids); from += counterBatch {
		to := min(from+counterBatch, len(ids))
		pipe := s.rdb.Pipeline()
		for i := from; i < to; i++ {
			r := &reads[i-from]
			r.exists = pipe.Exists(ctx, cks[i].meta)
			r.tally = pipe.HGetAll(ctx, cks[i].tally)
			if survey {
				r.survey = pipe.HGetAll(ctx, cks[i].surveyCounts)
			}
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, nil, err
		}
		for i := from; i < to; i++ {
			r := reads[i-from]
			if r.exists.Val() == 0 {
				return nil, nil, fmt.Errorf("compound %s: %w", ids[i], renovote.ErrNotFound)
			}
			tallies[i] = decodeTally(ids[i], r.tally.Val())
			if survey {
				counts[i] = decodeSurveyCounts(ids[i], tallies[i].Households, r.survey.Val())
			}
		}
	}
	return tallies, counts, nil
}
