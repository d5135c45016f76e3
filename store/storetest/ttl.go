package storetest

import (
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote/store"
)

// NewTTL returns a store for the test and a func that lets d pass for the
// keys' TTLs: on miniredis (no REDIS_URL) it fast-forwards the server's TTLs
// at once; on real Redis it sleeps d, so tests keep such durations short
// (leases of a few hundred milliseconds).
func NewTTL(t testing.TB) (*store.Store, func(d time.Duration)) {
	t.Helper()
	if realRedis() {
		return New(t), time.Sleep
	}
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr(), PoolSize: 64})
	t.Cleanup(func() { rdb.Close() })
	return NewOn(t, rdb, store.Options{}), mr.FastForward
}
