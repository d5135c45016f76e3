package storetest

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// EnvCluster names the seed nodes (host:port,host:port,...) of a Redis
// Cluster that every store of this package is made on instead of REDIS_URL
// or miniredis. The Cluster tests (store and e2e, behind
// RENOVOTE_FAILURE_TESTS) start a cluster and run the test binary again with
// it set; a cluster is the test's own and dies with it, so no key is deleted.
const EnvCluster = "RENOVOTE_TEST_REDIS_CLUSTER"

// clusterSeeds are the seed nodes of EnvCluster, nil when it is not set.
func clusterSeeds() []string {
	v := strings.TrimSpace(os.Getenv(EnvCluster))
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

// OnCluster reports whether the stores of this package are made on a Redis
// Cluster (EnvCluster).
func OnCluster() bool { return clusterSeeds() != nil }

// clusterClient is a client of the EnvCluster cluster that reads from
// masters only, as the bot's does, closed with t.Cleanup.
func clusterClient(t testing.TB) redis.UniversalClient {
	t.Helper()
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: clusterSeeds(), PoolSize: 64})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("storetest: ping the cluster: %v", err)
	}
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// realRedis reports whether the stores run on a real Redis (REDIS_URL or a
// cluster), where time passes for TTLs as it does for the test.
func realRedis() bool { return OnCluster() || os.Getenv("REDIS_URL") != "" }
