package store

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// Topology is how the store reaches Redis: one server, a master watched by
// Sentinel, or a Cluster.
type Topology string

const (
	TopologySingle   Topology = "single"   // redis:// or rediss://
	TopologySentinel Topology = "sentinel" // redis-sentinel:// or rediss-sentinel://
	TopologyCluster  Topology = "cluster"  // redis-cluster:// or rediss-cluster://
)

// RedisURL is a parsed Redis URL: which topology, and the client options of
// go-redis for it. Exactly one of Single, Failover and Cluster is set.
type RedisURL struct {
	Topology Topology
	Single   *redis.Options
	Failover *redis.FailoverOptions
	Cluster  *redis.ClusterOptions
}

// replicaReads are the URL parameters of go-redis that send reads to
// replicas. They are refused: a replica may lag behind its master, and a
// vote, a tally or an op id read from one could be older than what the
// resident was told (a replayed vote applied twice, a tally short of a vote).
var replicaReads = []string{"read_only", "replica_only", "route_by_latency", "route_randomly", "use_disconnected_replicas"}

// ParseRedisURL reads a Redis URL of one of three forms:
//
//	redis://[user:password@]host:port/db                 one server (rediss:// with TLS)
//	redis-sentinel://[user:password@]sentinel:port/db?master_name=NAME&addr=sentinel2:port&addr=...
//	                                                      a master found through Sentinel; the userinfo is the
//	                                                      sentinels', the master's is password=... (and username=...)
//	redis-cluster://[user:password@]host:port?addr=host2:port&addr=...
//	                                                      a Redis Cluster from seed nodes (database 0 only)
//
// (rediss-sentinel:// and rediss-cluster:// with TLS). The other query
// parameters are go-redis's (dial_timeout, max_retries, pool_size, ...),
// except those that read from replicas (read_only, replica_only,
// route_by_latency, route_randomly, use_disconnected_replicas), which are
// refused: votes, tallies and op ids are read from masters only. Errors never
// repeat the URL, which may hold a password.
func ParseRedisURL(raw string) (RedisURL, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return RedisURL{}, fmt.Errorf("redis url: no scheme (redis://, redis-sentinel://, redis-cluster://): %w", renovote.ErrInvalid)
	}
	base, topo, found := strings.Cut(strings.ToLower(scheme), "-")
	if base != "redis" && base != "rediss" {
		return RedisURL{}, fmt.Errorf("redis url: scheme %q is not redis, rediss, redis-sentinel or redis-cluster: %w", scheme, renovote.ErrInvalid)
	}
	std := base + "://" + rest
	if u, err := url.Parse(std); err == nil {
		for _, p := range replicaReads {
			if u.Query().Has(p) {
				return RedisURL{}, fmt.Errorf("redis url: %s would read from replicas; votes and tallies are read from masters only: %w", p, renovote.ErrInvalid)
			}
		}
	}
	switch {
	case !found:
		o, err := redis.ParseURL(std)
		if err != nil {
			return RedisURL{}, fmt.Errorf("redis url: %s: %w", redactedErr(err, raw), renovote.ErrInvalid)
		}
		return RedisURL{Topology: TopologySingle, Single: o}, nil
	case topo == "sentinel":
		o, err := redis.ParseFailoverURL(std)
		if err != nil {
			return RedisURL{}, fmt.Errorf("redis url: %s: %w", redactedErr(err, raw), renovote.ErrInvalid)
		}
		if o.MasterName == "" {
			return RedisURL{}, fmt.Errorf("redis url: a sentinel URL needs master_name=NAME: %w", renovote.ErrInvalid)
		}
		masterOnly(o)
		return RedisURL{Topology: TopologySentinel, Failover: o}, nil
	case topo == "cluster":
		o, err := redis.ParseClusterURL(std)
		if err != nil {
			return RedisURL{}, fmt.Errorf("redis url: %s: %w", redactedErr(err, raw), renovote.ErrInvalid)
		}
		if u, err := url.Parse(std); err == nil && strings.Trim(u.Path, "/") != "" && strings.Trim(u.Path, "/") != "0" {
			return RedisURL{}, fmt.Errorf("redis url: a cluster has database 0 only: %w", renovote.ErrInvalid)
		}
		o.ReadOnly, o.RouteByLatency, o.RouteRandomly = false, false, false
		return RedisURL{Topology: TopologyCluster, Cluster: o}, nil
	}
	return RedisURL{}, fmt.Errorf("redis url: scheme %q is not redis, rediss, redis-sentinel or redis-cluster: %w", scheme, renovote.ErrInvalid)
}

// masterOnly makes a failover client talk to the master alone.
func masterOnly(o *redis.FailoverOptions) {
	o.ReplicaOnly, o.RouteByLatency, o.RouteRandomly, o.UseDisconnectedReplicas = false, false, false, false
}

// redactedErr is err's message without the URL's password (go-redis and
// net/url may quote the URL).
func redactedErr(err error, raw string) string {
	msg := err.Error()
	if _, rest, ok := strings.Cut(raw, "://"); ok {
		if i := strings.LastIndex(strings.SplitN(rest, "/", 2)[0], "@"); i >= 0 {
			if _, pw, ok := strings.Cut(rest[:i], ":"); ok && pw != "" {
				msg = strings.ReplaceAll(msg, pw, "xxxxx")
				msg = strings.ReplaceAll(msg, url.QueryEscape(pw), "xxxxx")
			}
		}
	}
	if _, query, ok := strings.Cut(raw, "?"); ok {
		if q, err := url.ParseQuery(query); err == nil {
			for _, pw := range q["password"] {
				if pw != "" {
					msg = strings.ReplaceAll(msg, pw, "xxxxx")
				}
			}
		}
	}
	return msg
}

// Client makes the go-redis client of the URL: a *redis.Client for one
// server or Sentinel (a failover client that follows the master), a
// *redis.ClusterClient for a Cluster. Reads go to masters only.
func (r RedisURL) Client() redis.UniversalClient {
	switch r.Topology {
	case TopologySentinel:
		return redis.NewFailoverClient(r.Failover)
	case TopologyCluster:
		return redis.NewClusterClient(r.Cluster)
	}
	return redis.NewClient(r.Single)
}

// readTimeoutAtLeast raises the clients' read timeout to d unless the URL
// set a longer one.
func (r *RedisURL) readTimeoutAtLeast(d time.Duration) {
	up := func(t *time.Duration) {
		if *t >= 0 && *t < d {
			*t = d
		}
	}
	switch {
	case r.Single != nil:
		up(&r.Single.ReadTimeout)
	case r.Failover != nil:
		up(&r.Failover.ReadTimeout)
	case r.Cluster != nil:
		up(&r.Cluster.ReadTimeout)
	}
}
