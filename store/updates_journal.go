package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// The update journal of a bot long polling alone (bot.UpdateJournal): the
// updates it took from Telegram and has not handled yet, kept in one hash
// (keys.go journal) so that its getUpdates offset may confirm them at once.
// A value is "<unix ms>|<raw update JSON>"; the field "through" holds
// "<unix ms>|<update id>": every update the poller took up to that id was
// journaled. Deleting a journaled update is its done mark (JournalDone):
// SeenUpdates (updates_log.go) counts an id up to through and no longer in
// the journal as seen, so no key per update is written. A through older than
// Options.UpdateTTL counts for nothing: Telegram keeps updates 24 hours, and
// after a week without any it may start its ids again lower. UpdatesDone
// deletes the ids it marks too.

// journalThrough is the journal's field that is not an update.
const journalThrough = "through"

// JournalUpdates keeps updates taken from Telegram and not handled yet: the
// raw JSON of each by update id, stamped with this process's clock, and
// with through > 0 the id up to which every update taken was journaled, in
// one HSET (so both or neither). Writing an id again replaces it; a retry
// is harmless.
func (s *Store) JournalUpdates(ctx context.Context, updates map[int64][]byte, through int64) error {
	if len(updates) == 0 {
		return nil
	}
	at := strconv.FormatInt(time.Now().UnixMilli(), 10) + "|"
	values := make([]any, 0, 2*len(updates)+2)
	for id, raw := range updates {
		values = append(values, strconv.FormatInt(id, 10), at+string(raw))
	}
	if through > 0 {
		values = append(values, journalThrough, at+strconv.FormatInt(through, 10))
	}
	if err := s.rdb.HSet(ctx, s.k.journal(), values...).Err(); err != nil {
		return fmt.Errorf("journal updates (%d): %w", len(updates), err)
	}
	return nil
}

// JournalDone deletes handled updates from the journal, in the pipelines of
// the vote presses of the moment (an HDEL is safe to send again): that is
// their done mark (see SeenUpdates).
func (s *Store) JournalDone(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	fields := make([]string, len(ids))
	for i, id := range ids {
		fields[i] = strconv.FormatInt(id, 10)
	}
	var del *redis.IntCmd
	if err := s.batch.do(ctx, func(p redis.Pipeliner) {
		del = p.HDel(ctx, s.k.journal(), fields...)
	}); err != nil {
		return fmt.Errorf("journal done (%d): %w", len(ids), err)
	}
	if err := del.Err(); err != nil {
		return fmt.Errorf("journal done (%d): %w", len(ids), err)
	}
	return nil
}

// journalThroughAt reads a "through" value: the id, 0 when it is missing,
// unreadable or older than ttl before now.
func journalThroughAt(v string, now time.Time, ttl time.Duration) int64 {
	at, id, ok := strings.Cut(v, "|")
	ms, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || n <= 0 || ms < now.Add(-ttl).UnixMilli() {
		return 0
	}
	return n
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
		if field == journalThrough {
			continue
		}
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
