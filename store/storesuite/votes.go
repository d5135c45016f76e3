package storesuite

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/renovote/renovote"
)

const (
	A = renovote.ChoiceAgree
	D = renovote.ChoiceDisagree
)

func TestCastVoteCounters(t *testing.T) {
	type step struct {
		hh int
		c  renovote.Choice
	}
	// In the small compound, units 3 and 4 have one owner; 8 units, 7 owners.
	cases := []struct {
		name                    string
		steps                   []step
		voted, agree, disagree  int64
		votedOwners, agreeOwner int64
	}{
		{"one agree", []step{{0, A}}, 1, 1, 0, 1, 1},
		{"one disagree", []step{{0, D}}, 1, 0, 1, 1, 0},
		{"flip to disagree", []step{{0, A}, {0, D}}, 1, 0, 1, 1, 0},
		{"flip back", []step{{0, A}, {0, D}, {0, A}}, 1, 1, 0, 1, 1},
		{"reaffirm", []step{{1, A}, {1, A}, {1, A}}, 1, 1, 0, 1, 1},
		{"owner of two units split", []step{{3, A}, {4, D}}, 2, 1, 1, 1, 0},
		{"owner of two units agree", []step{{3, A}, {4, A}}, 2, 2, 0, 1, 1},
		{"owner agrees again", []step{{3, A}, {4, D}, {4, A}}, 2, 2, 0, 1, 1},
		{"owner one unit voted", []step{{4, A}}, 1, 1, 0, 1, 1},
		{"owner turns against", []step{{3, A}, {4, A}, {3, D}}, 2, 1, 1, 1, 0},
		{"mixed", []step{{0, A}, {1, D}, {2, A}, {3, D}, {5, A}, {7, D}}, 6, 3, 3, 6, 3},
		{"everyone agrees", []step{{0, A}, {1, A}, {2, A}, {3, A}, {4, A}, {5, A}, {6, A}, {7, A}}, 8, 8, 0, 7, 7},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, regs := setup(t)
			ctx := context.Background()
			hhs := regs[small]
			var wantVotedArea, wantAgreeArea renovote.Area
			last := map[int]renovote.Choice{}
			for i, st := range tc.steps {
				rc, err := s.CastVote(ctx, cmd(hhs[st.hh].Ref(), st.c, during.Add(time.Duration(i)*time.Minute)))
				must(t, err)
				if rc.Previous != last[st.hh] || rc.Choice != st.c || rc.Replayed {
					t.Fatalf("step %d: receipt %+v, want previous %q", i, rc, last[st.hh])
				}
				last[st.hh] = st.c
				checkTally(t, s, small)
			}
			for i, c := range last {
				wantVotedArea += hhs[i].Area
				if c == A {
					wantAgreeArea += hhs[i].Area
				}
			}
			got := checkTally(t, s, small)
			want := renovote.Tally{
				CompoundID: small, Households: 8, Area: got.Area, Owners: 7,
				Voted: tc.voted, Agree: tc.agree, Disagree: tc.disagree,
				VotedArea: wantVotedArea, AgreeArea: wantAgreeArea,
				VotedOwners: tc.votedOwners, AgreeOwners: tc.agreeOwner,
			}
			var area renovote.Area
			for _, h := range hhs {
				area += h.Area
			}
			if got != want || got.Area != area {
				t.Fatalf("tally\n got %+v\nwant %+v (area %v)", got, want, area)
			}
			n, err := s.AuditLen(ctx, small)
			must(t, err)
			if n != int64(len(tc.steps)) {
				t.Fatalf("audit has %d entries, want %d", n, len(tc.steps))
			}
		})
	}
}

func TestCastVoteReplay(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	ref := regs[lm][3].Ref()
	c := cmd(ref, A, during)
	c.UpdateID = 777
	first, err := s.CastVote(ctx, c)
	must(t, err)
	before := checkTally(t, s, lm)

	again, err := s.CastVote(ctx, c)
	must(t, err)
	if !again.Replayed {
		t.Fatal("second command with the same OpID not marked Replayed")
	}
	again.Replayed = false
	if !again.At.Equal(first.At) {
		t.Fatalf("replayed at %v, want %v", again.At, first.At)
	}
	again.At = first.At
	if again != first {
		t.Fatalf("replayed receipt %+v, want %+v", again, first)
	}
	// Even a different choice under the same OpID changes nothing.
	c.Choice = D
	rc, err := s.CastVote(ctx, c)
	must(t, err)
	if !rc.Replayed || rc.Choice != A {
		t.Fatalf("replay with another choice: %+v", rc)
	}
	if after := checkTally(t, s, lm); after != before {
		t.Fatalf("replay changed the counters: %+v -> %+v", before, after)
	}
	if n, _ := s.AuditLen(ctx, lm); n != 1 {
		t.Fatalf("audit has %d entries after a replay, want 1", n)
	}
	v, ok, err := s.CurrentVote(ctx, ref)
	must(t, err)
	if !ok || v.Choice != A || v.ReceiptID != first.ID {
		t.Fatalf("current vote %+v %v", v, ok)
	}
}

func TestBallotWindow(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	hhs := regs[lm]
	cases := []struct {
		at   time.Time
		want error
	}{
		{opens.Add(-time.Nanosecond), renovote.ErrBallotNotOpen},
		{opens.Add(-time.Hour), renovote.ErrBallotNotOpen},
		{opens, nil},
		{closes.Add(-time.Nanosecond), nil},
		{closes, renovote.ErrBallotClosed},
		{closes.Add(time.Nanosecond), renovote.ErrBallotClosed},
		{closes.Add(24 * time.Hour), renovote.ErrBallotClosed},
	}
	for i, tc := range cases {
		_, err := s.CastVote(ctx, cmd(hhs[i].Ref(), A, tc.at))
		if tc.want == nil {
			must(t, err)
		} else {
			wantErr(t, err, tc.want)
		}
	}
	tl := checkTally(t, s, lm)
	if tl.Voted != 2 {
		t.Fatalf("voted %d, want 2", tl.Voted)
	}
	if n, _ := s.AuditLen(ctx, lm); n != 2 {
		t.Fatalf("refused votes were audited: %d entries", n)
	}
}

// A window whose ends are not whole milliseconds is still exact to the nanosecond.
func TestBallotWindowNanoseconds(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	p := testProgramme()
	o := opens.Add(123456789 * time.Nanosecond)
	c := closes.Add(987654321 * time.Nanosecond)
	p.Compounds[1].Ballot = renovote.Window{Opens: o, Closes: c}
	must(t, s.ApplyProgramme(ctx, p))
	hhs := regs[lm]
	_, err := s.CastVote(ctx, cmd(hhs[0].Ref(), A, o.Add(-time.Nanosecond)))
	wantErr(t, err, renovote.ErrBallotNotOpen)
	_, err = s.CastVote(ctx, cmd(hhs[0].Ref(), A, o))
	must(t, err)
	_, err = s.CastVote(ctx, cmd(hhs[1].Ref(), A, c.Add(-time.Nanosecond)))
	must(t, err)
	_, err = s.CastVote(ctx, cmd(hhs[2].Ref(), A, c))
	wantErr(t, err, renovote.ErrBallotClosed)
	// Same instant in another zone.
	_, err = s.CastVote(ctx, cmd(hhs[3].Ref(), A, c.UTC()))
	wantErr(t, err, renovote.ErrBallotClosed)
}

func TestCastVoteErrors(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	ref := regs[lm][0].Ref()

	_, err := s.CastVote(ctx, cmd(renovote.HouseholdRef{CompoundID: lm, HouseholdID: "99-9-999"}, A, during))
	wantErr(t, err, renovote.ErrNotFound)
	_, err = s.CastVote(ctx, cmd(renovote.HouseholdRef{CompoundID: "nowhere", HouseholdID: "1-1-101"}, A, during))
	wantErr(t, err, renovote.ErrNotFound)
	_, err = s.CastVote(ctx, cmd(renovote.HouseholdRef{CompoundID: "Bad{x}", HouseholdID: "1-1-101"}, A, during))
	wantErr(t, err, renovote.ErrInvalid)

	bad := cmd(ref, "maybe", during)
	_, err = s.CastVote(ctx, bad)
	wantErr(t, err, renovote.ErrInvalid)
	bad = cmd(ref, A, during)
	bad.OpID = ""
	_, err = s.CastVote(ctx, bad)
	wantErr(t, err, renovote.ErrInvalid)
	bad = cmd(ref, A, time.Time{})
	_, err = s.CastVote(ctx, bad)
	wantErr(t, err, renovote.ErrInvalid)

	if tl := checkTally(t, s, lm); tl.Voted != 0 {
		t.Fatalf("refused commands counted: %+v", tl)
	}
	_, err = s.Tally(ctx, "nowhere")
	wantErr(t, err, renovote.ErrNotFound)
	_, _, err = s.CurrentVote(ctx, renovote.HouseholdRef{CompoundID: lm, HouseholdID: "nope"})
	wantErr(t, err, renovote.ErrNotFound)
	_, ok, err := s.CurrentVote(ctx, ref)
	if err != nil || ok {
		t.Fatalf("current vote before voting: %v %v", ok, err)
	}
}

func TestAuditTrail(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	ref := regs[lm][7].Ref()
	steps := []renovote.Choice{A, A, D, A}
	var receipts []renovote.Receipt
	for i, c := range steps {
		vc := cmd(ref, c, during.Add(time.Duration(i)*time.Hour))
		if i == 2 {
			vc.Channel, vc.Actor, vc.Evidence = renovote.ChannelPaper, "tg:900", "photo-file-id"
		}
		vc.UpdateID = int64(1000 + i)
		rc, err := s.CastVote(ctx, vc)
		must(t, err)
		receipts = append(receipts, rc)
	}
	entries, err := s.Audit(ctx, lm, "", 0)
	must(t, err)
	if len(entries) != len(steps) {
		t.Fatalf("%d entries, want %d", len(entries), len(steps))
	}
	prev := renovote.ChoiceNone
	for i, e := range entries {
		if e.ID == "" || e.Ref != ref || e.Old != prev || e.New != steps[i] || e.ReceiptID != receipts[i].ID ||
			e.UpdateID != int64(1000+i) || !e.At.Equal(during.Add(time.Duration(i)*time.Hour)) {
			t.Fatalf("entry %d: %+v", i, e)
		}
		if receipts[i].Previous != prev {
			t.Fatalf("receipt %d previous %q, want %q", i, receipts[i].Previous, prev)
		}
		prev = steps[i]
	}
	if e := entries[2]; e.Channel != renovote.ChannelPaper || e.Actor != "tg:900" || e.Evidence != "photo-file-id" {
		t.Fatalf("paper ballot entry %+v", e)
	}
	// Paging: two at a time, continuing after the last id.
	page1, err := s.Audit(ctx, lm, "", 2)
	must(t, err)
	page2, err := s.Audit(ctx, lm, "("+page1[1].ID, 2)
	must(t, err)
	if len(page1) != 2 || len(page2) != 2 || page2[0].ID != entries[2].ID {
		t.Fatalf("paging: %v %v", page1, page2)
	}
	v, ok, err := s.CurrentVote(ctx, ref)
	must(t, err)
	if !ok || v.Choice != A || v.ReceiptID != receipts[3].ID || v.Channel != renovote.ChannelChat {
		t.Fatalf("current vote %+v", v)
	}
	votes, err := s.Votes(ctx, lm)
	must(t, err)
	if len(votes) != 1 || votes[ref.HouseholdID] != v {
		t.Fatalf("votes %+v", votes)
	}
}

func BenchmarkCastVote(b *testing.B) {
	s, regs := setup(b)
	ctx := context.Background()
	hhs := regs[lzy]
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := renovote.VoteCmd{
			Ref: hhs[i%len(hhs)].Ref(), Choice: []renovote.Choice{A, D}[i%2], Channel: renovote.ChannelChat,
			Actor: "tg:1", OpID: fmt.Sprintf("bench:%d", i), ReceiptID: "BENCH001", At: during,
		}
		if _, err := s.CastVote(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	checkTally(b, s, lzy)
}

func BenchmarkCastVoteParallel(b *testing.B) {
	s, regs := setup(b)
	ctx := context.Background()
	hhs := regs[lzy]
	var seq atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(seq.Add(1))
			c := renovote.VoteCmd{
				Ref: hhs[i%len(hhs)].Ref(), Choice: []renovote.Choice{A, D}[i%2], Channel: renovote.ChannelChat,
				Actor: "tg:1", OpID: fmt.Sprintf("bench:%d", i), ReceiptID: "BENCH001", At: during,
			}
			if _, err := s.CastVote(ctx, c); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	checkTally(b, s, lzy)
}
