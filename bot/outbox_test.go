package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/bot/bottest"
	"github.com/renovote/renovote/dialogs"
)

// users registers n users with ids from base on and returns the ids.
func (e *env) users(base int64, n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = base + int64(i)
		e.srv.User(ids[i], fmt.Sprintf("R%d", i), "zh-hans")
	}
	return ids
}

// withOutbox configures a bot to send from ob, with fast retries.
func withOutbox(ob Outbox, mod func(*Config)) func(*Config) {
	return func(c *Config) {
		c.Outbox = ob
		c.OutboxBackoff = 10 * time.Millisecond
		if mod != nil {
			mod(c)
		}
	}
}

// exactlyOnce checks that every chat got exactly one bot message, text.
func (e *env) exactlyOnce(chats []int64, text string) {
	e.t.Helper()
	bad := 0
	for _, c := range chats {
		ms := e.srv.BotMessages(c)
		if len(ms) != 1 || ms[0].Text != text {
			if bad++; bad <= 5 {
				e.t.Errorf("chat %d got %d messages %v, want one %q", c, len(ms), ms, text)
			}
		}
	}
	if bad > 5 {
		e.t.Errorf("... %d chats in all did not get exactly one message", bad)
	}
}

// settledOnce checks that every message of the outbox was settled exactly
// once, as want (when not empty).
func settledOnce(t testing.TB, ob *memOutbox, want renovote.Delivery) {
	t.Helper()
	for _, en := range ob.all() {
		if en.settles != 1 || want != "" && en.settled != want {
			t.Errorf("message %s to %d: settled %d times, as %q (%s)", en.msg.ID, en.msg.ChatID, en.settles, en.settled, en.detail)
		}
	}
}

// sendsTo returns the calls of method to chat.
func (e *env) sendsTo(method string, chat int64) []bottest.Call {
	var out []bottest.Call
	for _, c := range e.srv.CallsTo(method) {
		if c.Int("chat_id") == chat {
			out = append(out, c)
		}
	}
	return out
}

// 300 recipients at the default rate (25/s) with Telegram's limits on in the
// fake: every one gets the notice exactly once, each message is settled once
// as delivered, and Telegram never answers 429.
func TestOutboxDeliversAllOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, bottest.WithRateLimits(bottest.TelegramRateLimits()))
	ob := newMemOutbox()
	chats := e.users(20_000, 300)
	e.run(e.newBot(echo, withOutbox(ob, func(c *Config) { c.Rate = 0 }))) // the default rate
	t0 := time.Now()
	id := ob.add(renovote.Notice{Kind: renovote.KindNotice, Text: "明日 8:00-12:00 停水", By: "staff"}, chats...)
	n, err := ob.waitDone(e.ctx, id)
	if err != nil {
		t.Fatalf("notice not done: %v (%+v)", err, n.Counts)
	}
	elapsed := time.Since(t0)
	if n.Counts != (renovote.NoticeCounts{Recipients: 300, Delivered: 300}) || n.Status != renovote.NoticeDone {
		t.Errorf("notice %+v", n)
	}
	settledOnce(t, ob, renovote.Delivered)
	e.exactlyOnce(chats, "明日 8:00-12:00 停水")
	if got := e.srv.RateLimited(); got != 0 {
		t.Errorf("%d answers 429 from Telegram's limits", got)
	}
	if r := 299 / elapsed.Seconds(); r > 25*1.05 {
		t.Errorf("sent at %.1f/s, more than the default 25/s", r)
	}
	t.Logf("300 messages in %v (%.1f/s)", elapsed.Round(time.Millisecond), 300/elapsed.Seconds())
}

// A 429 in the middle of a broadcast pauses every call for retry_after,
// bulk and replies alike: the reply to a message sent during the pause goes
// out after it (delayed, not lost), and the message that got the 429 is
// delivered once.
func TestOutbox429PausesEverything(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ob := newMemOutbox()
	chats := e.users(21_000, 60)
	u := e.srv.User(21_999, "U", "zh-hans")
	e.run(e.newBot(echo, withOutbox(ob, func(c *Config) { c.Rate, c.OutboxRate = 100, 50 })))
	id := ob.add(renovote.Notice{Kind: renovote.KindNotice, Text: "通知", By: "staff"}, chats...)
	if err := ob.waitSettled(e.ctx, id, 15); err != nil {
		t.Fatal(err)
	}
	e.srv.FailNext("sendMessage", 1, bottest.TooManyRequests(1))
	limited := e.call(func(c bottest.Call) bool { return c.Method == "sendMessage" && c.Status == 429 })
	// The server records the call before the bot reads the answer: send
	// once the bot has paused.
	for len(e.logs.lines("429", "pausing")) == 0 {
		if e.ctx.Err() != nil {
			t.Fatal("the bot did not pause")
		}
		time.Sleep(time.Millisecond)
	}
	u.Send("在吗")
	reply := e.call(func(c bottest.Call) bool {
		return c.Method == "sendMessage" && c.OK() && c.Param("text") == "re: 在吗"
	})
	if d := reply.Time.Sub(limited.Time); d < 900*time.Millisecond {
		t.Errorf("reply sent %v after the 429 with retry_after 1", d)
	}
	n, err := ob.waitDone(e.ctx, id)
	if err != nil || n.Counts.Delivered != 60 {
		t.Fatalf("notice %+v: %v", n.Counts, err)
	}
	for _, c := range e.srv.CallsTo("sendMessage") {
		// A call on the wire when the 429 came back may land just after it.
		if d := c.Time.Sub(limited.Time); d > 50*time.Millisecond && d < 900*time.Millisecond {
			t.Errorf("sendMessage %v after the 429, during the pause: %v", d, c)
		}
	}
	to := e.sendsTo("sendMessage", limited.Int("chat_id"))
	if len(to) != 2 || to[0].Status != 429 || !to[1].OK() {
		t.Errorf("sends to the chat that got the 429: %v", to)
	}
	settledOnce(t, ob, renovote.Delivered)
	e.exactlyOnce(chats, "通知")
	if ms := e.srv.BotMessages(u.ID); len(ms) != 1 {
		t.Errorf("the user got %v", ms)
	}
	if len(e.logs.lines("429", "pausing")) != 1 {
		t.Error("the 429 is not logged once")
	}
}

// 403 (blocked the bot) settles as unreachable and 400 (chat not found) as
// failed with Telegram's description, both after one call: retrying cannot
// help.
func TestOutboxFinalErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ob := newMemOutbox()
	chats := e.users(22_000, 20)
	blocked := []int64{chats[3], chats[10], chats[17]}
	for _, c := range blocked {
		e.srv.BlockUser(c)
	}
	const unknown = 22_999 // never started the bot: "chat not found"
	e.run(e.newBot(echo, withOutbox(ob, nil)))
	id := ob.add(renovote.Notice{Kind: renovote.KindNotice, Text: "通知", By: "staff"}, append(slices.Clone(chats), unknown)...)
	n, err := ob.waitDone(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if n.Counts != (renovote.NoticeCounts{Recipients: 21, Delivered: 17, Unreachable: 3, Failed: 1}) {
		t.Errorf("counts %+v", n.Counts)
	}
	for _, en := range ob.all() {
		if en.settles != 1 {
			t.Errorf("%s settled %d times", en.msg.ID, en.settles)
		}
		calls := e.sendsTo("sendMessage", en.msg.ChatID)
		switch {
		case slices.Contains(blocked, en.msg.ChatID):
			if en.settled != renovote.Unreachable || !strings.Contains(en.detail, "blocked") {
				t.Errorf("blocked %d: %s %q", en.msg.ChatID, en.settled, en.detail)
			}
			if len(calls) != 1 || calls[0].Status != 403 {
				t.Errorf("sends to blocked %d: %v", en.msg.ChatID, calls)
			}
		case en.msg.ChatID == unknown:
			if en.settled != renovote.Failed || en.detail != "Bad Request: chat not found" {
				t.Errorf("unknown chat: %s %q", en.settled, en.detail)
			}
			if len(calls) != 1 || calls[0].Status != 400 {
				t.Errorf("sends to the unknown chat: %v", calls)
			}
		default:
			if en.settled != renovote.Delivered || len(calls) != 1 {
				t.Errorf("%d: %s after %v", en.msg.ChatID, en.settled, calls)
			}
		}
	}
}

// A 500 and a dropped connection are retried (after a backoff) and the
// message arrives once.
func TestOutboxRetriesServerErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ob := newMemOutbox()
	chats := e.users(23_000, 1)
	e.srv.FailNext("sendMessage", 1, bottest.InternalError())
	e.srv.FailNext("sendMessage", 1, bottest.Drop())
	e.run(e.newBot(echo, withOutbox(ob, nil)))
	id := ob.add(renovote.Notice{Kind: renovote.KindNotice, Text: "通知", By: "staff"}, chats...)
	if n, err := ob.waitDone(e.ctx, id); err != nil || n.Counts.Delivered != 1 {
		t.Fatalf("notice %+v: %v", n.Counts, err)
	}
	calls := e.sendsTo("sendMessage", chats[0])
	if len(calls) != 3 || calls[0].Status != 500 || calls[1].Status != 0 || !calls[2].OK() {
		t.Errorf("sends: %v", calls)
	}
	settledOnce(t, ob, renovote.Delivered)
	e.exactlyOnce(chats, "通知")
	if n := len(e.logs.lines("trying again")); n != 2 {
		t.Errorf("%d retries logged, want 2", n)
	}
}

// A message that always fails is settled as failed after MaxAttempts in
// all, counting the deliveries by the outbox: a fresh one gets 5 calls, one
// taken over from a process that died after 3 deliveries 2. Retries to a
// chat need not wait a second: a failed call is no message.
func TestOutboxGivesUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ob := newMemOutbox()
	chats := e.users(24_000, 2)
	e.srv.FailNext("sendMessage", 0, bottest.InternalError())
	id := ob.add(renovote.Notice{Kind: renovote.KindNotice, Text: "通知", By: "staff"}, chats[0])
	ob.addPending(id, chats[1], 3)
	e.run(e.newBot(echo, withOutbox(ob, nil)))
	n, err := ob.waitDone(e.ctx, id)
	if err != nil || n.Counts.Failed != 2 {
		t.Fatalf("notice %+v: %v", n.Counts, err)
	}
	for i, want := range []int{5, 2} {
		if calls := e.sendsTo("sendMessage", chats[i]); len(calls) != want {
			t.Errorf("chat %d: %d calls, want %d", chats[i], len(calls), want)
		}
	}
	for _, en := range ob.all() {
		if en.settled != renovote.Failed || en.settles != 1 || !strings.Contains(en.detail, "500") {
			t.Errorf("%s: %s %d times %q", en.msg.ID, en.settled, en.settles, en.detail)
		}
	}
}

// Two notices to the same chat go at least a second apart (Telegram's limit
// per chat), while other chats do not wait.
func TestOutboxPerChatSpacing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, bottest.WithRateLimits(bottest.TelegramRateLimits()))
	ob := newMemOutbox()
	chats := e.users(25_000, 4)
	e.run(e.newBot(echo, withOutbox(ob, nil)))
	first := ob.add(renovote.Notice{Kind: renovote.KindNotice, Text: "一", By: "staff"}, chats[0], chats[1], chats[2])
	second := ob.add(renovote.Notice{Kind: renovote.KindReminder, Text: "二", By: "staff"}, chats[0], chats[3])
	for _, id := range []string{first, second} {
		if _, err := ob.waitDone(e.ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	calls := e.sendsTo("sendMessage", chats[0])
	if len(calls) != 2 || calls[0].Param("text") != "一" || calls[1].Param("text") != "二" {
		t.Fatalf("sends to the chat of both: %v", calls)
	}
	if gap := calls[1].Time.Sub(calls[0].Time); gap < time.Second {
		t.Errorf("two messages to one chat %v apart", gap)
	}
	if other := e.sendsTo("sendMessage", chats[3]); len(other) != 1 || other[0].Time.Sub(calls[0].Time) > 500*time.Millisecond {
		t.Errorf("another chat's message waited: %v", other)
	}
	if n := e.srv.RateLimited(); n != 0 {
		t.Errorf("%d answers 429", n)
	}
}

// While a broadcast of 300 runs at the default rate, the replies to a user's
// own messages go out at once, not behind the broadcast.
func TestReplyNotBehindBroadcast(t *testing.T) {
	t.Parallel()
	e := newEnv(t, bottest.WithRateLimits(bottest.TelegramRateLimits()))
	ob := newMemOutbox()
	chats := e.users(26_000, 300)
	var us []*bottest.User // one per message: Telegram's limits are per chat too
	for i := range 5 {
		us = append(us, e.srv.User(int64(26_990+i), "U", "zh-hans"))
	}
	r := e.run(e.newBot(echo, withOutbox(ob, func(c *Config) { c.Rate = 0 })))
	id := ob.add(renovote.Notice{Kind: renovote.KindNotice, Text: "通知", By: "staff"}, chats...)
	if err := ob.waitSettled(e.ctx, id, 20); err != nil {
		t.Fatal(err)
	}
	var worst time.Duration
	for i, u := range us {
		mark := e.srv.Seq()
		text := fmt.Sprintf("第%d次", i)
		t0 := time.Now()
		u.Send(text)
		c := e.call(func(c bottest.Call) bool {
			return c.Seq > mark && c.Method == "sendMessage" && c.Param("text") == "re: "+text
		})
		worst = max(worst, c.Time.Sub(t0))
		time.Sleep(100 * time.Millisecond)
	}
	if worst > 200*time.Millisecond {
		t.Errorf("a reply took %v during the broadcast", worst)
	}
	if n := ob.notice(id); n.Counts.Finished() {
		t.Errorf("the broadcast is over already (%+v): the test proves nothing", n.Counts)
	}
	e.stop(r)
	if n := e.srv.RateLimited(); n != 0 {
		t.Errorf("%d answers 429", n)
	}
	t.Logf("slowest reply %v", worst)
}

// trackingHandler is echo that records Sent calls and answers "/notice"
// with a progress message to track.
type trackingHandler struct {
	mu   sync.Mutex
	sent []trackedMsg
	ch   chan trackedMsg
}

type trackedMsg struct {
	track string
	chat  int64
	id    int
}

func newTrackingHandler() *trackingHandler { return &trackingHandler{ch: make(chan trackedMsg, 10)} }

func (h *trackingHandler) Handle(ctx context.Context, in dialogs.Input, now time.Time) (dialogs.Response, error) {
	if in.Command == "notice" {
		return dialogs.Response{Replies: []dialogs.Reply{{Text: "发送中…", Track: "notice:" + in.Args}}}, nil
	}
	return echo(ctx, in, now)
}

func (h *trackingHandler) Sent(_ context.Context, track string, chat int64, id int) ([]dialogs.Reply, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := trackedMsg{track, chat, id}
	h.sent = append(h.sent, m)
	h.ch <- m
	return nil, nil
}

func progressText(c renovote.NoticeCounts) string {
	return fmt.Sprintf("已送达 %d/%d，无法送达 %d，失败 %d", c.Delivered, c.Recipients, c.Unreachable, c.Failed)
}

// The progress message of a notice is edited about once a second while it
// goes out, and its last edit shows the final counts. The message to edit is
// the one the handler asked to track.
func TestOutboxProgress(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ob := newMemOutbox()
	chats := e.users(27_000, 90)
	for _, c := range chats[:3] {
		e.srv.BlockUser(c)
	}
	staff := e.srv.User(27_999, "S", "zh-hans")
	h := newTrackingHandler()
	progress := func(n renovote.Notice) (dialogs.Reply, bool) {
		if n.ProgressID == 0 {
			return dialogs.Reply{}, false
		}
		return dialogs.Reply{ChatID: n.ByChat, EditMessageID: n.ProgressID, Text: progressText(n.Counts)}, true
	}
	e.run(e.newBot(h, withOutbox(ob, func(c *Config) { c.OutboxRate, c.Progress = 40, progress })))

	staff.Send("/notice n1")
	var tr trackedMsg
	select {
	case tr = <-h.ch:
	case <-e.ctx.Done():
		t.Fatal("progress message not tracked")
	}
	pm, _ := e.srv.LastBotMessage(staff.ID)
	if tr.track != "notice:n1" || tr.chat != staff.ID || int64(tr.id) != pm.ID || pm.Text != "发送中…" {
		t.Fatalf("tracked %+v, the message is %+v", tr, pm)
	}

	ob.add(renovote.Notice{ID: "n1", Kind: renovote.KindNotice, Text: "通知", By: "staff", ByChat: staff.ID, ProgressID: tr.id}, chats...)
	n, err := ob.waitDone(e.ctx, "n1")
	if err != nil {
		t.Fatal(err)
	}
	want := progressText(n.Counts)
	if _, err := e.srv.WaitForMessage(e.ctx, staff.ID, func(m bottest.Message) bool { return m.ID == pm.ID && m.Text == want }); err != nil {
		t.Fatalf("final progress %q not shown: %v", want, err)
	}
	time.Sleep(100 * time.Millisecond) // no edit after the final one (a negative check)
	edits := e.sendsTo("editMessageText", staff.ID)
	if len(edits) < 2 || len(edits) > 5 {
		t.Errorf("%d edits for a broadcast of ~2.3s: %v", len(edits), edits)
	}
	for i := 1; i < len(edits)-1; i++ {
		if gap := edits[i].Time.Sub(edits[i-1].Time); gap < 900*time.Millisecond {
			t.Errorf("edits %d and %d %v apart", i-1, i, gap)
		}
	}
	if last := edits[len(edits)-1]; last.Param("text") != want || want != progressText(renovote.NoticeCounts{Recipients: 90, Delivered: 87, Unreachable: 3}) {
		t.Errorf("last edit %q, want %q", last.Param("text"), want)
	}
	for _, c := range edits {
		if !c.OK() || c.Int("message_id") != pm.ID {
			t.Errorf("edit %v", c)
		}
	}
}

// Shutdown in the middle of a broadcast leaves the messages not sent yet
// unsettled (and a message sent is settled); a second bot, another
// consumer, takes them over and no recipient is missed or served twice.
func TestOutboxShutdownResume(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ob := newMemOutbox()
	chats := e.users(28_000, 150)
	r1 := e.run(e.newBot(echo, withOutbox(ob, func(c *Config) { c.OutboxRate, c.Consumer = 50, "a" })))
	id := ob.add(renovote.Notice{Kind: renovote.KindNotice, Text: "通知", By: "staff"}, chats...)
	if err := ob.waitSettled(e.ctx, id, 40); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	e.stop(r1)
	if d := time.Since(t0); d > time.Second {
		t.Errorf("shutdown took %v", d)
	}
	unsettled := 0
	for _, en := range ob.all() {
		got := len(e.srv.BotMessages(en.msg.ChatID))
		switch {
		case en.settled == "" && got != 0:
			t.Errorf("%d got the notice but it is not settled", en.msg.ChatID)
		case en.settled != "" && got != 1:
			t.Errorf("%d: settled as %s with %d messages", en.msg.ChatID, en.settled, got)
		}
		if en.settled == "" {
			unsettled++
		}
	}
	if unsettled < 50 {
		t.Fatalf("only %d left for the second bot", unsettled)
	}

	e.run(e.newBot(echo, withOutbox(ob, func(c *Config) { c.OutboxMinIdle, c.Consumer = 200*time.Millisecond, "b" })))
	n, err := ob.waitDone(e.ctx, id)
	if err != nil || n.Counts.Delivered != 150 {
		t.Fatalf("notice %+v: %v", n.Counts, err)
	}
	settledOnce(t, ob, renovote.Delivered)
	e.exactlyOnce(chats, "通知")
	takenOver := 0
	for _, en := range ob.all() {
		if slices.Equal(en.owners, []string{"a", "b"}) && en.msg.Attempts == 2 {
			takenOver++
		}
	}
	if takenOver == 0 {
		t.Error("the second bot took over none of the first one's messages")
	}
	t.Logf("%d unsettled at shutdown, %d of them claimed by the first bot", unsettled, takenOver)
}

// A message still held when the outbox hands it out again (it outstayed
// OutboxMinIdle, here on a slow call) is not sent a second time.
func TestOutboxOwnMessageBack(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ob := newMemOutbox()
	chats := e.users(29_500, 1)
	e.srv.FailNext("sendMessage", 1, bottest.Delay(400*time.Millisecond))
	e.run(e.newBot(echo, withOutbox(ob, func(c *Config) { c.OutboxMinIdle, c.Consumer = 100*time.Millisecond, "c" })))
	id := ob.add(renovote.Notice{Kind: renovote.KindNotice, Text: "通知", By: "staff"}, chats...)
	if n, err := ob.waitDone(e.ctx, id); err != nil || n.Counts.Delivered != 1 {
		t.Fatalf("notice %+v: %v", n.Counts, err)
	}
	en := ob.all()[0]
	if len(en.owners) < 2 {
		t.Fatalf("the message was not handed out again (%v): the test proves nothing", en.owners)
	}
	if calls := e.sendsTo("sendMessage", chats[0]); len(calls) != 1 {
		t.Errorf("sends: %v", calls)
	}
	settledOnce(t, ob, renovote.Delivered)
}

// Photos and documents go by file id with the text as caption; a text too
// long for a caption goes first as a message of its own.
func TestOutboxMedia(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ob := newMemOutbox()
	chats := e.users(29_000, 3)
	photo := e.srv.AddFile("site.jpg", []byte("pretend jpeg"))
	doc := e.srv.AddFile("plan.pdf", []byte("%PDF pretend"))
	long := strings.Repeat("长", 1500)
	e.run(e.newBot(echo, withOutbox(ob, nil)))
	ids := []string{
		ob.add(renovote.Notice{Kind: renovote.KindNotice, Text: "工地照片", Photo: photo, By: "staff"}, chats[0]),
		ob.add(renovote.Notice{Kind: renovote.KindNotice, Text: "方案", Document: doc, By: "staff"}, chats[1]),
		ob.add(renovote.Notice{Kind: renovote.KindNotice, Text: long, Photo: photo, By: "staff"}, chats[2]),
	}
	for _, id := range ids {
		if n, err := ob.waitDone(e.ctx, id); err != nil || n.Counts.Delivered != 1 {
			t.Fatalf("notice %s %+v: %v", id, n.Counts, err)
		}
	}
	kinds := func(chat int64) (out []string) {
		for _, m := range e.srv.BotMessages(chat) {
			out = append(out, m.Kind+":"+m.FileID+":"+m.Text)
		}
		return out
	}
	for i, want := range [][]string{
		{"photo:" + photo + ":工地照片"},
		{"document:" + doc + ":方案"},
		{"text::" + long, "photo:" + photo + ":"},
	} {
		if got := kinds(chats[i]); !slices.Equal(got, want) {
			t.Errorf("chat %d got %.80q, want %.80q", chats[i], got, want)
		}
	}
}
