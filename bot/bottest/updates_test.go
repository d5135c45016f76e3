package bottest_test

import (
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/renovote/renovote/bot/bottest"
)

type rawUpdate struct {
	UpdateID int64 `json:"update_id"`
	Message  *struct {
		MessageID int64  `json:"message_id"`
		Text      string `json:"text"`
	} `json:"message"`
	CallbackQuery *struct {
		ID      string `json:"id"`
		Data    string `json:"data"`
		Message struct {
			MessageID int64 `json:"message_id"`
			Date      int64 `json:"date"`
		} `json:"message"`
	} `json:"callback_query"`
	MyChatMember *struct {
		NewChatMember struct {
			Status string `json:"status"`
		} `json:"new_chat_member"`
	} `json:"my_chat_member"`
}

func getUpdates(t *testing.T, srv *bottest.Server, params map[string]any) []rawUpdate {
	t.Helper()
	r := call(t, srv, "getUpdates", params)
	if !r.OK {
		t.Fatalf("getUpdates: %s", r.raw)
	}
	var ups []rawUpdate
	if err := json.Unmarshal(r.Result, &ups); err != nil {
		t.Fatal(err)
	}
	return ups
}

func ids(ups []rawUpdate) []int64 {
	var out []int64
	for _, u := range ups {
		out = append(out, u.UpdateID)
	}
	return out
}

func TestOffsetConfirmation(t *testing.T) {
	srv := bottest.NewServer(t)
	u := srv.User(1, "A", "en")
	a, b, c := u.Send("a"), u.Send("b"), u.Send("c")

	if got := ids(getUpdates(t, srv, nil)); len(got) != 3 || got[0] != a {
		t.Fatalf("first poll = %v", got)
	}
	// Without an offset nothing is confirmed: same updates again.
	if got := ids(getUpdates(t, srv, nil)); len(got) != 3 {
		t.Fatalf("second poll = %v", got)
	}
	if got := ids(getUpdates(t, srv, map[string]any{"offset": b, "limit": 1})); len(got) != 1 || got[0] != b {
		t.Fatalf("offset b, limit 1 = %v", got)
	}
	if !srv.Confirmed(a) || srv.Confirmed(b) {
		t.Errorf("confirmed a=%v b=%v", srv.Confirmed(a), srv.Confirmed(b))
	}
	// a is gone for good, even with offset 0.
	if got := ids(getUpdates(t, srv, nil)); len(got) != 2 || got[0] != b {
		t.Fatalf("after confirming a = %v", got)
	}
	if got := ids(getUpdates(t, srv, map[string]any{"offset": c + 1})); len(got) != 0 {
		t.Fatalf("after confirming all = %v", got)
	}
	if srv.Delivered(b) != 4 || srv.PendingUpdates() != 0 {
		t.Errorf("delivered(b)=%d pending=%d", srv.Delivered(b), srv.PendingUpdates())
	}
	// Negative offset keeps only the last -offset updates.
	u.Send("d")
	e := u.Send("e")
	if got := ids(getUpdates(t, srv, map[string]any{"offset": -1})); len(got) != 1 || got[0] != e {
		t.Fatalf("offset -1 = %v", got)
	}
}

func TestLongPoll(t *testing.T) {
	srv := bottest.NewServer(t)
	u := srv.User(1, "A", "en")

	// A waiting poll returns as soon as an update arrives.
	got := make(chan []rawUpdate, 1)
	go func() { got <- getUpdates(t, srv, map[string]any{"timeout": 30}) }()
	waitPolling(t, srv, 1)
	start := time.Now()
	id := u.Send("wake up")
	select {
	case ups := <-got:
		if len(ups) != 1 || ups[0].UpdateID != id || ups[0].Message.Text != "wake up" {
			t.Errorf("long poll = %+v", ups)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("long poll did not return")
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("long poll returned late")
	}

	// A second poller terminates the first with 409.
	first := make(chan apiResp, 1)
	go func() { first <- call(t, srv, "getUpdates", map[string]any{"offset": id + 1, "timeout": 30}) }()
	waitPolling(t, srv, 1)
	second := make(chan apiResp, 1)
	go func() { second <- call(t, srv, "getUpdates", map[string]any{"offset": id + 1, "timeout": 30}) }()
	select {
	case r := <-first:
		if r.status != 409 {
			t.Errorf("superseded poll = %s", r.raw)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("first poll not terminated")
	}
	u.Send("for the second")
	if r := <-second; !r.OK {
		t.Errorf("second poll = %s", r.raw)
	}
}

func waitPolling(t *testing.T, srv *bottest.Server, _ int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.WaitLongPoll(ctx); err != nil {
		t.Fatalf("no long poll started: %v", err)
	}
}

func TestCloseReleasesLongPolls(t *testing.T) {
	base := runtime.NumGoroutine()
	srv := bottest.New()
	done := make(chan apiResp, 1)
	go func() { done <- call(t, srv, "getUpdates", map[string]any{"timeout": 50}) }()
	waitPolling(t, srv, 1)
	waitErr := make(chan error, 1)
	go func() {
		_, err := srv.WaitFor(context.Background(), bottest.IsMethod("never"))
		waitErr <- err
	}()
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case r := <-done:
		if !r.OK || string(r.Result) != "[]" {
			t.Errorf("released poll = %s", r.raw)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not release the long poll")
	}
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	if err := <-waitErr; !errors.Is(err, bottest.ErrClosed) {
		t.Errorf("WaitFor after Close: %v", err)
	}
	srv.Close() // idempotent
	// Server goroutines are gone (client keep-alive goroutines may linger
	// briefly until their connections notice the close).
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base+2 {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("goroutines: %d > %d\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestPressAndInject(t *testing.T) {
	srv := bottest.NewServer(t)
	ctx := testCtx(t)
	u := srv.User(3, "C", "en")
	other := srv.User(4, "D", "en")
	r := call(t, srv, "sendMessage", map[string]any{"chat_id": 3, "text": "pick", "reply_markup": map[string]any{
		"inline_keyboard": [][]map[string]any{{{"text": "One", "callback_data": "1"}, {"text": "Site", "url": "https://example.com"}}}}})
	if !r.OK {
		t.Fatal(r.raw)
	}
	if _, err := u.Press(1, "2"); err == nil {
		t.Error("press with unknown data succeeded")
	}
	if _, err := u.Press(99, "1"); err == nil {
		t.Error("press on missing message succeeded")
	}
	if _, err := other.Press(1, "1"); err == nil {
		t.Error("press in another user's chat succeeded")
	}
	if _, err := u.PressText(1, "Site"); err == nil {
		t.Error("press on URL button succeeded")
	}
	qid, err := u.Press(1, "1")
	if err != nil {
		t.Fatal(err)
	}
	forged := u.PressRaw(77, "evil")
	ups := getUpdates(t, srv, nil)
	if len(ups) != 2 || ups[0].CallbackQuery == nil || ups[0].CallbackQuery.ID != qid ||
		ups[0].CallbackQuery.Message.MessageID != 1 || ups[0].CallbackQuery.Message.Date == 0 {
		t.Fatalf("updates = %+v", ups)
	}
	if q := ups[1].CallbackQuery; q.Data != "evil" || q.Message.Date != 0 || q.Message.MessageID != 77 {
		t.Errorf("forged query = %+v (want inaccessible message)", q)
	}
	if un := srv.UnansweredCallbacks(); len(un) != 2 || un[0] != qid || un[1] != forged {
		t.Errorf("unanswered = %v", un)
	}
	if r := call(t, srv, "answerCallbackQuery", map[string]any{"callback_query_id": qid}); !r.OK {
		t.Fatal(r.raw)
	}
	if un := srv.UnansweredCallbacks(); len(un) != 1 || un[0] != forged {
		t.Errorf("unanswered = %v", un)
	}

	// Injected raw updates, including an unknown chat becoming known.
	id, err := srv.InjectUpdate(`{"update_id":5,"message":{"message_id":1,"date":1,"chat":{"id":-100123,"type":"supergroup","title":"G"},"text":"hi"}}`)
	if err != nil {
		t.Fatal(err)
	}
	last := getUpdates(t, srv, map[string]any{"offset": ups[1].UpdateID + 1})
	if len(last) != 1 || last[0].UpdateID != id || last[0].Message.Text != "hi" {
		t.Errorf("injected = %+v", last)
	}
	if r := call(t, srv, "sendMessage", map[string]any{"chat_id": -100123, "text": "hello group"}); !r.OK {
		t.Errorf("send to injected chat: %s", r.raw)
	}
	if _, err := srv.InjectUpdate(`not json`); err == nil {
		t.Error("bad JSON accepted")
	}

	// Blocking queues my_chat_member and turns sends into 403.
	u.Block()
	if r := call(t, srv, "sendMessage", map[string]any{"chat_id": 3, "text": "x"}); r.status != 403 || r.Description != "Forbidden: bot was blocked by the user" {
		t.Errorf("send to blocker: %s", r.raw)
	}
	ups = getUpdates(t, srv, map[string]any{"offset": id + 1})
	if len(ups) != 1 || ups[0].MyChatMember == nil || ups[0].MyChatMember.NewChatMember.Status != "kicked" {
		t.Errorf("block update = %+v", ups)
	}

	// WaitFor honours its context.
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := srv.WaitFor(short, bottest.IsMethod("never")); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitFor = %v", err)
	}

	srv.Reset()
	if len(srv.Calls()) != 0 || len(srv.Messages(3)) != 0 || len(srv.Callbacks()) != 0 || srv.PendingUpdates() != 0 {
		t.Error("Reset left state behind")
	}
	if r := call(t, srv, "sendMessage", map[string]any{"chat_id": 3, "text": "x"}); r.OK {
		t.Error("chat survived Reset")
	}
}

func TestAllowedUpdates(t *testing.T) {
	srv := bottest.NewServer(t)
	u := srv.User(1, "A", "en")
	u.Send("msg")
	u.PressRaw(1, "cb")
	ups := getUpdates(t, srv, map[string]any{"allowed_updates": []string{"callback_query"}})
	if len(ups) != 1 || ups[0].CallbackQuery == nil {
		t.Fatalf("updates = %+v", ups)
	}
	// The setting sticks for later polls that do not pass it.
	again := u.Send("again")
	if ups := getUpdates(t, srv, map[string]any{"offset": ups[0].UpdateID + 1}); len(ups) != 0 {
		t.Fatalf("updates = %+v", ups)
	}
	if !srv.Confirmed(again) {
		t.Error("filtered update still pending")
	}
}
