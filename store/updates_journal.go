package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The update journal of a bot long polling alone (bot.UpdateJournal): the
// updates it took from Telegram and has not handled yet, kept in one hash
// (keys.go journal) so that its getUpdates offset may confirm them at once.
// A value is "<unix ms>|<raw update JSON>". JournalUpdates goes in the
// pipelines of the vote presses of the moment (batch.go): an HSET is safe to
// send again. UpdatesDone deletes the ids it marks (updates_log.go).

// JournalUpdates keeps updates taken from Telegram and not handled yet: the
// raw JSON of each by update id, stamped with this process's clock, in one
// HSET. Writing an id again replaces it; a retry is harmless.
func (s *Store) JournalUpdates(ctx context.Context, updates map[int64][]byte) error {
	if len(updates) == 0 {
		return nil
	}
	at := strconv.FormatInt(time.Now().UnixMilli(), 10) + "|"
	values := make([]any, 0, 2*len(updates))
	for id, raw := range updates {
		values = append(values, strconv.FormatInt(id, 10), at+string(raw))
	}
	if err := s.rdb.HSet(ctx, s.k.journal(), values...).Err(); err != nil {
		return fmt.Errorf("journal updates (%d): %w", len(updates), err)
	}
	return nil
}

// JournaledUpdates returns the journaled updates not marked done since,
// except those journaled more than Options.UpdateTTL ago, which it deletes
// (Telegram itself keeps an update 24 hours; their done marks may be gone),
// as are entries that cannot be read.
func (s *Store) JournaledUpdates(ctx context.Context) (map[int64][]byte, error) {
	all, err := s.rdb.HGetAll(ctx, s.k.journal()).Result()
	if err != nil {
		return nil, fmt.Errorf("journaled updates: %w", err)
	}
	oldest := time.Now().Add(-s.opts.UpdateTTL).UnixMilli()
	out := make(map[int64][]byte, len(all))
	var stale []string
	for field, v := range all {
		id, err := strconv.ParseInt(field, 10, 64)
		at, raw, ok := strings.Cut(v, "|")
		ms, aerr := strconv.ParseInt(at, 10, 64)
		if err != nil || id <= 0 || !ok || aerr != nil || ms < oldest {
			stale = append(stale, field)
			continue
		}
		out[id] = []byte(raw)
	}
	if len(stale) > 0 {
		if err := s.rdb.HDel(ctx, s.k.journal(), stale...).Err(); err != nil {
			return nil, fmt.Errorf("journaled updates: drop %d stale: %w", len(stale), err)
		}
	}
	return out, nil
}
