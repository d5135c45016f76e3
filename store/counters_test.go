package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

// voteAndAnswer casts some votes and survey answers in every compound of the
// fixture, so that tallies and survey counters differ between compounds.
func voteAndAnswer(t testing.TB, s *store.Store, regs map[string][]renovote.Household) {
	t.Helper()
	ctx := context.Background()
	for c, hhs := range regs {
		for i, h := range hhs {
			switch {
			case i%3 == 0:
				_, err := s.CastVote(ctx, cmd(h.Ref(), renovote.ChoiceAgree, during))
				must(t, err)
			case i%5 == 1:
				_, err := s.CastVote(ctx, cmd(h.Ref(), renovote.ChoiceDisagree, during))
				must(t, err)
			}
			if i%4 == 0 && c != small {
				building := []string{"roof_repair", "facade_leaks", "stairwell_repair"}[:1+i%3]
				must(t, s.SubmitSurvey(ctx, answer(h.Ref(), surveyDuring, building, []string{"roads"}, []string{"energy_saving"}, ""), nextOp()))
			}
		}
	}
}

// checkCounters compares Counters and Tallies of ids with Tally and
// SurveyCounts read one compound at a time.
func checkCounters(t *testing.T, s *store.Store, ids []string) {
	t.Helper()
	ctx := context.Background()
	tallies, counts, err := s.Counters(ctx, ids)
	must(t, err)
	alone, err := s.Tallies(ctx, ids)
	must(t, err)
	if len(tallies) != len(ids) || len(counts) != len(ids) || len(alone) != len(ids) {
		t.Fatalf("%d ids: %d tallies, %d survey counts, %d tallies alone", len(ids), len(tallies), len(counts), len(alone))
	}
	want := map[string]renovote.Tally{}
	wantCounts := map[string]renovote.SurveyCounts{}
	for _, id := range ids {
		if _, ok := want[id]; ok {
			continue
		}
		want[id] = checkTally(t, s, id)
		c, err := s.SurveyCounts(ctx, id)
		must(t, err)
		wantCounts[id] = c
	}
	for i, id := range ids {
		if tallies[i] != want[id] || alone[i] != want[id] {
			t.Fatalf("ids[%d] %s: Counters %+v, Tallies %+v, want %+v", i, id, tallies[i], alone[i], want[id])
		}
		if !reflect.DeepEqual(counts[i], wantCounts[id]) {
			t.Fatalf("ids[%d] %s: survey counts %+v, want %+v", i, id, counts[i], wantCounts[id])
		}
	}
}

// TestCounters: the batch reads return, in the order asked, what Tally and
// SurveyCounts return one compound at a time, also across several pipelines
// and for a compound asked twice.
func TestCounters(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	voteAndAnswer(t, s, regs)
	checkCounters(t, s, []string{lm, small, lzy, lm})

	var many []string
	for i := range 2*store.CounterBatch + 3 {
		many = append(many, []string{lzy, lm, small}[i%3])
	}
	checkCounters(t, s, many)

	tallies, counts, err := s.Counters(context.Background(), nil)
	if err != nil || len(tallies) != 0 || len(counts) != 0 {
		t.Fatalf("no ids: %v %v %v", tallies, counts, err)
	}
	if c, _, _ := s.Counters(context.Background(), []string{lzy}); c[0].Voted == 0 || c[0].Households != 220 {
		t.Fatalf("fixture without votes: %+v", c[0])
	}
}

// TestCountersErrors: an unknown compound is ErrNotFound and a malformed id
// ErrInvalid, anywhere in the list, and the error names the compound.
func TestCountersErrors(t *testing.T) {
	t.Parallel()
	s, _ := setup(t)
	ctx := context.Background()
	ids := make([]string, store.CounterBatch+2)
	for i := range ids {
		ids[i] = lm
	}
	ids[len(ids)-1] = "nosuch"
	_, _, err := s.Counters(ctx, ids)
	wantErr(t, err, renovote.ErrNotFound)
	if !strings.Contains(err.Error(), "nosuch") {
		t.Fatalf("error %q does not name the compound", err)
	}
	_, err = s.Tallies(ctx, []string{"nosuch"})
	wantErr(t, err, renovote.ErrNotFound)
	_, err = s.Tallies(ctx, []string{lm, "bad{id}"})
	wantErr(t, err, renovote.ErrInvalid)
	_, _, err = s.Counters(ctx, []string{""})
	wantErr(t, err, renovote.ErrInvalid)
}

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
