package dialogs

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote"
)

var errDown = errors.New("connection refused")

// When the store fails, the user is told (and never that a vote was
// recorded), and the error comes back for the log.
func TestStoreFailures(t *testing.T) { transcript(t, "failures", storeFailures) }

func storeFailures(w *world) {
	w.bind(zhang, ref301)
	w.send(zhang, "/vote")

	w.note("CastVote fails: the vote was NOT recorded.")
	w.fail("CastVote", errDown)
	resp := w.tap(zhang, "同意改造")
	if !resp.CallbackAlert || !strings.Contains(resp.CallbackText, "未记录") {
		w.t.Errorf("response = %+v", resp)
	}
	w.fail("CastVote", nil)
	if v := w.vote(ref301); v.Choice != "" {
		w.t.Fatalf("vote = %+v", v)
	}

	w.note("The session cannot be read: the vote is not recorded either.")
	w.fail("GetSession", errDown)
	w.tap(zhang, "同意改造")
	w.send(zhang, "/vote")
	w.fail("GetSession", nil)
	if v := w.vote(ref301); v.Choice != "" {
		w.t.Fatalf("vote = %+v", v)
	}

	w.note("The binding cannot be read.")
	w.fail("Binding", errDown)
	w.send(zhang, "/vote")
	w.tap(zhang, "不同意")
	w.fail("Binding", nil)

	w.note("Listing the other members fails after the vote: the vote stands.")
	w.fail("Members", errDown)
	w.tap(zhang, "同意改造")
	w.fail("Members", nil)
	if v := w.vote(ref301); v.Choice != renovote.ChoiceAgree {
		w.t.Fatalf("vote = %+v", v)
	}

	w.note("Throttle and invitations cannot be read.")
	w.fail("InviteFailures", errDown)
	w.send(li, w.start(ref302))
	w.fail("InviteFailures", nil)
	w.fail("AddInviteFailure", errDown)
	w.send(li, "/start "+code("wrongwrongwrong"))
	w.fail("AddInviteFailure", nil)
	w.fail("Bind", errDown)
	w.send(li, w.start(ref302))
	w.tap(li, "Yes, this is my home")
	w.fail("Bind", nil)
	w.note("The code stays pending: pressing again works.")
	w.tap(li, "Yes, this is my home")

	w.note("A paper ballot whose confirmation fails can be confirmed again.")
	w.send(worker, "/paper 粮贸小区 3-2-401 不同意")
	w.tap(worker, "跳过")
	w.fail("CastVote", errDown)
	w.tap(worker, "确认")
	w.fail("CastVote", nil)
	if v := w.vote(ref("liangmao", "3-2-401")); v.Choice != "" {
		w.t.Fatalf("vote = %+v", v)
	}
	w.tap(worker, "确认")
	if v := w.vote(ref("liangmao", "3-2-401")); v.Choice != renovote.ChoiceDisagree {
		w.t.Fatalf("vote = %+v", v)
	}

	w.note("Saving the session fails: the user still gets the answer, the error is logged.")
	w.fail("PutSession", errDown)
	w.send(worker, "/paper")
	w.fail("PutSession", nil)
}

// Handle returns the store's error wrapped, for errors.Is and the log.
func TestHandleWrapsErrors(t *testing.T) {
	w := newWorld(t, newFakeStore(testProgramme(), testRegister()))
	w.bind(zhang, ref301)
	w.fail("CastVote", errDown)
	_, err := w.e.Handle(context.Background(), Input{UpdateID: 1, UserID: zhang.id, ChatID: zhang.id,
		Callback: "v:a:" + voteToken(ref301), MessageID: 1}, duringBallot)
	if !errors.Is(err, errDown) {
		t.Fatalf("err = %v", err)
	}
}

// Step keeps a session until its TTL, then starts afresh.
func TestSessionExpires(t *testing.T) {
	w := newWorld(t, newFakeStore(testProgramme(), testRegister()))
	ctx := context.Background()
	in := Input{UpdateID: 1, UserID: worker.id, ChatID: worker.id, Text: "3-2-301"}
	s := Session{Flow: flowPaper, Step: stepHousehold, CompoundID: "liangmao", Updated: duringBallot}

	resp, ns, err := w.e.Step(ctx, s, in, duringBallot.Add(23*time.Hour))
	if err != nil || ns.Step != stepChoice || ns.HouseholdID != "3-2-301" {
		t.Fatalf("within the TTL: %+v %+v %v", resp, ns, err)
	}
	resp, ns, err = w.e.Step(ctx, s, in, duringBallot.Add(25*time.Hour))
	if err != nil || !ns.isZero() || !strings.Contains(resp.Replies[0].Text, "/vote") {
		t.Fatalf("after the TTL: %+v %+v %v", resp, ns, err)
	}
}

// A failed step leaves the session as it was.
func TestFailedStepKeepsSession(t *testing.T) {
	w := newWorld(t, newFakeStore(testProgramme(), testRegister()))
	s := Session{Flow: flowPaper, Step: stepConfirm, CompoundID: "liangmao", HouseholdID: "3-2-301",
		Choice: renovote.ChoiceAgree, Channel: renovote.ChannelPaper, Updated: duringBallot}
	w.fail("CastVote", errDown)
	in := Input{UpdateID: 7, UserID: worker.id, ChatID: worker.id, Callback: "p:ok", MessageID: 3}
	resp, ns, err := w.e.Step(context.Background(), s, in, duringBallot)
	if err == nil || ns != s || !strings.Contains(resp.CallbackText, "未记录") {
		t.Fatalf("%+v %+v %v", resp, ns, err)
	}
}
