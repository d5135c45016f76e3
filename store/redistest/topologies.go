package redistest

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Replicated is a master with its replicas, all in sync when returned.
type Replicated struct {
	Master   *Server
	Replicas []*Server
}

// StartReplicated starts a master and n replicas of it; args go to every
// server. With a lag above 0 each replica replicates through its own
// LagProxy, that far behind the master. It waits until the master sees every
// replica online.
func StartReplicated(t testing.TB, n int, lag time.Duration, args ...string) *Replicated {
	t.Helper()
	r := &Replicated{Master: StartServer(t, args...)}
	for range n {
		via := r.Master.Addr
		if lag > 0 {
			via = StartLagProxy(t, r.Master.Addr, lag).Addr
		}
		host, port, _ := strings.Cut(via, ":")
		r.Replicas = append(r.Replicas, StartServer(t, append([]string{"--replicaof", host + " " + port}, args...)...))
	}
	m := r.Master.Client(t)
	Eventually(t, StartTimeout, "replicas online", func(ctx context.Context) error { return replicasOnline(ctx, m, n) })
	return r
}

// Sentinels are sentinel processes watching one master.
type Sentinels struct {
	Master string // the master's name
	Nodes  []*Server
}

// Addrs are the sentinels' host:port.
func (s *Sentinels) Addrs() []string {
	out := make([]string, len(s.Nodes))
	for i, n := range s.Nodes {
		out[i] = n.Addr
	}
	return out
}

// failoverTimeout is the sentinels' failover-timeout. It is long because a
// sentinel also "fixes" a replica that replicates from another address than
// the master's (a LagProxy's) once it has been so for this long; a failover
// that succeeds does not wait for it.
const failoverTimeout = 60 * time.Second

// StartSentinels starts n sentinels (redis-server --sentinel) watching the
// master at masterAddr under name, with a quorum of n/2+1, calling it down
// after downAfter without an answer. It waits until every sentinel knows
// every other sentinel and the master's replicas.
func StartSentinels(t testing.TB, n int, name string, master *Server, replicas int, downAfter time.Duration) *Sentinels {
	t.Helper()
	s := &Sentinels{Master: name}
	conf := fmt.Sprintf("sentinel monitor %s 127.0.0.1 %d %d\n", name, master.Port, n/2+1) +
		fmt.Sprintf("sentinel down-after-milliseconds %s %d\n", name, downAfter.Milliseconds()) +
		fmt.Sprintf("sentinel failover-timeout %s %d\n", name, failoverTimeout.Milliseconds()) +
		fmt.Sprintf("sentinel parallel-syncs %s 1\n", name)
	for range n {
		s.Nodes = append(s.Nodes, start(t, conf, "--sentinel"))
	}
	for _, node := range s.Nodes {
		c := node.Client(t)
		Eventually(t, StartTimeout, "sentinels see each other and the replicas", func(ctx context.Context) error {
			m, err := c.Do(ctx, "SENTINEL", "MASTER", name).Result()
			if err != nil {
				return err
			}
			f := fields(m)
			if f["num-other-sentinels"] != strconv.Itoa(n-1) || f["num-slaves"] != strconv.Itoa(replicas) {
				return fmt.Errorf("sentinel %s: %d other sentinels, %d replicas: %v", node.Addr, n-1, replicas, f)
			}
			return nil
		})
	}
	return s
}

// MasterAddr asks a sentinel for the master's address.
func (s *Sentinels) MasterAddr(ctx context.Context) (string, error) {
	var last error
	for _, n := range s.Nodes {
		c := redis.NewSentinelClient(&redis.Options{Addr: n.Addr})
		addr, err := c.GetMasterAddrByName(ctx, s.Master).Result()
		c.Close()
		if err == nil && len(addr) == 2 {
			return addr[0] + ":" + addr[1], nil
		}
		last = err
	}
	return "", fmt.Errorf("no sentinel names the master: %v", last)
}

// Agreed returns the master's address once every sentinel names the same
// one (they learn of a failover from its leader within a moment).
func (s *Sentinels) Agreed(ctx context.Context) (string, error) {
	var addr string
	for _, n := range s.Nodes {
		c := redis.NewSentinelClient(&redis.Options{Addr: n.Addr})
		a, err := c.GetMasterAddrByName(ctx, s.Master).Result()
		c.Close()
		if err != nil || len(a) != 2 {
			return "", fmt.Errorf("sentinel %s: %v %v", n.Addr, a, err)
		}
		if got := a[0] + ":" + a[1]; addr == "" {
			addr = got
		} else if got != addr {
			return "", fmt.Errorf("sentinels name %s and %s", addr, got)
		}
	}
	return addr, nil
}

// fields reads a reply of alternating names and values (RESP2) or a map (RESP3).
func fields(v any) map[string]string {
	out := map[string]string{}
	switch x := v.(type) {
	case []any:
		for i := 0; i+1 < len(x); i += 2 {
			out[fmt.Sprint(x[i])] = fmt.Sprint(x[i+1])
		}
	case map[any]any:
		for k, v := range x {
			out[fmt.Sprint(k)] = fmt.Sprint(v)
		}
	}
	return out
}

// Cluster is a Redis Cluster: masters, each with its replicas.
type Cluster struct{ Nodes []*Server }

// Seeds are the nodes' host:port.
func (c *Cluster) Seeds() []string {
	out := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = n.Addr
	}
	return out
}

// Client returns a cluster client reading from masters only, closed at the
// test's cleanup.
func (c *Cluster) Client(t testing.TB) *redis.ClusterClient {
	t.Helper()
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Seeds()})
	t.Cleanup(func() { cc.Close() })
	return cc
}

// Node returns the server listening on addr (host:port), nil if none.
func (c *Cluster) Node(addr string) *Server {
	for _, n := range c.Nodes {
		if n.Addr == addr {
			return n
		}
	}
	return nil
}

// StartCluster starts masters × (1 + replicas) cluster-enabled servers,
// joins them with `redis-cli --cluster create ... --cluster-replicas R
// --cluster-yes` (the 16384 slots split between the masters) and waits until
// every node says the cluster is ok and knows every other node, and every
// master sees its replicas online.
func StartCluster(t testing.TB, masters, replicas int) *Cluster {
	t.Helper()
	c := &Cluster{}
	n := masters * (1 + replicas)
	for range n {
		c.Nodes = append(c.Nodes, StartServer(t, "--cluster-enabled", "yes",
			"--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	defer cancel()
	args := append(append([]string{"--cluster", "create"}, c.Seeds()...),
		"--cluster-replicas", strconv.Itoa(replicas), "--cluster-yes")
	if out, err := exec.CommandContext(ctx, "redis-cli", args...).CombinedOutput(); err != nil {
		t.Fatalf("redistest: redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, node := range c.Nodes {
		cl := node.Client(t)
		Eventually(t, StartTimeout, "cluster ok", func(ctx context.Context) error {
			s, err := cl.ClusterInfo(ctx).Result()
			if err != nil {
				return err
			}
			if !strings.Contains(s, "cluster_state:ok") || !strings.Contains(s, "cluster_slots_ok:16384") ||
				!strings.Contains(s, "cluster_known_nodes:"+strconv.Itoa(n)+"\r\n") {
				return fmt.Errorf("node %s: %s", node.Addr, s)
			}
			role, err := info(ctx, cl, "replication", "role")
			if err != nil {
				return err
			}
			if role != "master" {
				return nil // a replica: its master checks it is online
			}
			return replicasOnline(ctx, cl, replicas)
		})
	}
	return c
}

// replicasOnline checks that the master c has n replicas, each online
// (synchronised, taking the replication stream).
func replicasOnline(ctx context.Context, c *redis.Client, n int) error {
	s, err := c.Info(ctx, "replication").Result()
	if err != nil {
		return err
	}
	online := strings.Count(s, ",state=online,")
	if online != n || !strings.Contains(s, "connected_slaves:"+strconv.Itoa(n)+"\r\n") {
		return fmt.Errorf("%d of %d replicas online:\n%s", online, n, s)
	}
	return nil
}

// MoveSlot moves the hash slot of key, with its keys, from the master that
// serves it to the master at to (CLUSTER SETSLOT IMPORTING/MIGRATING, MIGRATE,
// SETSLOT NODE on every master), as a resharding does. Clients that cached
// the old owner are answered MOVED.
func (c *Cluster) MoveSlot(t testing.TB, key, to string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	defer cancel()
	dst := c.Node(to).Client(t)
	slot, err := dst.ClusterKeySlot(ctx, key).Result()
	if err != nil {
		t.Fatalf("redistest: keyslot: %v", err)
	}
	var src *redis.Client
	var masters []*redis.Client
	for _, n := range c.Nodes {
		cl := n.Client(t)
		if role, err := info(ctx, cl, "replication", "role"); err != nil || role != "master" {
			continue
		}
		masters = append(masters, cl)
		slots, err := cl.ClusterSlots(ctx).Result()
		if err != nil {
			t.Fatalf("redistest: cluster slots: %v", err)
		}
		for _, s := range slots {
			if int64(s.Start) <= slot && slot <= int64(s.End) && len(s.Nodes) > 0 && s.Nodes[0].Addr == n.Addr {
				src = cl
			}
		}
	}
	if src == nil {
		t.Fatalf("redistest: no master serves slot %d", slot)
	}
	id := func(cl *redis.Client) string {
		v, err := cl.Do(ctx, "CLUSTER", "MYID").Text()
		if err != nil {
			t.Fatalf("redistest: cluster myid: %v", err)
		}
		return v
	}
	srcID, dstID := id(src), id(dst)
	host, port, _ := strings.Cut(to, ":")
	must := func(cl *redis.Client, args ...any) {
		if err := cl.Do(ctx, args...).Err(); err != nil {
			t.Fatalf("redistest: %v: %v", args, err)
		}
	}
	must(dst, "CLUSTER", "SETSLOT", slot, "IMPORTING", srcID)
	must(src, "CLUSTER", "SETSLOT", slot, "MIGRATING", dstID)
	for {
		keys, err := src.ClusterGetKeysInSlot(ctx, int(slot), 100).Result()
		if err != nil {
			t.Fatalf("redistest: getkeysinslot: %v", err)
		}
		if len(keys) == 0 {
			break
		}
		args := []any{"MIGRATE", host, port, "", 0, 5000, "KEYS"}
		for _, k := range keys {
			args = append(args, k)
		}
		must(src, args...)
	}
	for _, m := range append([]*redis.Client{dst, src}, masters...) {
		must(m, "CLUSTER", "SETSLOT", slot, "NODE", dstID)
	}
}
