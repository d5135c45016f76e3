package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/bot/bottest"
)

// unchanged fails the test if the compound's votes or tally changed since snap.
type snapshot struct {
	tally renovote.Tally
	votes map[string]renovote.HouseholdVote
	audit int64
}

func (w *world) snap(compound string) snapshot {
	w.t.Helper()
	votes, err := w.st.Votes(w.ctx, compound)
	if err != nil {
		w.t.Fatal(err)
	}
	n, err := w.st.AuditLen(w.ctx, compound)
	if err != nil {
		w.t.Fatal(err)
	}
	return snapshot{w.tally(compound), votes, n}
}

func (w *world) unchanged(step, compound string, before snapshot) {
	w.t.Helper()
	after := w.snap(compound)
	if after.tally != before.tally || after.audit != before.audit || len(after.votes) != len(before.votes) {
		w.t.Fatalf("%s changed the ballot: %+v → %+v (audit %d → %d)", step, before.tally, after.tally, before.audit, after.audit)
	}
	for id, v := range before.votes {
		if after.votes[id] != v {
			w.t.Fatalf("%s changed the vote of %s: %+v → %+v", step, id, v, after.votes[id])
		}
	}
}

func (w *world) notBound(u *bottest.User) {
	w.t.Helper()
	if ref, ok, err := w.st.Binding(w.ctx, u.ID); err != nil || ok {
		w.t.Fatalf("user %d bound to %v (%v), want unbound", u.ID, ref, err)
	}
}

// TestInvitationAbuse: wrong, revoked and guessed codes each get a clear
// message and bind nothing; the throttle lifts after an hour.
func TestInvitationAbuse(t *testing.T) {
	w := newWorld(t)
	hhs := w.hhs["jinrong"]
	codes := w.invites("jinrong")
	mallory := w.srv.User(31337, "猜码者", "zh-hans")

	m := w.say(mallory, "/start AAAAAAAAAAAAAAAAAAAAAA", func(bottest.Message) bool { return true })
	if !strings.Contains(m.Text, "邀请码无效") {
		t.Fatalf("unknown code: %q", m.Text)
	}
	w.notBound(mallory)
	m = w.say(mallory, "/start ../../etc/passwd", func(bottest.Message) bool { return true })
	if !strings.Contains(m.Text, "邀请码无效") {
		t.Fatalf("malformed code: %q", m.Text)
	}

	// A reissued invitation revokes the old code.
	old := codes[hhs[0].ID]
	fresh, err := w.st.IssueInvite(w.ctx, hhs[0].Ref(), w.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	m = w.say(mallory, "/start "+old, func(bottest.Message) bool { return true })
	if !strings.Contains(m.Text, "作废") {
		t.Fatalf("revoked code: %q", m.Text)
	}
	if hasButton("b:y")(m) {
		t.Fatal("revoked code offered to bind")
	}
	w.notBound(mallory)

	// Two more failures make five within the hour: now even a good code waits.
	for range 2 {
		w.say(mallory, "/start "+renovote.NewInviteCode(), contains("邀请码无效"))
	}
	m = w.say(mallory, "/start "+fresh.Code, func(bottest.Message) bool { return true })
	if !strings.Contains(m.Text, "分钟") || hasButton("b:y")(m) {
		t.Fatalf("sixth attempt within the hour: %q", m.Text)
	}
	w.notBound(mallory)

	// An hour later the good code works.
	w.clock.Set(w.clock.Now().Add(61 * time.Minute))
	w.bind(mallory, fresh.Code)
	if ref, ok, _ := w.st.Binding(w.ctx, mallory.ID); !ok || ref != hhs[0].Ref() {
		t.Fatalf("after the wait: bound to %v %v", ref, ok)
	}

	// The household is full at three members; a fourth is told so.
	for i := range 2 {
		w.bind(w.srv.User(int64(40000+i), "家人", "zh-hans"), fresh.Code)
	}
	fourth := w.srv.User(40009, "第四人", "zh-hans")
	m = w.say(fourth, "/start "+fresh.Code, hasButton("b:y"))
	w.press(fourth, m, "b:y")
	if _, err := w.srv.WaitForMessage(w.ctx, fourth.ID, func(x bottest.Message) bool {
		return x.ID == m.ID && strings.Contains(x.Text, "3")
	}); err != nil {
		t.Fatalf("fourth member: %v\n%s", err, transcript(fourth))
	}
	w.notBound(fourth)
}

// TestForgedButtons: forged, stale and foreign button data change nothing.
func TestForgedButtons(t *testing.T) {
	w := newWorld(t)
	const compound = "wuzhuangbu"
	hhs := w.hhs[compound]
	codes := w.invites(compound)
	alice := w.srv.User(50001, "甲", "zh-hans")
	bob := w.srv.User(50002, "乙", "zh-hans")
	w.bind(alice, codes[hhs[0].ID])
	w.bind(bob, codes[hhs[1].ID])
	w.vote(alice, renovote.ChoiceAgree)
	before := w.snap(compound)

	bobMsg := w.say(bob, "/vote", hasButton("v:d:"))
	var bobData string
	for _, b := range bobMsg.Buttons() {
		if b.CallbackData != nil && strings.HasPrefix(*b.CallbackData, "v:d:") {
			bobData = *b.CallbackData
		}
	}
	aliceMsg := w.say(alice, "/vote", hasButton("v:a:"))

	// Alice presses a button carrying Bob's household on her own message.
	cb := w.answered(alice.PressRaw(aliceMsg.ID, bobData))
	if !cb.ShowAlert || !strings.Contains(cb.AnswerText, "不属于") {
		t.Fatalf("foreign button answered %+v", cb)
	}
	w.unchanged("foreign button", compound, before)

	// Garbage, stale, oversized and other-flow data.
	for _, data := range []string{"v:a:00000000", "v:x:" + bobData[4:], "zzz", "", "b:y", "p:ok", "v:a:" + strings.Repeat("9", 100)} {
		cb := w.answered(alice.PressRaw(aliceMsg.ID, data))
		if !cb.Answered {
			t.Fatalf("data %q not answered", data)
		}
		w.unchanged("data "+data, compound, before)
	}
	// A button pressed on a message that no longer exists.
	w.answered(alice.PressRaw(999999, bobData))
	w.unchanged("missing message", compound, before)

	// Someone never bound presses a vote button.
	eve := w.srv.User(50003, "丙", "en")
	cb = w.answered(eve.PressRaw(1, bobData))
	if cb.AnswerText == "" {
		t.Fatalf("unbound press answered with no explanation: %+v", cb)
	}
	w.unchanged("unbound press", compound, before)

	// A resident tries staff commands.
	for _, cmd := range []string{"/paper wuzhuangbu " + hhs[5].ID + " agree", "/addworker 50001", "/paper"} {
		m := w.say(alice, cmd, func(bottest.Message) bool { return true })
		if !strings.Contains(m.Text, "没有权限") {
			t.Fatalf("%s by a resident: %q", cmd, m.Text)
		}
	}
	w.unchanged("resident staff commands", compound, before)
	if ok, err := w.st.IsWorker(w.ctx, alice.ID); err != nil || ok {
		t.Fatalf("resident became a worker: %v %v", ok, err)
	}
}

// TestBallotWindow: before it opens and after it closes a vote is refused with
// a clear message; at the last second before close it is taken.
func TestBallotWindow(t *testing.T) {
	w := newWorld(t)
	const compound = "laocaizhengju"
	c, _ := w.p.Compound(compound)
	hhs := w.hhs[compound]
	codes := w.invites(compound)
	u := w.srv.User(60001, "居民", "zh-hans")
	w.bind(u, codes[hhs[0].ID])

	w.clock.Set(c.Ballot.Opens.Add(-time.Minute))
	m := w.say(u, "/vote", func(bottest.Message) bool { return true })
	if hasButton("v:a:")(m) {
		t.Fatalf("buttons before the ballot opens:\n%s", m.Text)
	}
	w.clock.Set(c.Ballot.Closes.Add(-time.Second))
	m = w.say(u, "/vote", hasButton("v:a:"))
	before := w.snap(compound)
	// The resident hesitates: the ballot closes before the press arrives.
	w.clock.Set(c.Ballot.Closes)
	w.press(u, m, "v:a:*")
	w.unchanged("press at close", compound, before)
	got, err := w.srv.WaitForMessage(w.ctx, u.ID, func(x bottest.Message) bool { return x.ID >= m.ID && strings.Contains(x.Text, "截止") })
	if err != nil {
		t.Fatalf("no closed message: %v\n%s", err, transcript(u))
	}
	if strings.Contains(got.Text, "已记录") {
		t.Fatalf("closed ballot claims a recorded vote:\n%s", got.Text)
	}
	if _, ok, err := w.st.CurrentVote(w.ctx, hhs[0].Ref()); ok || err != nil {
		t.Fatalf("vote stored after close: %v %v", ok, err)
	}
}
