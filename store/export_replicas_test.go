package store

import (
	"context"
	"strconv"
	"time"
)

// Hooks for the shared rate limit's tests: the scripts take the test's time
// instead of Redis's TIME.

// TakeSendAt is TakeSend at now.
func (s *Store) TakeSendAt(ctx context.Context, perSec float64, burst, reserve int, chat int64, waitChat bool, hold time.Duration, now time.Time) (time.Duration, error) {
	return s.takeSend(ctx, perSec, burst, reserve, chat, waitChat, hold, strconv.FormatInt(now.UnixMicro(), 10))
}

// PauseSendsAt is PauseSends at now.
func (s *Store) PauseSendsAt(ctx context.Context, d time.Duration, now time.Time) error {
	return s.pauseSends(ctx, d, strconv.FormatInt(now.UnixMicro(), 10))
}
