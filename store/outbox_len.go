package store

import (
	"context"
	"fmt"
)

// OutboxQueued is the number of outbox messages still to be sent: the
// entries of the stream, claimed or not (a settled entry is deleted from it).
// For the renovote_outbox_pending gauge.
func (s *Store) OutboxQueued(ctx context.Context) (int64, error) {
	n, err := s.rdb.XLen(ctx, s.k.outbox()).Result()
	if err != nil {
		return 0, fmt.Errorf("outbox length: %w", err)
	}
	return n, nil
}
