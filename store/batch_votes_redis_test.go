package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

// Votes of one compound that share a pipeline are cast by one call of the
// vote script (scripts/vote.lua). Its outcome must be that of a call for each in the
// same order: the same receipts and refusals, replays of an op id sent twice
// (in the same pipeline or an earlier one), the same counters, choices,
// votes and owner counts, and the same audit entries in the same order. Also
// on a server that lost its scripts before each pipeline (a restart, a
// failover): the group is then sent again whole, still one script, in order.
func TestVoteBatchEqualsOneByOne(t *testing.T) {
	t.Parallel()
	t.Run("scripts loaded", func(t *testing.T) {
		t.Parallel()
		voteBatchEqualsOneByOne(t, storetest.Client(t), false)
	})
	t.Run("scripts flushed", func(t *testing.T) {
		t.Parallel()
		_, rdb := ownServer(t, redis.Options{}) // SCRIPT FLUSH is server-wide
		voteBatchEqualsOneByOne(t, rdb, true)
	})
}

func voteBatchEqualsOneByOne(t *testing.T, rdb redis.UniversalClient, flush bool) {
	ctx := context.Background()
	const n = 12
	batched, hhs, hook := batchedStore(t, rdb, 50*time.Millisecond, n)
	alone := storetest.NewOn(t, storetest.Client(t), store.Options{Batch: -1})
	must(t, alone.ApplyProgramme(ctx, testProgramme()))
	_, err := alone.ImportRegister(ctx, lm, hhs, store.ImportOptions{Actor: "cli:test", Now: opens})
	must(t, err)
	// The last household is removed from the register in both.
	for _, s := range []*store.Store{batched, alone} {
		_, err := s.ImportRegister(ctx, lm, hhs[:n-1], store.ImportOptions{Actor: "cli:test", Now: opens, RemoveMissing: true})
		must(t, err)
	}

	agree, disagree := renovote.ChoiceAgree, renovote.ChoiceDisagree
	at := func(i int) time.Time { return during.Add(time.Duration(i) * time.Second) }
	vote := func(h int, c renovote.Choice, op string, when time.Time) renovote.VoteCmd {
		v := cmd(hhs[h].Ref(), c, when)
		v.OpID, v.ReceiptID = "test:batch:"+op, "R"+op
		return v
	}
	unknown := vote(0, agree, "u", at(1))
	unknown.Ref.HouseholdID = "99-1-101"
	// Households 3 and 4 share an owner (the fixture's every fifth), so do
	// 8 and 9.
	rounds := [][]renovote.VoteCmd{{
		vote(0, agree, "1", at(1)),
		vote(1, disagree, "2", at(1)),
		vote(0, disagree, "3", at(2)), // the same household again
		vote(0, disagree, "3", at(2)), // the same press twice: a replay
		vote(2, agree, "4", opens.Add(-time.Second)),
		unknown,
		vote(3, agree, "5", at(3)),
		vote(4, disagree, "6", at(3)), // the owner now agrees and disagrees
		vote(5, agree, "7", at(4)),
		vote(5, agree, "8", at(5)),   // unchanged: audited, counters kept
		vote(n-1, agree, "9", at(5)), // removed
		vote(4, agree, "10", at(6)),
		vote(8, agree, "11", closes.Add(time.Second)),
	}, {
		vote(0, agree, "1", at(7)), // a replay of the first round's
		vote(3, disagree, "12", at(7)),
		vote(9, agree, "13", at(7)),
		vote(8, disagree, "14", at(8)),
		vote(1, disagree, "15", at(8)),
		vote(0, agree, "16", at(9)),
	}}

	type outcome struct {
		rc  renovote.Receipt
		err error
	}
	for r, cmds := range rounds {
		want := make([]outcome, len(cmds))
		for i, c := range cmds {
			rc, _, _, err := alone.CastVoteView(ctx, c)
			want[i] = outcome{rc, err}
		}
		if flush {
			must(t, rdb.ScriptFlush(ctx).Err())
		}
		// One vote holds the pipeline in flight (the hook's delay); the
		// others queue behind it in order and go out together.
		plug := make(chan outcome, 1)
		go func() {
			rc, _, _, err := batched.CastVoteView(ctx, vote(10, agree, fmt.Sprintf("plug%d", r), at(1)))
			plug <- outcome{rc, err}
		}()
		waitUntil(t, func() bool { return hook.count() > 2*r })
		got := make([]chan outcome, len(cmds))
		for i, c := range cmds {
			got[i] = make(chan outcome, 1)
			go func() {
				rc, _, _, err := batched.CastVoteView(ctx, c)
				got[i] <- outcome{rc, err}
			}()
			waitUntil(t, func() bool { return batched.QueuedCalls() == i+1 })
		}
		if p := <-plug; p.err != nil {
			t.Fatalf("round %d: the plug: %v", r, p.err)
		}
		for i := range cmds {
			g, w := <-got[i], want[i]
			if (g.err == nil) != (w.err == nil) || (g.err != nil && g.err.Error() != w.err.Error()) {
				t.Errorf("round %d, vote %d: error %v, one by one %v", r, i, g.err, w.err)
			}
			g.rc.At, w.rc.At = g.rc.At.UTC(), w.rc.At.UTC()
			if g.rc != w.rc {
				t.Errorf("round %d, vote %d: receipt %+v, one by one %+v", r, i, g.rc, w.rc)
			}
		}
		if m := hook.lastVotes(); m != len(cmds) {
			t.Errorf("round %d: the last pipeline carried %d votes, want %d", r, m, len(cmds))
		}
		// The plug voted only in the batched store: cast it in the other.
		_, _, _, err := alone.CastVoteView(ctx, vote(10, agree, fmt.Sprintf("plug%d", r), at(1)))
		must(t, err)
	}

	gt, wt := checkTally(t, batched, lm), checkTally(t, alone, lm)
	if gt != wt {
		t.Errorf("tally %+v, one by one %+v", gt, wt)
	}
	for _, h := range hhs {
		gv, gok, gerr := batched.CurrentVote(ctx, h.Ref())
		wv, wok, werr := alone.CurrentVote(ctx, h.Ref())
		gv.At, wv.At = gv.At.UTC(), wv.At.UTC()
		if gv != wv || gok != wok || (gerr == nil) != (werr == nil) {
			t.Errorf("household %s: vote %+v %v %v, one by one %+v %v %v", h.ID, gv, gok, gerr, wv, wok, werr)
		}
	}
	ga, err := batched.Audit(ctx, lm, "", 0)
	must(t, err)
	wa, err := alone.Audit(ctx, lm, "", 0)
	must(t, err)
	if len(ga) != len(wa) {
		t.Fatalf("audit: %d entries, one by one %d", len(ga), len(wa))
	}
	// The plugs went first in the batched store, last in the other.
	strip := func(a []store.AuditEntry) []renovote.VoteChange {
		var out []renovote.VoteChange
		for _, e := range a {
			if e.Ref.HouseholdID != hhs[10].ID {
				e.At = e.At.UTC()
				out = append(out, e.VoteChange)
			}
		}
		return out
	}
	gs, ws := strip(ga), strip(wa)
	for i := range ws {
		if i >= len(gs) || gs[i] != ws[i] {
			t.Errorf("audit entry %d: %+v, one by one %+v", i, gs[min(i, len(gs)-1)], ws[i])
		}
	}
}

// waitUntil waits up to 5s for ok.
func waitUntil(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}
