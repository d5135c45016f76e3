package store

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// The outbox and the updates hand-off are both a stream read by a consumer
// group: a consumer takes over the entries another one has held too long,
// then reads new ones.

// streamEntry is one entry of a group's stream, and how many times it was
// delivered (1 for a new one).
type streamEntry struct {
	id         string
	values     map[string]any
	deliveries int64
}

// takeEntries returns up to n entries of stream for consumer: first those
// idle for minIdle (when > 0) in any consumer of group, taken over
// (outbox_claim.lua), then new ones (XREADGROUP), waiting up to block for
// some when none was taken over.
func (s *Store) takeEntries(ctx context.Context, stream, group, consumer string, n int, minIdle, block time.Duration) ([]streamEntry, error) {
	var out []streamEntry
	if minIdle > 0 {
		_, res, err := s.run(ctx, scriptOutboxClaim, []string{stream}, group, consumer, max(minIdle.Milliseconds(), 1), n)
		if err != nil {
			return nil, err
		}
		l, _ := res[0].([]any)
		for _, e := range l {
			f, _ := e.([]any)
			if len(f) < 3 {
				continue
			}
			id, _ := f[0].(string)
			deliveries, _ := f[1].(int64)
			vals, _ := f[2].([]any)
			m := map[string]any{}
			for i := 0; i+1 < len(vals); i += 2 {
				k, _ := vals[i].(string)
				m[k] = vals[i+1]
			}
			out = append(out, streamEntry{id, m, deliveries})
		}
	}
	if len(out) >= n {
		return out, nil
	}
	args := &redis.XReadGroupArgs{Group: group, Consumer: consumer, Streams: []string{stream, ">"},
		Count: int64(n - len(out)), Block: -1}
	if len(out) == 0 && block > 0 {
		args.Block = max(block, time.Millisecond)
	}
	res, err := s.rdb.XReadGroup(ctx, args).Result()
	if err != nil && !isNil(err) {
		return nil, err
	}
	for _, st := range res {
		for _, m := range st.Messages {
			out = append(out, streamEntry{m.ID, m.Values, 1})
		}
	}
	return out, nil
}
