package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// FirstSeen reports whether updateID is seen for the first time (within
// Options.UpdateTTL). A retry of the same call whose reply was lost still
// reports true, as the stored token is its own.
func (s *Store) FirstSeen(ctx context.Context, updateID int64) (bool, error) {
	_, res, err := s.run(ctx, scriptFirstSeen, []string{s.k.update(updateID)}, token(), s.opts.UpdateTTL.Milliseconds())
	if err != nil {
		return false, fmt.Errorf("first seen %d: %w", updateID, err)
	}
	n, _ := res[0].(int64)
	return n == 1, nil
}

// AddInviteFailure notes a failed invitation code attempt by userID at time at.
// Attempts older than Options.ThrottleWindow are dropped.
func (s *Store) AddInviteFailure(ctx context.Context, userID int64, at time.Time) error {
	k := s.k.throttle(userID)
	member := strconv.FormatInt(at.UnixNano(), 10) + ":" + token()
	if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, k, redis.Z{Score: float64(at.UnixMilli()), Member: member})
		p.ZRemRangeByScore(ctx, k, "-inf", "("+strconv.FormatInt(at.Add(-s.opts.ThrottleWindow).UnixMilli(), 10))
		p.ZRemRangeByRank(ctx, k, 0, -maxThrottleEntries-1)
		p.PExpire(ctx, k, s.opts.ThrottleWindow)
		return nil
	}); err != nil {
		return fmt.Errorf("add invite failure: %w", err)
	}
	return nil
}

const maxThrottleEntries = 1000

// InviteFailures counts userID's failed attempts at or after since and returns
// the oldest of them.
func (s *Store) InviteFailures(ctx context.Context, userID int64, since time.Time) (int, time.Time, error) {
	zs, err := s.rdb.ZRangeByScore(ctx, s.k.throttle(userID), &redis.ZRangeBy{
		Min: strconv.FormatInt(since.UnixMilli(), 10), Max: "+inf",
	}).Result()
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("invite failures: %w", err)
	}
	n, oldest := 0, time.Time{}
	for _, m := range zs {
		ns, _, _ := strings.Cut(m, ":")
		v, err := strconv.ParseInt(ns, 10, 64)
		if err != nil {
			continue
		}
		t := time.Unix(0, v)
		if t.Before(since) {
			continue
		}
		n++
		if oldest.IsZero() || t.Before(oldest) {
			oldest = t
		}
	}
	return n, oldest, nil
}

// token returns a random 128-bit hex string.
func token() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
