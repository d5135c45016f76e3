package store_test

// Tests of counters that depend on Redis itself (its scripts, keys, clients or
// server); the behaviour shared with the SQLite store is in store/storesuite.

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

// commandLog is a client hook that records the commands of every pipeline
// and every command sent alone.
type commandLog struct {
	mu        sync.Mutex
	pipelines [][]redis.Cmder
	alone     []redis.Cmder
}

func (l *commandLog) DialHook(next redis.DialHook) redis.DialHook { return next }

func (l *commandLog) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		l.mu.Lock()
		l.alone = append(l.alone, cmd)
		l.mu.Unlock()
		return next(ctx, cmd)
	}
}

func (l *commandLog) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		l.mu.Lock()
		l.pipelines = append(l.pipelines, cmds)
		l.mu.Unlock()
		return next(ctx, cmds)
	}
}

// TestCountersOneKeyPerCommand: the batch reads are plain pipelines (no
// MULTI, no script) of single-key commands, each key in its own compound's
// slot, one pipeline per CounterBatch compounds: nothing Redis Cluster would
// refuse.
func TestCountersOneKeyPerCommand(t *testing.T) {
	t.Parallel()
	rdb := redis.NewClient(storetest.ClientOptions(t))
	t.Cleanup(func() { rdb.Close() })
	s := storetest.NewOn(t, rdb, store.Options{})
	ctx := context.Background()
	must(t, s.ApplyProgramme(ctx, testProgramme()))
	for c, n := range sizes {
		_, err := s.ImportRegister(ctx, c, households(c, n), store.ImportOptions{Actor: "cli:test", Now: opens})
		must(t, err)
	}
	var ids []string
	for i := range store.CounterBatch + 1 {
		ids = append(ids, []string{small, lm, lzy}[i%3])
	}
	log := &commandLog{}
	rdb.AddHook(log)
	_, _, err := s.Counters(ctx, ids)
	must(t, err)

	if len(log.alone) != 0 || len(log.pipelines) != 2 {
		t.Fatalf("%d commands alone, %d pipelines; want 0 and 2", len(log.alone), len(log.pipelines))
	}
	n := 0
	for _, p := range log.pipelines {
		for _, c := range p {
			n++
			name, args := strings.ToLower(c.Name()), c.Args()
			if (name != "exists" && name != "hgetall") || len(args) != 2 {
				t.Fatalf("command %v in a batch read", args)
			}
			key := fmt.Sprint(args[1])
			if !strings.HasPrefix(key, s.Prefix()+"{c:") || !strings.HasPrefix(hashTag(key), "c:") {
				t.Fatalf("key %q outside a compound's slot", key)
			}
		}
	}
	if n != 3*len(ids) {
		t.Fatalf("%d commands for %d compounds, want 3 each", n, len(ids))
	}
}

// TestCountersOnClusterClient runs the batch reads through a
// redis.ClusterClient, as a deployment on Redis Cluster would. It always
// uses an in-process miniredis (which answers CLUSTER SLOTS with one node
// owning every slot): the Redis of REDIS_URL is not a cluster.
func TestCountersOnClusterClient(t *testing.T) {
	t.Parallel()
	mr := miniredis.RunT(t)
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{mr.Addr()}})
	t.Cleanup(func() { rdb.Close() })
	s := store.New(rdb, store.Options{Prefix: storetest.Prefix()})
	ctx := context.Background()
	must(t, s.ApplyProgramme(ctx, testProgramme()))
	regs := map[string][]renovote.Household{}
	for c, n := range sizes {
		regs[c] = households(c, n)
		_, err := s.ImportRegister(ctx, c, regs[c], store.ImportOptions{Actor: "cli:test", Now: opens})
		must(t, err)
	}
	voteAndAnswer(t, s, regs)
	checkCounters(t, s, []string{lzy, small, lm})
}
