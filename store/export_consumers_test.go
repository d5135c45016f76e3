package store

import (
	"context"
	"slices"
)

// Consumers lists the consumers of the updates stream's group and of the
// outbox's, sorted (for the consumer pruning test).
func (s *Store) Consumers(ctx context.Context) (updates, outbox []string, err error) {
	list := func(stream, group string) ([]string, error) {
		cs, err := s.rdb.XInfoConsumers(ctx, stream, group).Result()
		if err != nil {
			return nil, err
		}
		var names []string
		for _, c := range cs {
			names = append(names, c.Name)
		}
		slices.Sort(names)
		return names, nil
	}
	if updates, err = list(s.k.pollUpdates(), replicaGroup); err != nil {
		return nil, nil, err
	}
	outbox, err = list(s.k.outbox(), outboxGroup)
	return updates, outbox, err
}
