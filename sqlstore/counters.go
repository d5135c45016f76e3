package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/renovote/renovote"
)

// Tallies returns the tallies of the compounds ids, in order, each as Tally
// returns it, read in one transaction. An unknown compound is
// renovote.ErrNotFound, a malformed id renovote.ErrInvalid, and the error
// names the compound.
func (s *Store) Tallies(ctx context.Context, ids []string) ([]renovote.Tally, error) {
	tallies, _, err := s.counters(ctx, ids, false)
	if err != nil {
		return nil, fmt.Errorf("tallies: %w", err)
	}
	return tallies, nil
}

// Counters returns, for the compounds ids in order, the tally and the survey
// counters, as Tally and SurveyCounts return them, read in one transaction.
func (s *Store) Counters(ctx context.Context, ids []string) ([]renovote.Tally, []renovote.SurveyCounts, error) {
	tallies, counts, err := s.counters(ctx, ids, true)
	if err != nil {
		return nil, nil, fmt.Errorf("counters: %w", err)
	}
	return tallies, counts, nil
}

func (s *Store) counters(ctx context.Context, ids []string, survey bool) ([]renovote.Tally, []renovote.SurveyCounts, error) {
	for _, id := range ids {
		if err := checkCompound(id); err != nil {
			return nil, nil, err
		}
	}
	tallies := make([]renovote.Tally, len(ids))
	var counts []renovote.SurveyCounts
	if survey {
		counts = make([]renovote.SurveyCounts, len(ids))
	}
	err := s.read(ctx, func(tx *sql.Tx) error {
		for i, id := range ids {
			if err := compoundExists(ctx, tx, id); err != nil {
				return fmt.Errorf("compound %s: %w", id, err)
			}
			t, err := tally(ctx, tx, id)
			if err != nil {
				return err
			}
			tallies[i] = t
			if survey {
				c, err := surveyCounters(ctx, tx, id)
				if err != nil {
					return err
				}
				c.Households = t.Households
				counts[i] = c
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return tallies, counts, nil
}
