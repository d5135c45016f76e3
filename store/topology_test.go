package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

// The three topologies of a Redis URL, each reading from masters only.
func TestParseRedisURL(t *testing.T) {
	u, err := store.ParseRedisURL("redis://:pw@127.0.0.1:6390/4")
	if err != nil || u.Topology != store.TopologySingle || u.Single.Addr != "127.0.0.1:6390" || u.Single.DB != 4 || u.Single.Password != "pw" {
		t.Fatalf("single: %+v %v", u, err)
	}
	u, err = store.ParseRedisURL("redis-sentinel://:spw@127.0.0.1:26379/2?master_name=rv&addr=127.0.0.1:26380&password=mpw&max_retries=5")
	if err != nil || u.Topology != store.TopologySentinel {
		t.Fatalf("sentinel: %+v %v", u, err)
	}
	if f := u.Failover; f.MasterName != "rv" || len(f.SentinelAddrs) != 2 || f.DB != 2 || f.SentinelPassword != "spw" ||
		f.Password != "mpw" || f.MaxRetries != 5 || f.ReplicaOnly || f.RouteByLatency || f.RouteRandomly || f.UseDisconnectedReplicas {
		t.Fatalf("sentinel options: %+v", f)
	}
	u, err = store.ParseRedisURL("redis-cluster://127.0.0.1:7000?addr=127.0.0.1:7001&addr=127.0.0.1:7002")
	if err != nil || u.Topology != store.TopologyCluster {
		t.Fatalf("cluster: %+v %v", u, err)
	}
	if c := u.Cluster; len(c.Addrs) != 3 || c.ReadOnly || c.RouteByLatency || c.RouteRandomly {
		t.Fatalf("cluster options: %+v", c)
	}
	for _, bad := range []string{"", "127.0.0.1:6379", "http://127.0.0.1", "redis-sentinel://127.0.0.1:26379",
		"redis-cluster://127.0.0.1:7000?read_only=1", "redis-sentinel://127.0.0.1:1?master_name=m&replica_only=true"} {
		if _, err := store.ParseRedisURL(bad); !errors.Is(err, renovote.ErrInvalid) {
			t.Errorf("%q: %v, want ErrInvalid", bad, err)
		}
	}
}

// The confirmed mode on a server without replicas: the vote is stored, and
// its receipt, a replayed one too, is pending. (miniredis answers WAIT with 0
// at once; a real Redis after the timeout.)
func TestConfirmedModeWithoutReplicas(t *testing.T) {
	t.Parallel()
	s := storetest.NewWithOptions(t, store.Options{ConfirmReplicas: 1, ConfirmTimeout: 50 * time.Millisecond})
	ctx := context.Background()
	must(t, s.ApplyProgramme(ctx, testProgramme()))
	hh := households(lm, 3)
	_, err := s.ImportRegister(ctx, lm, hh, store.ImportOptions{Actor: "cli:test", Now: opens})
	must(t, err)
	c := cmd(hh[0].Ref(), renovote.ChoiceAgree, during)
	rc, err := s.CastVote(ctx, c)
	must(t, err)
	if !rc.Pending || rc.Replayed {
		t.Fatalf("receipt %+v: want pending", rc)
	}
	again, err := s.CastVote(ctx, c)
	must(t, err)
	if !again.Pending || !again.Replayed {
		t.Fatalf("replayed receipt %+v: want pending", again)
	}
	if v, ok, err := s.CurrentVote(ctx, hh[0].Ref()); err != nil || !ok || v.ReceiptID != c.ReceiptID {
		t.Fatalf("stored vote %+v %v %v", v, ok, err)
	}
	checkTally(t, s, lm)

	// Without the mode, the same store's receipts are never pending.
	plain := store.New(s.Client(), store.Options{Prefix: s.Prefix()})
	rc, err = plain.CastVote(ctx, cmd(hh[1].Ref(), renovote.ChoiceDisagree, during))
	must(t, err)
	if rc.Pending {
		t.Fatalf("receipt %+v pending without the confirmed mode", rc)
	}
}

// A client that cannot run a script and WAIT on one connection is refused in
// the confirmed mode, never answered as confirmed.
func TestConfirmedModeNeedsOneConnection(t *testing.T) {
	t.Parallel()
	base := storetest.New(t)
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1"}})
	t.Cleanup(func() { ring.Close() })
	s := store.New(ring, store.Options{Prefix: base.Prefix(), ConfirmReplicas: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := s.CastVote(ctx, cmd(renovote.HouseholdRef{CompoundID: lm, HouseholdID: "1-1-101"}, renovote.ChoiceAgree, during))
	if !errors.Is(err, store.ErrNoConfirm) {
		t.Fatalf("cast vote on a ring: %v, want ErrNoConfirm", err)
	}
}
