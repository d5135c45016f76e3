package bot

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/renovote/renovote/bot/bottest"
	"github.com/renovote/renovote/dialogs"
)

// Many updates of one chat are handled strictly in order and never two at
// once; the replies arrive in the same order.
func TestSerialPerChat(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const users, perUser = 5, 40
	var mu sync.Mutex
	active := map[int64]int{}
	overlap := map[int64]int{}
	got := map[int64][]string{}
	h := handlerFunc(func(_ context.Context, in dialogs.Input, _ time.Time) (dialogs.Response, error) {
		mu.Lock()
		active[in.ChatID]++
		if active[in.ChatID] > 1 {
			overlap[in.ChatID]++
		}
		got[in.ChatID] = append(got[in.ChatID], in.Text)
		mu.Unlock()
		runtime.Gosched() // give a concurrent update of the same chat a chance to overlap
		time.Sleep(100 * time.Microsecond)
		mu.Lock()
		active[in.ChatID]--
		mu.Unlock()
		return dialogs.Response{Replies: []dialogs.Reply{{Text: "re: " + in.Text}}}, nil
	})
	b := e.newBot(h, func(c *Config) { c.Shards = 3 }) // fewer shards than chats: chats share shards
	var us []*bottest.User
	for i := range users {
		us = append(us, e.srv.User(int64(300+i), "U"+strconv.Itoa(i), "en"))
	}
	// Queue everything before the bot polls, so that it takes big batches.
	for j := range perUser {
		for _, u := range us {
			u.Send(strconv.Itoa(j))
		}
	}
	e.run(b)

	want := make([]string, perUser)
	for j := range want {
		want[j] = strconv.Itoa(j)
	}
	for _, u := range us {
		e.reply(u.ID, 0, "re: "+want[perUser-1])
	}
	mu.Lock()
	defer mu.Unlock()
	for _, u := range us {
		if overlap[u.ID] > 0 {
			t.Errorf("chat %d: %d updates handled while another of the chat was in progress", u.ID, overlap[u.ID])
		}
		if !slices.Equal(got[u.ID], want) {
			t.Errorf("chat %d handled in order %v, want %v", u.ID, got[u.ID], want)
		}
		var replies []string
		for _, m := range e.srv.BotMessages(u.ID) {
			replies = append(replies, strings.TrimPrefix(m.Text, "re: "))
		}
		if !slices.Equal(replies, want) {
			t.Errorf("chat %d got replies in order %v, want %v", u.ID, replies, want)
		}
	}
}

// Updates of different chats are handled at the same time: each handler
// waits until the other one runs too, which would time out if chats were
// handled one after another.
func TestChatsRunConcurrently(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, c := e.srv.User(401, "A", "en"), e.srv.User(402, "C", "en")
	started := map[int64]chan struct{}{a.ID: make(chan struct{}), c.ID: make(chan struct{})}
	h := handlerFunc(func(ctx context.Context, in dialogs.Input, _ time.Time) (dialogs.Response, error) {
		close(started[in.ChatID])
		other := a.ID + c.ID - in.ChatID
		select {
		case <-started[other]:
			return dialogs.Response{Replies: []dialogs.Reply{{Text: "together"}}}, nil
		case <-ctx.Done():
			return dialogs.Response{Replies: []dialogs.Reply{{Text: "alone"}}}, nil
		}
	})
	e.run(e.newBot(h, func(c *Config) { c.HandleTimeout = 5 * time.Second }))
	a.Send("hi")
	c.Send("hi")
	for _, u := range []*bottest.User{a, c} {
		m, err := e.srv.WaitForBotMessage(e.ctx, u.ID, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		if m.Text != "together" {
			t.Errorf("chat %d: handler did not run alongside the other chat's (%q)", u.ID, m.Text)
		}
	}
}

// A panicking handler is recovered and logged with its stack, the button
// press is still answered, and the chat goes on.
func TestHandlerPanic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	h := menuHandler(func(ctx context.Context, in dialogs.Input, now time.Time) (dialogs.Response, error) {
		if in.Text == "boom" || in.Callback == "boom" {
			panic("kaboom:" + in.Text + in.Callback)
		}
		return echo(ctx, in, now)
	})
	e.run(e.newBot(h, nil))
	u := e.srv.User(501, "P", "en")
	m := e.menu(u)

	id, err := u.Press(m.ID, "boom")
	if err != nil {
		t.Fatal(err)
	}
	if cb := e.answered(id); cb.AnswerText != "" {
		t.Errorf("press answered with %q after a panic, want empty", cb.AnswerText)
	}
	textUpd := u.Send("boom")
	u.Send("after")
	e.reply(u.ID, m.ID, "re: after")

	if l := e.logs.lines("panic", "kaboom:boom", "stack="); len(l) != 2 {
		t.Errorf("want 2 panics logged with their stack, got %d:\n%s", len(l), strings.Join(l, "\n"))
	}
	if l := e.logs.lines("panic", "kaboom:boom", fmt.Sprintf("update_id=%d", textUpd)); len(l) != 1 {
		t.Errorf("the panic of update %d is not logged with its update id", textUpd)
	}
	e.noUnanswered()
}

// An update id seen before (e.g. delivered again after a restart) is not
// handled again, but a button press is still answered.
func TestDuplicateUpdateSkipped(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var mu sync.Mutex
	var handled []string
	h := menuHandler(func(ctx context.Context, in dialogs.Input, now time.Time) (dialogs.Response, error) {
		mu.Lock()
		handled = append(handled, in.Text+in.Callback)
		mu.Unlock()
		return echo(ctx, in, now)
	})
	first := e.run(e.newBot(h, nil))
	u := e.srv.User(601, "D", "en")
	m := e.menu(u)
	e.stop(first)

	// While the bot is down: a text and a press it has seen before, then a new text.
	again := u.Send("again")
	pressID, err := u.Press(m.ID, "a")
	if err != nil {
		t.Fatal(err)
	}
	fresh := u.Send("fresh")
	if fresh != again+2 {
		t.Fatalf("update ids %d, %d: expected the press in between", again, fresh)
	}
	e.dedupe.mark(again, again+1)

	e.run(e.newBot(h, nil))
	e.reply(u.ID, m.ID, "re: fresh") // serial per chat: the two before are done
	if cb := e.answered(pressID); cb.AnswerText != "" {
		t.Errorf("skipped press answered with %q, want empty", cb.AnswerText)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(handled, []string{"fresh"}) { // /menu is answered by menuHandler
		t.Errorf("handled %q, want only fresh", handled)
	}
	if n := len(e.srv.BotMessages(u.ID)); n != 2 {
		t.Errorf("bot sent %d messages, want 2 (menu, re: fresh)", n)
	}
	for _, id := range []int64{again, again + 1} {
		if len(e.logs.lines("seen before", fmt.Sprintf("update_id=%d", id))) != 1 {
			t.Errorf("skipping update %d not logged", id)
		}
	}
	e.noUnanswered()
}

// When the dedupe store fails, the update is handled anyway and the error logged.
func TestDedupeErrorStillHandles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.dedupe.err = fmt.Errorf("redis down")
	e.run(e.newBot(echo, nil))
	u := e.srv.User(602, "D", "en")
	id := u.Send("hi")
	e.reply(u.ID, 0, "re: hi")
	if len(e.logs.lines("dedupe", "redis down", fmt.Sprintf("update_id=%d", id))) != 1 {
		t.Error("dedupe failure not logged")
	}
}

// Every press is answered with the Response's CallbackText and alert flag,
// before the replies are sent; a text over Telegram's limit is shortened
// rather than leaving the press unanswered.
func TestCallbacksAnswered(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	long := strings.Repeat("投", 150) + strings.Repeat("😀", 60) // 270 UTF-16 units
	h := menuHandler(func(_ context.Context, in dialogs.Input, _ time.Time) (dialogs.Response, error) {
		switch in.Callback {
		case "a":
			return dialogs.Response{CallbackText: "Saved", Replies: []dialogs.Reply{{Text: "after a"}}}, nil
		case "boom":
			return dialogs.Response{CallbackText: "Careful!", CallbackAlert: true}, nil
		case "long":
			return dialogs.Response{CallbackText: long}, nil
		}
		return dialogs.Response{}, nil
	})
	e.run(e.newBot(h, nil))
	u := e.srv.User(701, "C", "en")
	m := e.menu(u)

	cases := []struct {
		data, text string
		alert      bool
	}{
		{"a", "Saved", false},
		{"boom", "Careful!", true},
		{"edit", "", false},
	}
	for _, c := range cases {
		id, err := u.Press(m.ID, c.data)
		if err != nil {
			t.Fatal(err)
		}
		cb := e.answered(id)
		if cb.AnswerText != c.text || cb.ShowAlert != c.alert {
			t.Errorf("press %q answered (%q, alert %v), want (%q, %v)", c.data, cb.AnswerText, cb.ShowAlert, c.text, c.alert)
		}
	}
	// The answer goes out before the replies.
	answer := e.call(func(c bottest.Call) bool { return c.Method == "answerCallbackQuery" && c.Param("text") == "Saved" })
	send := e.call(func(c bottest.Call) bool { return c.Method == "sendMessage" && c.Param("text") == "after a" })
	if answer.Seq > send.Seq {
		t.Errorf("answerCallbackQuery (seq %d) should come before the reply (seq %d)", answer.Seq, send.Seq)
	}

	id := u.PressRaw(m.ID, "long")
	cb := e.answered(id)
	if n := len(utf16.Encode([]rune(cb.AnswerText))); n == 0 || n > bottest.MaxCallbackAnswerLength || !strings.HasPrefix(long, strings.TrimSuffix(cb.AnswerText, "…")) {
		t.Errorf("long answer: got %d UTF-16 units %q", n, cb.AnswerText)
	}
	e.noUnanswered()
}

// Edits: in place; "message is not modified" is fine and sends nothing;
// a message that cannot be edited is sent anew.
func TestEditReplies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	h := menuHandler(func(ctx context.Context, in dialogs.Input, now time.Time) (dialogs.Response, error) {
		if in.Callback == "edit" {
			return dialogs.Response{Replies: []dialogs.Reply{{EditMessageID: in.MessageID, Text: "edited", Buttons: menuButtons}}}, nil
		}
		return echo(ctx, in, now)
	})
	e.run(e.newBot(h, nil))
	u := e.srv.User(801, "E", "en")
	m := e.menu(u)
	press := func() {
		t.Helper()
		id, err := u.Press(m.ID, "edit")
		if err != nil {
			t.Fatal(err)
		}
		e.answered(id)
	}
	// ping waits until everything before it in the chat is done.
	ping := func(text string) bottest.Message {
		t.Helper()
		u.Send(text)
		return e.reply(u.ID, m.ID, "re: "+text)
	}

	press()
	ping("1")
	if got, _ := e.srv.Message(u.ID, m.ID); got.Text != "edited" || got.Edits != 1 || len(got.Buttons()) != 3 {
		t.Fatalf("message after edit: %v (edits %d)", got, got.Edits)
	}

	press() // same text and buttons: Telegram says "message is not modified"
	ping("2")
	if c, ok := e.srv.LastCall("editMessageText"); !ok || c.OK() || !strings.Contains(c.Description, "not modified") {
		t.Errorf("second edit: %v", c)
	}
	if n := len(e.srv.BotMessages(u.ID)); n != 3 { // menu, re: 1, re: 2
		t.Errorf("bot has %d messages after an unmodified edit, want 3: %v", n, e.srv.BotMessages(u.ID))
	}
	if l := e.logs.lines("not delivered"); len(l) > 0 {
		t.Errorf("unmodified edit logged as a failure: %v", l)
	}

	e.srv.FailNext("editMessageText", 1, bottest.BadRequest("message can't be edited"))
	before, _ := u.LastBotMessage()
	press()
	fresh := e.reply(u.ID, before.ID, "edited")
	if len(fresh.Buttons()) != 3 {
		t.Errorf("message sent instead of the edit lost its buttons: %v", fresh)
	}
	if got, _ := e.srv.Message(u.ID, m.ID); got.Edits != 1 {
		t.Errorf("original message edited %d times, want 1", got.Edits)
	}
	if n := len(e.srv.CallsTo("editMessageText")); n != 3 {
		t.Errorf("%d editMessageText calls, want 3 (a failed edit is not retried)", n)
	}
}

// 429 is retried after retry_after and the message arrives once; a dropped
// connection and a 500 are retried too.
func TestRetries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.run(e.newBot(echo, nil))
	u := e.srv.User(901, "R", "en")

	e.srv.FailNext("sendMessage", 1, bottest.TooManyRequests(1))
	u.Send("flood")
	e.call(func(c bottest.Call) bool {
		return c.Method == "sendMessage" && c.OK() && c.Param("text") == "re: flood"
	})
	calls := e.srv.CallsTo("sendMessage")
	if len(calls) != 2 || calls[0].Status != 429 || !calls[1].OK() {
		t.Fatalf("sendMessage calls: %v", calls)
	}
	if gap := calls[1].Time.Sub(calls[0].Time); gap < 900*time.Millisecond {
		t.Errorf("retried %v after a 429 with retry_after 1", gap)
	}
	if len(e.logs.lines("429", "retry_after=1")) != 1 {
		t.Error("429 not logged")
	}

	e.srv.FailNext("sendMessage", 1, bottest.Drop())
	e.srv.FailNext("sendMessage", 1, bottest.InternalError())
	u.Send("flaky")
	e.call(func(c bottest.Call) bool {
		return c.Method == "sendMessage" && c.OK() && c.Param("text") == "re: flaky"
	})
	if n := len(e.srv.CallsTo("sendMessage")); n != 5 {
		t.Errorf("%d sendMessage calls, want 5", n)
	}
	var texts []string
	for _, m := range e.srv.BotMessages(u.ID) {
		texts = append(texts, m.Text)
	}
	if !slices.Equal(texts, []string{"re: flood", "re: flaky"}) {
		t.Errorf("bot messages %q: each should arrive exactly once", texts)
	}
}

// 403 (the user blocked the bot) is final: not retried, logged, and the
// other replies of the response still go out.
func TestBlockedUserNotRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	blocked, other := e.srv.User(1001, "B", "en"), e.srv.User(1002, "O", "en")
	h := handlerFunc(func(_ context.Context, in dialogs.Input, _ time.Time) (dialogs.Response, error) {
		return dialogs.Response{Replies: []dialogs.Reply{{Text: "to you"}, {ChatID: other.ID, Text: "to the other"}}}, nil
	})
	e.run(e.newBot(h, nil))
	e.srv.BlockUser(blocked.ID)
	id := blocked.Send("hi")
	e.reply(other.ID, 0, "to the other") // replies go in order: the first is done
	var toBlocked []bottest.Call
	for _, c := range e.srv.CallsTo("sendMessage") {
		if c.Int("chat_id") == blocked.ID {
			toBlocked = append(toBlocked, c)
		}
	}
	if len(toBlocked) != 1 || toBlocked[0].Status != 403 {
		t.Errorf("sends to the blocked user: %v, want one 403", toBlocked)
	}
	if len(e.logs.lines("not delivered", "forbidden", fmt.Sprintf("update_id=%d", id))) != 1 {
		t.Error("the 403 is not logged")
	}
}

// A handler error is logged and its Response still sent.
func TestHandlerErrorStillReplies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	h := handlerFunc(func(_ context.Context, in dialogs.Input, _ time.Time) (dialogs.Response, error) {
		return dialogs.Response{Replies: []dialogs.Reply{{Text: "sorry, try again"}}}, errBoom
	})
	e.run(e.newBot(h, nil))
	u := e.srv.User(1101, "H", "en")
	id := u.Send("hi")
	e.reply(u.ID, 0, "sorry, try again")
	if len(e.logs.lines("level=ERROR", "handle update", errBoom.Error(), fmt.Sprintf("update_id=%d", id))) != 1 {
		t.Errorf("handler error not logged:\n%s", e.logs.String())
	}
}

// Inputs are built from real updates: text, command, photo, button press;
// messages in groups are ignored.
func TestInputs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var mu sync.Mutex
	var ins []dialogs.Input
	h := menuHandler(func(ctx context.Context, in dialogs.Input, now time.Time) (dialogs.Response, error) {
		mu.Lock()
		ins = append(ins, in)
		mu.Unlock()
		return echo(ctx, in, now)
	})
	// One shard: the updates of every chat are handled in arrival order, so
	// once the last reply is there, the group message has been dealt with.
	e.run(e.newBot(h, func(c *Config) { c.Shards = 1 }))
	u := e.srv.AddUser(bottest.UserProfile{ID: 1201, FirstName: "李", LanguageCode: "zh-hans"})
	m := e.menu(u)

	upd := []int64{
		u.Send("你好 /vote"),
		u.Send("/vote@" + e.srv.BotUsername() + " now"),
		u.Send("  /START  x y "),
	}
	gid, err := e.srv.InjectUpdate(`{"message":{"message_id":1,"date":1700000000,"chat":{"id":-1001,"type":"group","title":"G"},` +
		`"from":{"id":1201,"is_bot":false,"first_name":"李"},"text":"/vote","entities":[{"type":"bot_command","offset":0,"length":5}]}}`)
	if err != nil {
		t.Fatal(err)
	}
	upd = append(upd, u.SendPhotoID(e.srv.AddFile("p.jpg", []byte("jpeg")), "/photo caption"))
	pressID, err := u.Press(m.ID, "a")
	if err != nil {
		t.Fatal(err)
	}
	e.answered(pressID)
	u.Send("end")
	e.reply(u.ID, m.ID, "re: end")

	mu.Lock()
	defer mu.Unlock()
	want := []dialogs.Input{
		{Text: "你好 /vote"},
		{Text: "/vote@" + e.srv.BotUsername() + " now", Command: "vote", Args: "now"},
		{Text: "  /START  x y ", Command: "start", Args: "x y"},
		{Text: "/photo caption", Command: "photo", Args: "caption", PhotoFileID: "?", PhotoSize: int64(len("jpeg"))},
		{Callback: "a", MessageID: int(m.ID)},
	}
	if len(ins) < len(want) {
		t.Fatalf("handled %d inputs: %+v", len(ins), ins)
	}
	for i, w := range want {
		got := ins[i]
		if got.UserID != u.ID || got.ChatID != u.ID || got.Lang != "zh-hans" || got.Name != "李" {
			t.Errorf("input %d: sender %d chat %d lang %q name %q", i, got.UserID, got.ChatID, got.Lang, got.Name)
		}
		if i < len(upd) && got.UpdateID != upd[i] {
			t.Errorf("input %d: update id %d, want %d", i, got.UpdateID, upd[i])
		}
		if w.PhotoFileID == "?" {
			if got.PhotoFileID == "" {
				t.Errorf("input %d: no photo file id", i)
			}
			w.PhotoFileID = got.PhotoFileID
		}
		got.UserID, got.ChatID, got.Lang, got.Name, got.UpdateID = 0, 0, "", "", 0
		if got != w {
			t.Errorf("input %d = %+v, want %+v", i, got, w)
		}
	}
	for _, in := range ins {
		if in.ChatID == -1001 || in.UpdateID == gid {
			t.Errorf("a group message was handled: %+v", in)
		}
	}
	if n := len(ins); n != len(want)+1 { // and "end"
		t.Errorf("handled %d inputs, want %d", n, len(want)+1)
	}
	if len(e.srv.BotMessages(-1001)) != 0 {
		t.Error("the bot wrote in the group")
	}
}

// Run returns after its context ends, but only once the updates already
// taken have been handled and their replies sent.
func TestRunWaitsForInFlight(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	started, release := make(chan struct{}), make(chan struct{})
	h := slowEcho(started, release)
	r := e.run(e.newBot(h, nil))
	u := e.srv.User(1301, "S", "en")
	u.Send("slow")
	queued := u.Send("queued")
	id := u.PressRaw(1, "x")
	select {
	case <-started:
	case <-e.ctx.Done():
		t.Fatal("handler never started")
	}
	// The bot took the queued updates (it confirms them once handled).
	e.taken(queued + 1)
	r.cancel()
	select {
	case <-r.done:
		t.Fatal("Run returned while a handler was in flight")
	case <-time.After(100 * time.Millisecond): // a negative check, not synchronisation
	}
	close(release)
	e.stop(r)
	var texts []string
	for _, m := range e.srv.BotMessages(u.ID) {
		texts = append(texts, m.Text)
	}
	if !slices.Equal(texts, []string{"re: slow", "re: queued"}) {
		t.Errorf("after Run returned the bot had sent %q", texts)
	}
	if cb, _ := e.srv.Callback(id); !cb.Answered || cb.AnswerText != "got x" {
		t.Errorf("press taken before shutdown: %+v", cb)
	}
}

// Shutdown is bounded by HandleTimeout as a whole, not per queued update,
// and the presses it gives up on are still answered.
func TestShutdownBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	started := make(chan struct{}, 10)
	h := handlerFunc(func(ctx context.Context, in dialogs.Input, now time.Time) (dialogs.Response, error) {
		started <- struct{}{}
		<-ctx.Done() // stuck until its deadline
		return dialogs.Response{}, ctx.Err()
	})
	const timeout = 400 * time.Millisecond
	r := e.run(e.newBot(h, func(c *Config) { c.HandleTimeout = timeout }))
	u := e.srv.User(1401, "S", "en")
	var last int64
	for range 3 {
		u.Send("stuck")
		last = u.Send("stuck")
		u.PressRaw(1, "stuck")
	}
	<-started
	e.taken(last + 1)
	t0 := time.Now()
	e.stop(r)
	if d := time.Since(t0); d > 3*timeout {
		t.Errorf("shutdown took %v with HandleTimeout %v", d, timeout)
	}
	if len(e.logs.lines("dropped at shutdown")) == 0 {
		t.Error("updates given up at shutdown are not logged")
	}
	e.noUnanswered()
}

// Run can be called once.
func TestRunTwice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.newBot(echo, nil)
	r := e.run(b)
	if err := b.Run(e.ctx); err == nil {
		t.Error("second Run returned nil")
	}
	e.stop(r)
	if err := b.Run(e.ctx); err == nil {
		t.Error("Run after Run returned nil")
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	if _, err := New(context.Background(), Config{Token: "x"}); err == nil {
		t.Error("New without Handler and Dedupe succeeded")
	}
	e := newEnv(t)
	_, err := New(e.ctx, Config{Token: "1:wrong", ServerURL: e.srv.URL, Handler: echo, Dedupe: e.dedupe, Logger: e.log})
	if err == nil || !strings.Contains(err.Error(), "getMe") {
		t.Errorf("New with a wrong token: %v", err)
	}
	b := e.newBot(echo, nil)
	if b.Username() != e.srv.BotUsername() {
		t.Errorf("Username %q, want %q", b.Username(), e.srv.BotUsername())
	}
}

// Once Run has returned, none of its goroutines (pollers, shards, the HTTP
// client's connections) are left. Not parallel: it looks at every goroutine.
func TestRunLeaksNoGoroutines(t *testing.T) {
	e := newEnv(t)
	b := e.newBot(echo, nil)
	if l := leaked(false); len(l) > 0 {
		t.Errorf("New started goroutines:\n%s", strings.Join(l, "\n\n"))
	}
	r := e.run(b)
	u := e.srv.User(1501, "L", "en")
	u.Send("hi")
	e.reply(u.ID, 0, "re: hi")
	e.stop(r)
	deadline := time.Now().Add(5 * time.Second)
	for {
		l := leaked(true)
		if len(l) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines left after Run returned:\n%s", strings.Join(l, "\n\n"))
		}
		time.Sleep(10 * time.Millisecond) // goroutines of closed connections wind down
	}
}

// leaked returns the stacks of goroutines that belong to a bot: its
// dispatcher and poller, go-telegram, and with conns an HTTP client
// connection (the tests' only HTTP client is the bot's).
func leaked(conns bool) []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "renovote/renovote/bot.(*") || strings.Contains(g, "renovote/renovote/bot.newDispatcher") ||
			strings.Contains(g, "github.com/go-telegram/bot.") || conns && strings.Contains(g, "net/http.(*persistConn)") {
			out = append(out, g)
		}
	}
	return out
}
