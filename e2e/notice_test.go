package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/bot"
	"github.com/renovote/renovote/bot/bottest"
)

// TestBroadcastWholeProgramme: the admin sends a notice to every compound of
// the seed programme (808 households, one bound member each) through /notice,
// with the bot's limiter at its default (25 messages/s) and the fake Telegram
// enforcing Telegram's limits. Every reachable member gets it exactly once,
// the members who blocked the bot are counted unreachable, Telegram never
// answers 429, the admin's progress message ends with the final counts, and
// the bureau sees the notice with them.
func TestBroadcastWholeProgramme(t *testing.T) {
	if testing.Short() {
		t.Skip("808 messages at 25/s take over 30 s")
	}
	w := newWorldWith(t, func(c *bot.Config) { c.Rate, c.ReplyChatGap = 0, 0 }) // the defaults
	w.srv.SetRateLimits(bottest.TelegramRateLimits())
	var members []int64
	blocked := map[int64]bool{}
	for _, c := range w.p.Compounds {
		for _, h := range w.hhs[c.ID] {
			uid := int64(600000 + len(members))
			u := w.srv.User(uid, "住户", "zh-hans")
			if err := w.st.Bind(w.ctx, uid, h.Ref(), 3, w.clock.Now()); err != nil {
				t.Fatal(err)
			}
			if len(members)%100 == 7 {
				u.Block()
				blocked[uid] = true
			}
			members = append(members, uid)
		}
	}
	admin := w.srv.User(adminID, "管理员", "zh-hans")
	s := &surveyor{w: w, u: admin} // any message driver will do
	s.m = w.say(admin, "/notice", hasButton("n:"))
	s.pressN(":ca", contains("3/4")) // all compounds: no building step
	text := "6月1日 8:00-12:00 全县老旧小区停水检修，请提前储水。"
	s.m = w.say(admin, text, hasButton("n:"))
	s.pressN(":now", contains("808"))
	s.pressN(":ok", anyMsg)

	// Wait for the progress message to show the end.
	final, err := w.srv.WaitForMessage(w.ctx, admin.ID, func(m bottest.Message) bool {
		return strings.Contains(m.Text, fmt.Sprintf("已送达 %d", len(members)-len(blocked)))
	})
	if err != nil {
		t.Fatalf("no final progress: %v\n%s", err, transcript(admin))
	}
	got := map[int64]int{}
	for _, c := range w.srv.CallsTo("sendMessage") {
		if c.OK() && strings.Contains(c.Param("text"), "停水检修") {
			got[c.Int("chat_id")]++
		}
	}
	for _, m := range members {
		if blocked[m] {
			continue
		}
		if got[m] != 1 {
			t.Fatalf("member %d got the notice %d times", m, got[m])
		}
	}
	if n := w.srv.RateLimited(); n != 0 {
		var which []string
		for _, c := range w.srv.Calls() {
			if c.Status == 429 {
				which = append(which, fmt.Sprintf("%s chat %s at %s", c.Method, c.Param("chat_id"), c.Time.Format("15:04:05.000")))
			}
		}
		t.Fatalf("Telegram answered 429 %d times: %v", n, which)
	}
	ns, err := w.st.AllNotices(w.ctx, 5)
	if err != nil || len(ns) != 1 {
		t.Fatalf("notices %v %v", ns, err)
	}
	want := renovote.NoticeCounts{Recipients: int64(len(members)), Delivered: int64(len(members) - len(blocked)), Unreachable: int64(len(blocked))}
	if ns[0].Counts != want || ns[0].Status != renovote.NoticeDone {
		t.Fatalf("notice %s %+v, want %+v", ns[0].Status, ns[0].Counts, want)
	}
	// The blocked members are marked unreachable for the next notice.
	for m := range blocked {
		if ok, err := w.st.IsUnreachable(w.ctx, m); err != nil || !ok {
			t.Fatalf("blocked member %d not unreachable (%v)", m, err)
		}
	}
	// The bureau sees the notice with its counts.
	bureau := w.srv.User(700001, "住建局", "zh-hans")
	if err := w.st.SetStaff(w.ctx, renovote.StaffMember{UserID: bureau.ID, Role: renovote.RoleBureau, AddedBy: "test", Added: w.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	m := w.say(bureau, "/notices", anyMsg)
	if !strings.Contains(m.Text, fmt.Sprint(want.Delivered)) {
		t.Fatalf("bureau's /notices lacks the counts:\n%s", m.Text)
	}
	t.Logf("final progress: %q", final.Text)
}

// pressN presses a notice-composer button whose data ends in suffix.
func (s *surveyor) pressN(suffix string, want func(bottest.Message) bool) {
	s.w.t.Helper()
	var data string
	for _, b := range s.m.Buttons() {
		if b.CallbackData != nil && strings.HasPrefix(*b.CallbackData, "n:") && strings.HasSuffix(*b.CallbackData, suffix) {
			data = *b.CallbackData
		}
	}
	if data == "" {
		s.w.t.Fatalf("no button %q on:\n%s", suffix, s.m)
	}
	edits := s.m.Edits
	cb := s.w.press(s.u, s.m, data)
	if cb.ShowAlert {
		s.w.t.Fatalf("%q refused: %s", suffix, cb.AnswerText)
	}
	s.wait(func(x bottest.Message) bool {
		return (x.ID > s.m.ID || (x.ID == s.m.ID && x.Edits > edits)) && want(x)
	})
}

// TestUndeliveredListed: a worker of 粮贸小区 sends a notice to it; Telegram
// refuses one member's message for good (400). It lands in the dead-letter
// list, which the worker reads with /undelivered, and the notice's counts say
// one failed. A worker of another compound does not see it.
func TestUndeliveredListed(t *testing.T) {
	w := newWorld(t)
	const compound = "liangmao"
	var members []int64
	for i, h := range w.hhs[compound][:10] {
		uid := int64(800000 + i)
		w.srv.User(uid, "住户", "zh-hans")
		if err := w.st.Bind(w.ctx, uid, h.Ref(), 3, w.clock.Now()); err != nil {
			t.Fatal(err)
		}
		members = append(members, uid)
	}
	bad := members[3]
	w.srv.Intercept(func(c bottest.Call) *bottest.Fault {
		if c.Method == "sendMessage" && c.Int("chat_id") == bad {
			f := bottest.BadRequest("chat not found")
			return &f
		}
		return nil
	})
	worker := w.srv.User(810001, "社区", "zh-hans")
	other := w.srv.User(810002, "别的社区", "zh-hans")
	for _, s := range []struct {
		id    int64
		scope string
	}{{worker.ID, compound}, {other.ID, "jinrong"}} {
		if err := w.st.SetStaff(w.ctx, renovote.StaffMember{UserID: s.id, Role: renovote.RoleWorker, Compounds: []string{s.scope}, AddedBy: "test", Added: w.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	s := &surveyor{w: w, u: worker}
	// One compound in scope: the composer starts at the buildings.
	s.m = w.say(worker, "/notice", contains("2/4"))
	s.pressN(":ba", contains("3/4"))
	s.m = w.say(worker, "今晚 8 点开居民会。", hasButton("n:"))
	s.pressN(":now", contains("10"))
	s.pressN(":ok", anyMsg)
	if _, err := w.srv.WaitForMessage(w.ctx, worker.ID, contains("失败 1")); err != nil {
		t.Fatalf("progress never showed the failure: %v\n%s", err, transcript(worker))
	}
	m := w.say(worker, "/undelivered", anyMsg)
	if !strings.Contains(m.Text, fmt.Sprint(bad)) || !strings.Contains(m.Text, "chat not found") {
		t.Fatalf("/undelivered:\n%s", m.Text)
	}
	if m := w.say(other, "/undelivered", anyMsg); strings.Contains(m.Text, fmt.Sprint(bad)) {
		t.Fatalf("a worker of another compound sees it:\n%s", m.Text)
	}
	dead, err := w.st.DeadLetters(w.ctx, 10)
	if err != nil || len(dead) != 1 || dead[0].Msg.ChatID != bad {
		t.Fatalf("dead letters %+v %v", dead, err)
	}
}
