package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// UnqueuedNotices lists, among the latest n notices, those to be sent whose
// queuing never finished: status sending, its last enqueue batch not run, and
// created before before. A process that died between storing a notice and
// queuing it (or half way through a large one) leaves such a notice; queuing it
// again is safe, as EnqueueNotice adds each chat once.
func (s *Store) UnqueuedNotices(ctx context.Context, before time.Time, n int) ([]renovote.Notice, error) {
	wrap := func(err error) error { return fmt.Errorf("unqueued notices: %w", err) }
	ids, err := s.rdb.ZRevRange(ctx, s.k.notices(), 0, int64(max(n, 1))-1).Result()
	if err != nil {
		return nil, wrap(err)
	}
	ids = slices.DeleteFunc(ids, func(id string) bool { return !validNoticeID(id) })
	flags := make([]*redis.SliceCmd, len(ids))
	if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			flags[i] = p.HMGet(ctx, s.k.notice(id).state, "status", "enqueued")
		}
		return nil
	}); err != nil {
		return nil, wrap(err)
	}
	var stalled []string
	for i, f := range flags {
		v := f.Val()
		if len(v) == 2 && v[0] == string(renovote.NoticeSending) && v[1] != "1" {
			stalled = append(stalled, ids[i])
		}
	}
	ns, err := s.notices(ctx, stalled)
	if err != nil {
		return nil, wrap(err)
	}
	return slices.DeleteFunc(ns, func(x renovote.Notice) bool { return !x.Created.Before(before) }), nil
}
