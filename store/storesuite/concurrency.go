package storesuite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

// Hundreds of members of many households flip their votes from many goroutines,
// with retried and duplicated commands, refused ones, paper ballots and register
// re-imports in between. At the end the counters equal the recount, the audit
// trail holds exactly the accepted commands, and every household's entries
// chain (each old is the previous new) to its current vote.
func TestConcurrentVotes(t *testing.T) {
	for _, c := range []struct {
		compound      string
		perHH, rounds int
	}{{lm, 3, 6}, {lzy, 2, 3}} {
		t.Run(c.compound, func(t *testing.T) {
			t.Parallel()
			concurrentVotes(t, c.compound, c.perHH, c.rounds)
		})
	}
}

func concurrentVotes(t *testing.T, compound string, perHH, rounds int) {
	s, regs := setup(t)
	ctx := context.Background()
	hhs := regs[compound]
	rng := rand.New(rand.NewPCG(uint64(len(hhs)), 7))

	// Bind the members concurrently.
	type member struct {
		uid int64
		ref renovote.HouseholdRef
	}
	var members []member
	for i, h := range hhs {
		for j := range perHH {
			members = append(members, member{int64(10000 + i*10 + j), h.Ref()})
		}
	}
	run(t, 16, len(members), func(i int) error {
		return s.Bind(ctx, members[i].uid, members[i].ref, 3, during)
	})
	if tl := checkTally(t, s, compound); tl.Bound != int64(len(hhs)) {
		t.Fatalf("bound %d", tl.Bound)
	}

	// The commands: every member votes several times; a worker records paper
	// ballots; a few arrive after the ballot closed.
	var cmds []renovote.VoteCmd
	for _, m := range members {
		for r := range rounds {
			c := renovote.VoteCmd{
				Ref: m.ref, Choice: []renovote.Choice{A, D}[rng.IntN(2)], Channel: renovote.ChannelChat,
				Actor: fmt.Sprintf("tg:%d", m.uid), OpID: fmt.Sprintf("tg:upd:%d:%d", m.uid, r),
				ReceiptID: renovote.NewReceiptID(), At: during.Add(time.Duration(rng.IntN(1000)) * time.Second),
				UpdateID: m.uid*100 + int64(r),
			}
			if rng.IntN(10) == 0 {
				c.Channel, c.Actor, c.Evidence = renovote.ChannelPaper, "tg:1", "photo"
			}
			if rng.IntN(50) == 0 {
				c.At = closes
			}
			cmds = append(cmds, c)
		}
	}
	rng.Shuffle(len(cmds), func(i, j int) { cmds[i], cmds[j] = cmds[j], cmds[i] })

	var accepted, replayed, closed atomic.Int64
	cast := func(c renovote.VoteCmd) error {
		rc, err := s.CastVote(ctx, c)
		switch {
		case err != nil && c.At.Equal(closes):
			if !errorsIs(err, renovote.ErrBallotClosed) {
				return err
			}
			closed.Add(1)
		case err != nil:
			return err
		case rc.Replayed:
			replayed.Add(1)
		default:
			accepted.Add(1)
		}
		return nil
	}
	// Re-import the register (areas change back and forth) while votes go on.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for k := range 4 {
			reg := slices.Clone(hhs)
			for i := range reg {
				reg[i].Area += renovote.Area(100 * (k % 2) * (i % 3))
			}
			if _, err := s.ImportRegister(ctx, compound, reg, store.ImportOptions{Actor: "cli:test", Now: during}); err != nil {
				t.Error(err)
			}
			time.Sleep(time.Millisecond)
		}
	}()
	run(t, 32, len(cmds), func(i int) error {
		c := cmds[i]
		switch i % 20 {
		case 0: // a retry after a lost reply
			if err := cast(c); err != nil {
				return err
			}
			return cast(c)
		case 1: // the same command twice at once
			errs := make(chan error, 2)
			for range 2 {
				go func() { errs <- cast(c) }()
			}
			return joinErr(<-errs, <-errs)
		}
		return cast(c)
	})
	wg.Wait()

	var wantAccepted, wantReplayed, wantClosed int64
	for i, c := range cmds {
		sent := int64(1)
		if i%20 < 2 {
			sent = 2
		}
		if c.At.Equal(closes) {
			wantClosed += sent
			continue
		}
		wantAccepted++
		wantReplayed += sent - 1
	}
	if accepted.Load() != wantAccepted || replayed.Load() != wantReplayed || closed.Load() != wantClosed {
		t.Fatalf("accepted %d replayed %d closed %d, want %d %d %d", accepted.Load(), replayed.Load(), closed.Load(),
			wantAccepted, wantReplayed, wantClosed)
	}
	tl := checkTally(t, s, compound)
	n, err := s.AuditLen(ctx, compound)
	must(t, err)
	if n != accepted.Load() {
		t.Fatalf("audit has %d entries, accepted %d", n, accepted.Load())
	}
	entries, err := s.Audit(ctx, compound, "", 0)
	must(t, err)
	last := map[string]store.AuditEntry{}
	for _, e := range entries {
		prev := last[e.Ref.HouseholdID]
		if e.Old != prev.New {
			t.Fatalf("audit chain of %s broken: %q after %q", e.Ref.HouseholdID, e.Old, prev.New)
		}
		last[e.Ref.HouseholdID] = e
	}
	votes, err := s.Votes(ctx, compound)
	must(t, err)
	if int64(len(votes)) != tl.Voted || len(votes) != len(last) {
		t.Fatalf("%d votes, %d voted, %d audited households", len(votes), tl.Voted, len(last))
	}
	for id, v := range votes {
		e := last[id]
		if v.Choice != e.New || v.ReceiptID != e.ReceiptID || v.Actor != e.Actor || !v.At.Equal(e.At) {
			t.Fatalf("current vote of %s %+v, last audit entry %+v", id, v, e)
		}
	}
	t.Logf("%s on %d households: %d commands, %d accepted, %d replayed, %d closed; %+v",
		compound, len(hhs), len(cmds), accepted.Load(), replayed.Load(), closed.Load(), tl)
}

// run calls f(0..n-1) from g goroutines and fails the test on the first error.
func run(t *testing.T, g, n int, f func(i int) error) {
	t.Helper()
	next := atomic.Int64{}
	var wg sync.WaitGroup
	var failed atomic.Value
	for range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || failed.Load() != nil {
					return
				}
				if err := f(i); err != nil {
					failed.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		t.Fatal(err)
	}
}
