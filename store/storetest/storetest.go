package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote/store"
)

// New returns a store for the test, closed and cleaned up with t.Cleanup.
func New(t testing.TB) *store.Store {
	t.Helper()
	return NewWithOptions(t, store.Options{})
}

// NewWithOptions is New with store options; the prefix is always replaced by a
// random one.
func NewWithOptions(t testing.TB, opts store.Options) *store.Store {
	t.Helper()
	return NewOn(t, Client(t), opts)
}

// NewOn returns a store on rdb with a random key prefix; on real Redis the
// prefix's keys are deleted with t.Cleanup (rdb must still be open then).
func NewOn(t testing.TB, rdb redis.UniversalClient, opts store.Options) *store.Store {
	t.Helper()
	opts.Prefix = Prefix()
	s := store.New(rdb, opts)
	if os.Getenv("REDIS_URL") != "" && !OnCluster() {
		t.Cleanup(func() { deletePrefix(t, rdb, opts.Prefix) })
	}
	return s
}

// NewPair returns two stores on the same data (one client, one random key
// prefix), as the bot and a command-line tool sharing a Redis would be: what
// one writes, the other must see, whatever it cached.
func NewPair(t testing.TB) (*store.Store, *store.Store) {
	t.Helper()
	rdb := Client(t)
	a := NewOn(t, rdb, store.Options{})
	return a, store.New(rdb, store.Options{Prefix: a.Prefix()})
}

// Client returns a client for the test (the EnvCluster cluster, REDIS_URL or
// a fresh miniredis), closed with t.Cleanup.
func Client(t testing.TB) redis.UniversalClient {
	t.Helper()
	if OnCluster() {
		return clusterClient(t)
	}
	rdb := redis.NewClient(ClientOptions(t))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("storetest: ping: %v", err)
	}
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// ClientOptions returns the options of a client for the test: those of
// REDIS_URL, or of a fresh miniredis stopped with t.Cleanup. A test that
// needs them is of one server: it is skipped on a cluster (EnvCluster).
func ClientOptions(t testing.TB) *redis.Options {
	t.Helper()
	if OnCluster() {
		t.Skip("storetest: a test of one Redis server, skipped on the cluster (" + EnvCluster + ")")
	}
	if url := os.Getenv("REDIS_URL"); url != "" {
		o, err := redis.ParseURL(url)
		if err != nil {
			t.Fatalf("REDIS_URL: %v", err)
		}
		o.PoolSize = 64
		return o
	}
	mr := miniredis.RunT(t)
	return &redis.Options{Addr: mr.Addr(), PoolSize: 64}
}

// Backend names the backend tests run on: "redis", "miniredis" or "cluster".
func Backend() string {
	if OnCluster() {
		return "cluster"
	}
	if os.Getenv("REDIS_URL") != "" {
		return "redis"
	}
	return "miniredis"
}

// Prefix returns a fresh random key prefix such as "test:3f9a0c1d2e4b5a69:".
func Prefix() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "test:" + hex.EncodeToString(b[:]) + ":"
}

func deletePrefix(t testing.TB, rdb redis.UniversalClient, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The prefix is "test:<hex>:", free of glob characters.
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var batch []string
	flush := func() {
		if len(batch) > 0 {
			if err := rdb.Unlink(ctx, batch...).Err(); err != nil {
				t.Logf("storetest: cleanup: %v", err)
			}
			batch = batch[:0]
		}
	}
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) >= 500 {
			flush()
		}
	}
	flush()
	if err := iter.Err(); err != nil {
		t.Logf("storetest: cleanup scan: %v", err)
	}
}
