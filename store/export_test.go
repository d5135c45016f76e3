package store

import (
	"context"
	"strconv"
	"time"

	"github.com/renovote/renovote"
)

// Hooks for tests that simulate a crash between the steps of a bind.

// BindClaimOnly runs step 1 of Bind (the pending claim) and stops.
func (s *Store) BindClaimOnly(ctx context.Context, userID int64, ref renovote.HouseholdRef, now time.Time) error {
	_, _, err := s.run(ctx, scriptUserClaim, []string{s.k.user(userID)},
		ref.CompoundID, ref.HouseholdID, strconv.FormatInt(now.UnixMilli(), 10))
	return err
}

// BindClaimAndAdd runs steps 1 and 2 of Bind and stops before marking it done.
func (s *Store) BindClaimAndAdd(ctx context.Context, userID int64, ref renovote.HouseholdRef, max int, now time.Time) error {
	if err := s.BindClaimOnly(ctx, userID, ref, now); err != nil {
		return err
	}
	ck := s.k.compound(ref.CompoundID)
	_, _, err := s.run(ctx, scriptBindAdd, []string{ck.hh, ck.members, ck.tally},
		ref.HouseholdID, strconv.FormatInt(userID, 10), max)
	return err
}

// Hooks for the staff and outbox tests.

// SeedLegacyWorkers writes community workers the way issue 2 stored them.
func (s *Store) SeedLegacyWorkers(ctx context.Context, ids ...int64) error {
	ms := make([]any, len(ids))
	for i, id := range ids {
		ms[i] = strconv.FormatInt(id, 10)
	}
	return s.rdb.SAdd(ctx, s.k.workers(), ms...).Err()
}

// LegacyWorkersExist reports whether the issue-2 worker set is still there.
func (s *Store) LegacyWorkersExist(ctx context.Context) (bool, error) {
	n, err := s.rdb.Exists(ctx, s.k.workers()).Result()
	return n == 1, err
}

// OutboxLen is the number of entries in the outbox stream.
func (s *Store) OutboxLen(ctx context.Context) (int64, error) {
	return s.rdb.XLen(ctx, s.k.outbox()).Result()
}

// OutboxPending is the number of entries claimed and not settled.
func (s *Store) OutboxPending(ctx context.Context) (int64, error) {
	p, err := s.rdb.XPending(ctx, s.k.outbox(), outboxGroup).Result()
	if err != nil {
		return 0, err
	}
	return p.Count, nil
}

// DeleteOutbox deletes the outbox stream, with its consumer group.
func (s *Store) DeleteOutbox(ctx context.Context) error { return s.rdb.Del(ctx, s.k.outbox()).Err() }

// EnqueueFirstBatch runs one enqueue script for chats as a batch that is not
// the last, as an enqueue cut short after its first batch would have.
func (s *Store) EnqueueFirstBatch(ctx context.Context, id string, chats []int64) error {
	n, err := s.Notice(ctx, id)
	if err != nil {
		return err
	}
	nk := s.k.notice(id)
	args := []any{id, "0", n.Text, n.Photo, n.Document}
	for _, c := range chats {
		args = append(args, strconv.FormatInt(c, 10))
	}
	_, _, err = s.run(ctx, scriptNoticeEnqueue, []string{nk.state, nk.queued, s.k.outbox(), s.k.noticesDue()}, args...)
	return err
}

// QueuedCalls is how many callers wait for the batcher's next pipeline.
func (s *Store) QueuedCalls() int {
	s.batch.mu.Lock()
	defer s.batch.mu.Unlock()
	return len(s.batch.queue)
}
