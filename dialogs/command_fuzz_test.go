package dialogs

import (
	"context"
	"testing"
)

// FuzzCommand sends any command with any arguments (as the adapter reads
// them from "/cmd@bot args"), as a bound resident, a worker and an admin, in
// the conversations of FuzzCallbackData: the arguments of /paper (compound,
// address such as 3栋2单元301, choice, channel), /start (invitation codes),
// /invite_staff, /supervisor, /reports, /notice... Whatever they are: no
// panic, no error from a healthy store, a reply within Telegram's limits, and
// no vote counted (no command records one by itself).
func FuzzCommand(f *testing.F) {
	fx := newCallbackFixture(f)
	for _, s := range []struct{ cmd, args string }{
		{"start", ""}, {"start", code("bad")}, {"start", "staff-abcdefghijklmnopqrstuv"}, {"start", "staff-"}, {"start", "\x00"},
		{"vote", ""}, {"survey", ""}, {"report_problem", ""}, {"notices", ""}, {"help", "me"}, {"cancel", ""},
		{"paper", ""}, {"paper", "粮贸小区 3-2-301 agree"}, {"paper", "粮贸小区 3栋2单元302室 disagree proxy"},
		{"paper", "liangmao ３－２－４０１ 同意 委托书"}, {"paper", "金融小区 1号楼 1单元 101 agree paper"}, {"paper", "粮贸 5 101 agree"},
		{"paper", "粮贸小区 3-2 agree"}, {"paper", "nowhere 1-1-1 agree"}, {"paper", "粮贸小区 a-b-c-d-e agree"}, {"paper", "粮贸小区 - agree"},
		{"tally", ""}, {"tally", "粮贸小区"}, {"survey_results", "liangmao"}, {"reports", "金融小区"}, {"reports", "nowhere"},
		{"supervisor", "101"}, {"supervisor", "101 粮贸小区"}, {"supervisor", "-1"}, {"supervisor", "99999999999999999999"},
		{"invite_staff", "worker 粮贸小区,金融小区"}, {"invite_staff", "bureau"}, {"invite_staff", "admin"}, {"invite_staff", "worker ,,"},
		{"staff", ""}, {"revoke_staff", "666"}, {"revoke_staff", "abc"}, {"addworker", "666"}, {"addworker", "0"},
		{"notice", ""}, {"notices_all", ""}, {"undelivered", ""}, {"nonvoters", "粮贸小区"}, {"nonvoters", "x"},
		{"schedule", ""}, {"report", ""}, {"report", "personal"}, {"VOTE", ""}, {"unknown", "x"}, {"", "x"},
	} {
		for who := range uint8(len(fx.users)) {
			f.Add(s.cmd, s.args, who, uint8(0))
		}
	}
	f.Add("paper", "粮贸小区 3-2-301 agree", uint8(1), uint8(1))
	f.Add("cancel", "", uint8(0), uint8(1))
	f.Fuzz(func(t *testing.T, cmd, args string, who, state uint8) {
		fx.command(t, cmd, args, int(who)%len(fx.users), int(state)%callbackStates)
	})
}

func (fx *callbackFixture) command(t *testing.T, cmd, args string, who, state int) {
	ctx := context.Background()
	u, s := fx.users[who], fx.sessions[who][state]
	before := fx.tallies(t)
	in := fx.input(u)
	in.Text, in.Command, in.Args = "/"+cmd+" "+args, cmd, args
	resp, ns, err := fx.e.Step(ctx, s, in, duringSurvey)
	if err != nil {
		t.Fatalf("user %d, state %d, /%s %q: error from a healthy store: %v", u.id, state, cmd, args, err)
	}
	if len(resp.Replies) == 0 || resp.CallbackText != "" {
		t.Fatalf("/%s %q is answered with %d replies and the button answer %q", cmd, args, len(resp.Replies), resp.CallbackText)
	}
	checkAnswer(t, "/"+cmd+" "+args, resp)
	if _, err := decodeSession(encodeSession(ns)); err != nil {
		t.Fatalf("/%s %q: the new session cannot be stored: %v", cmd, args, err)
	}
	after := fx.tallies(t)
	for id, b := range before {
		if voteCounters(after[id]) != voteCounters(b) {
			t.Fatalf("/%s %q moved the counters of %s:\n%+v\n%+v", cmd, args, id, b, after[id])
		}
	}
	// Staff changes (/revoke_staff, /addworker) would change what later
	// inputs do: the worker is put back.
	fx.be.addWorker(t, worker.id)
}
