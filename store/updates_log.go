package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// The update log of a bot long polling alone (bot.UpdateLog): the ids of a
// poll are looked up in one round trip, and the updates handled are marked
// done in batches, after their handling. The key is FirstSeen's and the
// webhook claims' (keys.go update): any value there counts as seen, and the
// "done|poll" written here counts as done for a claim. Each command touches
// one key, so a Redis Cluster client splits the pipeline per node. Both go
// in the pipelines of the vote presses of the moment (batch.go): a look-up
// is a read, a mark a plain SET, both safe to send again.

// pollDone is the value UpdatesDone writes: done, by the lone poller.
const pollDone = "done|poll"

// SeenUpdates reports for each id whether the update was handled (or taken
// by FirstSeen, or claimed through the webhook) within Options.UpdateTTL,
// or journaled and handled since (updates_journal.go: up to the journal's
// through and no longer in it), in one pipeline: an EXISTS per id and an
// HMGET of the journal.
func (s *Store) SeenUpdates(ctx context.Context, ids []int64) ([]bool, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cmds := make([]*redis.IntCmd, len(ids))
	fields := make([]string, 0, len(ids)+1)
	fields = append(fields, journalThrough)
	for _, id := range ids {
		fields = append(fields, strconv.FormatInt(id, 10))
	}
	var journal *redis.SliceCmd
	if err := s.batch.do(ctx, func(p redis.Pipeliner) {
		for i, id := range ids {
			cmds[i] = p.Exists(ctx, s.k.update(id))
		}
		journal = p.HMGet(ctx, s.k.journal(), fields...)
	}); err != nil {
		return nil, fmt.Errorf("seen updates (%d): %w", len(ids), err)
	}
	if err := journal.Err(); err != nil {
		return nil, fmt.Errorf("seen updates (%d): %w", len(ids), err)
	}
	js := journal.Val()
	var through int64
	if v, ok := js[0].(string); ok {
		through = journalThroughAt(v, time.Now(), s.opts.UpdateTTL)
	}
	seen := make([]bool, len(ids))
	for i, c := range cmds {
		if err := c.Err(); err != nil {
			return nil, fmt.Errorf("seen updates (%d): %w", len(ids), err)
		}
		seen[i] = c.Val() > 0 || (ids[i] <= through && js[i+1] == nil)
	}
	return seen, nil
}

// UpdatesDone marks the updates handled for Options.UpdateTTL, in one
// pipeline of SET, and deletes them from the journal (updates_journal.go)
// with an HDEL at its end. It is a plain write: a retry is harmless, and an
// update already marked stays done.
func (s *Store) UpdatesDone(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	cmds := make([]*redis.StatusCmd, len(ids))
	var del *redis.IntCmd
	if err := s.batch.do(ctx, func(p redis.Pipeliner) {
		for i, id := range ids {
			cmds[i] = p.Set(ctx, s.k.update(id), pollDone, s.opts.UpdateTTL)
		}
		fields := make([]string, len(ids))
		for i, id := range ids {
			fields[i] = strconv.FormatInt(id, 10)
		}
		del = p.HDel(ctx, s.k.journal(), fields...)
	}); err != nil {
		return fmt.Errorf("updates done (%d): %w", len(ids), err)
	}
	for _, c := range cmds {
		if err := c.Err(); err != nil {
			return fmt.Errorf("updates done (%d): %w", len(ids), err)
		}
	}
	if err := del.Err(); err != nil {
		return fmt.Errorf("updates done (%d): journal: %w", len(ids), err)
	}
	return nil
}
