package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/redistest"
	"github.com/renovote/renovote/store/storetest"
)

// The Redis Cluster tests start their cluster from the redis-server binary
// (store/redistest) and run with RENOVOTE_FAILURE_TESTS=1 only.

// TestSuiteOnCluster runs every test of this package — the conformance suite
// of store/storesuite and the Redis store's own — again on a real Redis
// Cluster of 3 masters: a script or transaction whose keys span slots fails
// there with CROSSSLOT, a keyless command reaches one node only, a script
// missing on a shard must be sent whole to it. Tests of one server
// (storetest.ClientOptions) are skipped there.
func TestSuiteOnCluster(t *testing.T) {
	redistest.Require(t)
	c := redistest.StartCluster(t, 3, 0)
	o := redistest.RunSelf(t, ".", 8*time.Minute, storetest.EnvCluster+"="+strings.Join(c.Seeds(), ","))
	var skipped []string
	for _, l := range strings.Split(o.Output, "\n") {
		if name, ok := strings.CutPrefix(strings.TrimSpace(l), "--- SKIP: "); ok {
			skipped = append(skipped, strings.Fields(name)[0])
		}
	}
	t.Logf("on a 3-master cluster: %s; skipped: %s", o, strings.Join(skipped, " "))
	if o.Pass < 80 {
		t.Errorf("only %d tests passed on the cluster", o.Pass)
	}
}

// clusterProgramme is the fixture programme with compounds c0, c1, ... added
// until every master of the cluster owns at least one of them.
func clusterProgramme(t *testing.T, cc *redis.ClusterClient) (renovote.Programme, map[string]string) {
	t.Helper()
	ctx := context.Background()
	p := testProgramme()
	owner := map[string]string{} // compound -> master address
	masters := map[string]bool{}
	for i := 0; len(masters) < 3 && i < 100; i++ {
		id := fmt.Sprintf("c%d", i)
		node, err := cc.MasterForKey(ctx, "{c:"+id+"}:meta")
		must(t, err)
		addr := node.Options().Addr
		if masters[addr] {
			continue
		}
		masters[addr] = true
		owner[id] = addr
		c := p.Compounds[1]
		c.ID, c.Name, c.PlannedHouseholds = id, "小区"+id, 0
		p.Compounds = append(p.Compounds, c)
	}
	if len(masters) < 3 {
		t.Fatalf("compounds on %d masters", len(masters))
	}
	return p, owner
}

// A script missing on a shard (every shard of a fresh cluster, a flushed
// script cache, a promoted replica) is sent whole by the EVALSHA → EVAL
// fallback to the node that owns the compound: after votes in compounds of
// every master, each master holds the vote script.
func TestClusterScriptsReachEveryShard(t *testing.T) {
	redistest.Require(t)
	c := redistest.StartCluster(t, 3, 0)
	cc := c.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := store.New(cc, store.Options{Prefix: storetest.Prefix()})
	p, owner := clusterProgramme(t, cc)
	must(t, s.ApplyProgramme(ctx, p))
	must(t, cc.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error { return m.ScriptFlush(ctx).Err() }))
	for id := range owner {
		hh := households(id, 4)
		_, err := s.ImportRegister(ctx, id, hh, store.ImportOptions{Actor: "cli:test", Now: opens})
		must(t, err)
		for _, h := range hh {
			_, err := s.CastVote(ctx, cmd(h.Ref(), renovote.ChoiceAgree, during))
			must(t, err)
		}
		checkTally(t, s, id)
	}
	vote := store.VoteScriptHash()
	for id, addr := range owner {
		node := c.Node(addr)
		has, err := node.Client(t).ScriptExists(ctx, vote).Result()
		must(t, err)
		if !has[0] {
			t.Errorf("master %s (compound %s) lacks the vote script", addr, id)
		}
	}
}

// The confirmed mode on a cluster: WAIT goes to the master of the compound's
// slot, on the connection that ran the vote. Each master has one replica;
// once the replica of one master is killed, the votes of its compounds are
// pending and the others' still confirmed. (A WAIT sent to another node
// would count that node's replica and confirm a vote no replica holds.) After
// a compound's slot moves to another master, its votes follow it.
func TestClusterConfirmedModePerShard(t *testing.T) {
	redistest.Require(t)
	c := redistest.StartCluster(t, 3, 1)
	cc := c.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := store.New(cc, store.Options{Prefix: storetest.Prefix(), ConfirmReplicas: 1, ConfirmTimeout: 300 * time.Millisecond})
	p, owner := clusterProgramme(t, cc)
	must(t, s.ApplyProgramme(ctx, p))
	regs := map[string][]renovote.Household{}
	for id := range owner {
		regs[id] = households(id, 6)
		_, err := s.ImportRegister(ctx, id, regs[id], store.ImportOptions{Actor: "cli:test", Now: opens})
		must(t, err)
	}
	vote := func(id string, i int) renovote.Receipt {
		t.Helper()
		rc, err := s.CastVote(ctx, cmd(regs[id][i].Ref(), renovote.ChoiceAgree, during))
		must(t, err)
		return rc
	}
	for id := range owner {
		if rc := vote(id, 0); rc.Pending {
			t.Fatalf("compound %s: vote pending with its replica up", id)
		}
	}
	// Kill the replica of one master.
	var victim string
	for id := range owner {
		victim = id
		break
	}
	replica := replicaOf(t, ctx, c, owner[victim])
	replica.Kill()
	redistest.Eventually(t, 10*time.Second, "replica gone", func(ctx context.Context) error {
		n, err := c.Node(owner[victim]).Client(t).Info(ctx, "replication").Result()
		if err != nil {
			return err
		}
		if !strings.Contains(n, "connected_slaves:0") {
			return fmt.Errorf("master still sees its replica")
		}
		return nil
	})
	for id := range owner {
		rc := vote(id, 1)
		if want := id == victim; rc.Pending != want {
			t.Errorf("compound %s (victim %s): pending %v, want %v", id, victim, rc.Pending, want)
		}
	}

	// A resharding moves one compound to another master whose replica is up:
	// the client's cached slots name the old master, which answers MOVED; the
	// vote goes to the new one and is confirmed there.
	var from, to string
	for id, addr := range owner {
		if id == victim {
			continue
		}
		if from == "" {
			from = id
		} else {
			to = addr
		}
	}
	c.MoveSlot(t, "{c:"+from+"}:meta", to)
	if rc := vote(from, 2); rc.Pending {
		t.Errorf("compound %s moved to %s: vote pending", from, to)
	}
	for id := range owner {
		checkTally(t, s, id)
	}
	if n, err := s.AuditLen(ctx, from); err != nil || n != 3 {
		t.Errorf("compound %s: audit %d (%v), want 3", from, n, err)
	}
}

// replicaOf returns the replica of the master at addr.
func replicaOf(t *testing.T, ctx context.Context, c *redistest.Cluster, addr string) *redistest.Server {
	t.Helper()
	s, err := c.Node(addr).Client(t).Info(ctx, "replication").Result()
	must(t, err)
	for _, l := range strings.Split(s, "\r\n") {
		if !strings.HasPrefix(l, "slave0:") {
			continue
		}
		var ip, port string
		for _, f := range strings.Split(strings.TrimPrefix(l, "slave0:"), ",") {
			k, v, _ := strings.Cut(f, "=")
			switch k {
			case "ip":
				ip = v
			case "port":
				port = v
			}
		}
		if n := c.Node(ip + ":" + port); n != nil {
			return n
		}
	}
	t.Fatalf("no replica of %s:\n%s", addr, s)
	return nil
}
