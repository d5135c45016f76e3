package store_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

// ReadTurn returns what GetSession, Binding and Programme return, for every
// kind of binding, and sees a programme another process applied.
func TestReadTurn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bot, cli := storetest.NewPair(t)
	must(t, cli.ApplyProgramme(ctx, testProgramme()))
	hhs := households(lm, 3)
	_, err := cli.ImportRegister(ctx, lm, hhs, store.ImportOptions{Actor: "cli:test"})
	must(t, err)
	must(t, bot.Bind(ctx, 42, hhs[0].Ref(), 3, during))
	must(t, bot.PutSession(ctx, "chat:42", []byte(`{"flow":"x"}`), time.Hour))
	must(t, bot.BindClaimAndAdd(ctx, 43, hhs[1].Ref(), 3, during)) // pending, but a member
	must(t, bot.BindClaimOnly(ctx, 44, hhs[2].Ref(), during))      // pending, not a member

	for _, c := range []struct {
		name string
		user int64
		key  string
	}{
		{"bound, with a session", 42, "chat:42"},
		{"pending and a member", 43, "chat:43"},
		{"pending, not a member", 44, "chat:44"},
		{"unknown user", 45, "chat:45"},
	} {
		t.Run(c.name, func(t *testing.T) {
			data, ref, bound, p, err := bot.ReadTurn(ctx, c.key, c.user)
			must(t, err)
			wantData, err := bot.GetSession(ctx, c.key)
			must(t, err)
			wantRef, wantBound, err := bot.Binding(ctx, c.user)
			must(t, err)
			wantP, err := bot.Programme(ctx)
			must(t, err)
			if string(data) != string(wantData) || (data == nil) != (wantData == nil) {
				t.Errorf("session %q, GetSession %q", data, wantData)
			}
			if ref != wantRef || bound != wantBound {
				t.Errorf("binding %v %v, Binding %v %v", ref, bound, wantRef, wantBound)
			}
			if !reflect.DeepEqual(p, wantP) {
				t.Errorf("programme %s differs from Programme's", p.ID)
			}
		})
	}

	changed := testProgramme()
	changed.Compounds[0].Name = "renamed elsewhere"
	must(t, cli.ApplyProgramme(ctx, changed))
	_, _, _, p, err := bot.ReadTurn(ctx, "chat:42", 42)
	must(t, err)
	if p.Compounds[0].Name != "renamed elsewhere" {
		t.Errorf("after another process applied a programme: %q", p.Compounds[0].Name)
	}
}

// No programme: ErrNotFound, as from Programme.
func TestReadTurnNoProgramme(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	_, _, _, _, err := s.ReadTurn(context.Background(), "chat:1", 1)
	wantErr(t, err, renovote.ErrNotFound)
}

// CastVoteView records what CastVote records and returns the household and
// its members as HouseholdView does; a replay returns them too; a refusal
// is CastVote's.
func TestCastVoteView(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.New(t)
	must(t, s.ApplyProgramme(ctx, testProgramme()))
	hhs := households(lm, 2)
	_, err := s.ImportRegister(ctx, lm, hhs, store.ImportOptions{Actor: "cli:test"})
	must(t, err)
	ref := hhs[0].Ref()
	for _, u := range []int64{42, 7} {
		must(t, s.Bind(ctx, u, ref, 3, during))
	}
	_, wantH, wantMembers, err := s.HouseholdView(ctx, ref)
	must(t, err)

	cmd := renovote.VoteCmd{Ref: ref, Choice: A, Channel: renovote.ChannelChat, Actor: "tg:42",
		OpID: "tg:upd:1", ReceiptID: renovote.NewReceiptID(), At: during, UpdateID: 1}
	rc, h, members, err := s.CastVoteView(ctx, cmd)
	must(t, err)
	if rc.Choice != A || rc.Previous != "" || rc.Replayed || rc.ID != cmd.ReceiptID {
		t.Errorf("receipt %+v", rc)
	}
	if !reflect.DeepEqual(h, wantH) || !slices.Equal(members, wantMembers) || !slices.Equal(members, []int64{7, 42}) {
		t.Errorf("view %+v %v, HouseholdView %+v %v", h, members, wantH, wantMembers)
	}
	if v, ok, err := s.CurrentVote(ctx, ref); err != nil || !ok || v.Choice != A {
		t.Errorf("current vote %+v %v %v", v, ok, err)
	}

	again, h2, members2, err := s.CastVoteView(ctx, cmd) // a retry of the same press
	must(t, err)
	if !again.Replayed || again.ID != rc.ID || !reflect.DeepEqual(h2, wantH) || !slices.Equal(members2, wantMembers) {
		t.Errorf("replay %+v %+v %v", again, h2, members2)
	}
	tally, err := s.Tally(ctx, lm)
	must(t, err)
	if tally.Voted != 1 || tally.Agree != 1 {
		t.Errorf("tally after a replay: %+v", tally)
	}

	late := cmd
	late.OpID, late.UpdateID, late.At = "tg:upd:2", 2, closes.Add(time.Minute)
	_, _, _, err = s.CastVoteView(ctx, late)
	wantErr(t, err, renovote.ErrBallotClosed)
	unknown := cmd
	unknown.OpID, unknown.Ref = "tg:upd:3", renovote.HouseholdRef{CompoundID: lm, HouseholdID: "9-9-999"}
	_, _, _, err = s.CastVoteView(ctx, unknown)
	wantErr(t, err, renovote.ErrNotFound)
}
