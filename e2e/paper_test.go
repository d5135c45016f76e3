package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/bot/bottest"
)

// TestWorkerRecordsProxyWithPhoto: the admin names a community worker, who
// walks the /paper flow step by step for an elderly resident's proxy vote with
// a photo of the 委托书. The vote is the household's one vote: it replaces the
// chat vote of its member, who is told, and carries the channel, the worker and
// the photo.
func TestWorkerRecordsProxyWithPhoto(t *testing.T) {
	w := newWorld(t)
	const compound = "jinrong"
	h := w.hhs[compound][7]
	member := w.srv.User(61001, "儿子", "zh-hans")
	w.bind(member, w.invites(compound)[h.ID])
	w.vote(member, renovote.ChoiceDisagree)

	admin := w.srv.User(adminID, "管理员", "zh-hans")
	worker := w.srv.User(61002, "社区小李", "zh-hans")
	// Before being named, the worker may not enter ballots.
	if m := w.say(worker, "/paper", func(bottest.Message) bool { return true }); !strings.Contains(m.Text, "没有权限") {
		t.Fatalf("unnamed worker: %q", m.Text)
	}
	w.say(admin, fmt.Sprintf("/addworker %d", worker.ID), func(bottest.Message) bool { return true })
	if ok, err := w.st.IsWorker(w.ctx, worker.ID); err != nil || !ok {
		t.Fatalf("worker not named: %v %v", ok, err)
	}
	// The worker's Telegram menu now shows the worker's commands, in both
	// languages, while residents keep theirs.
	scope := fmt.Sprintf(`{"type":"chat","chat_id":%d}`, worker.ID)
	hasCmd := func(cmds []bottest.BotCommand, name string) bool {
		for _, c := range cmds {
			if c.Command == name {
				return true
			}
		}
		return false
	}
	// The menu is set just after the reply: wait for the English one, set last.
	if _, err := w.srv.WaitFor(w.ctx, func(c bottest.Call) bool {
		return c.Method == "setMyCommands" && c.Param("language_code") == "en" && strings.Contains(c.Param("scope"), fmt.Sprint(worker.ID))
	}); err != nil {
		t.Fatalf("worker's menu never set: %v", err)
	}
	menuZH, menuEN := w.srv.MyCommandsForScope(scope, ""), w.srv.MyCommandsForScope(scope, "en")
	if !hasCmd(menuZH, "paper") || !hasCmd(menuEN, "paper") || !hasCmd(menuZH, "nonvoters") {
		t.Fatalf("worker's menus: zh %v, en %v", menuZH, menuEN)
	}
	if hasCmd(w.srv.MyCommands(""), "paper") {
		t.Fatal("the residents' default menu shows /paper")
	}

	m := w.say(worker, "/paper", hasButton("p:c:"+compound))
	w.press(worker, m, "p:c:"+compound)
	m = w.say(worker, h.ID, hasButton("p:v:proxy:a"))
	w.press(worker, m, "p:v:proxy:a")
	last, _ := worker.LastBotMessage()
	worker.SendPhoto([]byte("\xff\xd8\xff fake jpeg of a proxy form"), "委托书")
	ok, err := w.srv.WaitForBotMessage(w.ctx, worker.ID, last.ID, hasButton("p:ok"))
	if err != nil {
		t.Fatalf("no confirmation after the photo: %v\n%s", err, transcript(worker))
	}
	w.press(worker, ok, "p:ok")
	if _, err := w.srv.WaitForMessage(w.ctx, worker.ID, func(x bottest.Message) bool { return x.ID >= ok.ID && strings.Contains(x.Text, "回执") }); err != nil {
		t.Fatalf("no receipt: %v\n%s", err, transcript(worker))
	}

	v, found, err := w.st.CurrentVote(w.ctx, h.Ref())
	if err != nil || !found {
		t.Fatalf("no vote stored: %v", err)
	}
	if v.Choice != renovote.ChoiceAgree || v.Channel != renovote.ChannelProxy || v.Actor != fmt.Sprintf("tg:%d", worker.ID) || v.Evidence == "" {
		t.Fatalf("stored %+v", v)
	}
	if _, ok := w.srv.File(v.Evidence); !ok {
		t.Fatalf("evidence %q is not the photo the worker sent", v.Evidence)
	}
	tl := w.tally(compound)
	if tl.Voted != 1 || tl.Agree != 1 || tl.Disagree != 0 {
		t.Fatalf("one household, one vote: %+v", tl)
	}
	// The member is told what was recorded for the household.
	if _, err := w.srv.WaitForMessage(w.ctx, member.ID, contains("委托书")); err != nil {
		t.Fatalf("member not told of the proxy vote: %v\n%s", err, transcript(member))
	}
}
