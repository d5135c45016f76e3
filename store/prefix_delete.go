package store

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// DeletePrefixKeys deletes every key under the store's prefix (Options.Prefix)
// and returns how many it deleted: a throwaway store, such as the one of
// `renovote load` on a shared Redis, is cleaned up without touching any other
// key. A store without a prefix is refused (renovote.ErrInvalid): that would
// empty the whole database. With Redis Cluster every master is
// scanned. Keys written while it runs may survive.
func (s *Store) DeletePrefixKeys(ctx context.Context) (int, error) {
	if s.k.p == "" {
		return 0, fmt.Errorf("delete prefix keys: the store has no key prefix: %w", renovote.ErrInvalid)
	}
	pattern := globEscape(s.k.p) + "*"
	var n int
	var err error
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		var mu sync.Mutex // the callbacks run concurrently
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			d, err := deleteMatching(ctx, c, pattern)
			mu.Lock()
			n += d
			mu.Unlock()
			return err
		})
	} else {
		n, err = deleteMatching(ctx, s.rdb, pattern)
	}
	if err != nil {
		return n, fmt.Errorf("delete prefix keys: %w", err)
	}
	return n, nil
}

// deleteMatching scans one server for pattern and unlinks what it finds, one
// key per command (keys of different slots may not share a command on a
// cluster node), pipelined in batches.
func deleteMatching(ctx context.Context, c redis.Cmdable, pattern string) (int, error) {
	var n int
	var batch []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, k := range batch {
				p.Unlink(ctx, k)
			}
			return nil
		})
		if err != nil {
			return err
		}
		n += len(batch)
		batch = batch[:0]
		return nil
	}
	iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) >= 500 {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := iter.Err(); err != nil {
		return n, err
	}
	return n, flush()
}

// globEscape escapes the characters SCAN's MATCH treats as pattern syntax.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
