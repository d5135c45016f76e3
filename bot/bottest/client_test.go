package bottest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/renovote/renovote/bot/bottest"
)

// TestConversation drives the real go-telegram client through a message,
// an inline keyboard, a button press, a callback answer and an edit.
func TestConversation(t *testing.T) {
	srv := bottest.NewServer(t)
	ctx := testCtx(t)
	var he errs
	defer he.check(t)

	var mu sync.Mutex
	var gotStart *models.Message
	var gotQuery *models.CallbackQuery
	sentCh := make(chan *models.Message, 1)

	runBot(t, srv, func(ctx context.Context, b *bot.Bot, upd *models.Update) {
		switch {
		case upd.Message != nil && upd.Message.Text == "/start":
			mu.Lock()
			gotStart = upd.Message
			mu.Unlock()
			m, err := b.SendMessage(ctx, &bot.SendMessageParams{
				ChatID:    upd.Message.Chat.ID,
				Text:      "Vote <b>now</b>?",
				ParseMode: models.ParseModeHTML,
				ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
					{Text: "Yes", CallbackData: "vote:yes"},
					{Text: "No", CallbackData: "vote:no"},
				}}},
			})
			he.add(err)
			sentCh <- m
		case upd.CallbackQuery != nil:
			q := upd.CallbackQuery
			mu.Lock()
			gotQuery = q
			mu.Unlock()
			_, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: q.ID, Text: "Saved"})
			he.add(err)
			msg := q.Message.Message
			_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{
				ChatID:    msg.Chat.ID,
				MessageID: msg.ID,
				Text:      "You voted " + strings.TrimPrefix(q.Data, "vote:"),
			})
			he.add(err)
		}
	})

	alice := srv.User(42, "Alice", "en")
	startID := alice.Send("/start")

	m, err := srv.WaitForMessage(ctx, alice.ID, func(m bottest.Message) bool { return m.FromBot })
	if err != nil {
		t.Fatalf("wait for keyboard: %v", err)
	}
	if m.Text != "Vote now?" || m.RawText != "Vote <b>now</b>?" || m.ParseMode != "HTML" {
		t.Errorf("bot message = %+v", m)
	}
	if len(m.Buttons()) != 2 || !m.HasCallbackData("vote:no") {
		t.Fatalf("buttons = %v", m.Buttons())
	}

	qid, err := alice.PressText(m.ID, "Yes")
	if err != nil {
		t.Fatal(err)
	}
	cb, err := srv.WaitCallbackAnswered(ctx, qid)
	if err != nil {
		t.Fatal(err)
	}
	if cb.AnswerText != "Saved" || cb.Data != "vote:yes" || cb.MessageID != m.ID {
		t.Errorf("callback = %+v", cb)
	}
	edited, err := srv.WaitForMessage(ctx, alice.ID, func(x bottest.Message) bool { return x.ID == m.ID && x.Edits > 0 })
	if err != nil {
		t.Fatal(err)
	}
	if edited.Text != "You voted yes" || edited.InlineKeyboard != nil {
		t.Errorf("edited = %v (editMessageText without reply_markup must drop the keyboard)", edited)
	}
	if err := srv.WaitConfirmed(ctx, startID); err != nil {
		t.Fatal(err)
	}

	// Transcript as the user sees it.
	tr := alice.Messages()
	if len(tr) != 2 {
		t.Fatalf("transcript = %v", tr)
	}
	if tr[0].FromBot || tr[0].Text != "/start" || tr[0].ID != 1 || tr[1].ID != 2 || !tr[1].FromBot {
		t.Errorf("transcript = %v", tr)
	}
	if u := srv.UnansweredCallbacks(); len(u) != 0 {
		t.Errorf("unanswered callbacks: %v", u)
	}

	var sent *models.Message
	select {
	case sent = <-sentCh:
	case <-ctx.Done():
		t.Fatal("handler did not finish")
	}
	mu.Lock()
	defer mu.Unlock()
	if gotStart == nil || len(gotStart.Entities) != 1 || gotStart.Entities[0].Type != models.MessageEntityTypeBotCommand ||
		gotStart.Entities[0].Length != 6 || gotStart.From.LanguageCode != "en" || gotStart.Chat.Type != models.ChatTypePrivate {
		t.Errorf("start update = %+v", gotStart)
	}
	if sent == nil || sent.From == nil || !sent.From.IsBot || sent.From.ID != srv.BotID() || sent.ID != 2 ||
		sent.Text != "Vote now?" || sent.ReplyMarkup == nil || len(sent.ReplyMarkup.InlineKeyboard[0]) != 2 {
		t.Errorf("sendMessage result = %+v", sent)
	}
	if gotQuery == nil || gotQuery.Message.Message == nil || gotQuery.Message.Message.Text != "Vote now?" ||
		gotQuery.From.ID != 42 || gotQuery.ChatInstance == "" {
		t.Errorf("callback query = %+v", gotQuery)
	}
	if n := len(srv.CallsTo("answerCallbackQuery")); n != 1 {
		t.Errorf("answerCallbackQuery calls = %d", n)
	}
}

// TestUpdateDeliveredOnce checks offset confirmation with the real poller.
func TestUpdateDeliveredOnce(t *testing.T) {
	srv := bottest.NewServer(t)
	ctx := testCtx(t)
	handled := make(chan int64, 100)
	runBot(t, srv, func(_ context.Context, _ *bot.Bot, upd *models.Update) {
		handled <- upd.ID
	})
	u := srv.User(7, "Bob", "ru")
	var ids []int64
	for i := 0; i < 5; i++ {
		ids = append(ids, u.Send("hello"))
	}
	for _, id := range ids {
		if err := srv.WaitConfirmed(ctx, id); err != nil {
			t.Fatalf("update %d not confirmed: %v", id, err)
		}
		if n := srv.Delivered(id); n != 1 {
			t.Errorf("update %d delivered %d times", id, n)
		}
	}
	later := u.Send("again")
	if err := srv.WaitConfirmed(ctx, later); err != nil {
		t.Fatal(err)
	}
	if srv.PendingUpdates() != 0 {
		t.Errorf("pending = %d", srv.PendingUpdates())
	}
	seen := map[int64]int{}
	for range len(ids) + 1 {
		select {
		case id := <-handled:
			seen[id]++
		case <-ctx.Done():
			t.Fatalf("handler saw only %v", seen)
		}
	}
	// Once the bot is idle in its next long poll, nothing else arrives.
	if err := srv.WaitLongPoll(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case id := <-handled:
		t.Errorf("update %d handled again", id)
	default:
	}
	for _, id := range append(ids, later) {
		if seen[id] != 1 {
			t.Errorf("handler saw update %d %d times", id, seen[id])
		}
	}
}

func TestClientErrors(t *testing.T) {
	srv := bottest.NewServer(t)
	ctx := testCtx(t)
	b := newClient(t, srv)
	srv.User(42, "Alice", "en")

	send := func(text string, kb models.ReplyMarkup) error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 42, Text: text, ReplyMarkup: kb})
		return err
	}

	t.Run("429", func(t *testing.T) {
		srv.FailNext("sendMessage", 1, bottest.TooManyRequests(7))
		err := send("hi", nil)
		var tmr *bot.TooManyRequestsError
		if !errors.As(err, &tmr) || tmr.RetryAfter != 7 {
			t.Fatalf("err = %v, want TooManyRequestsError with RetryAfter 7", err)
		}
		if err := send("hi", nil); err != nil {
			t.Fatalf("second send: %v", err)
		}
	})
	t.Run("403 blocked", func(t *testing.T) {
		srv.BlockUser(42)
		defer srv.UnblockUser(42)
		err := send("hi", nil)
		if !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "bot was blocked by the user") {
			t.Fatalf("err = %v, want ErrorForbidden", err)
		}
	})
	t.Run("403 injected", func(t *testing.T) {
		srv.FailNext("*", 1, bottest.BlockedByUser())
		if err := send("hi", nil); !errors.Is(err, bot.ErrorForbidden) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("text length", func(t *testing.T) {
		if err := send(strings.Repeat("a", 4096), nil); err != nil {
			t.Fatalf("4096 chars: %v", err)
		}
		err := send(strings.Repeat("a", 4097), nil)
		if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message is too long") {
			t.Fatalf("4097 chars: err = %v", err)
		}
		// Counted in UTF-16 units: an emoji is two.
		if err := send(strings.Repeat("😀", 2048), nil); err != nil {
			t.Fatalf("2048 emoji: %v", err)
		}
		if err := send(strings.Repeat("😀", 2049), nil); !errors.Is(err, bot.ErrorBadRequest) {
			t.Fatalf("2049 emoji: err = %v", err)
		}
		// Markup does not count.
		_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 42, ParseMode: models.ParseModeHTML,
			Text: "<b>" + strings.Repeat("&lt;", 4096) + "</b>"})
		if err != nil {
			t.Fatalf("4096 visible chars with tags: %v", err)
		}
	})
	t.Run("callback data", func(t *testing.T) {
		kb := func(data string) models.ReplyMarkup {
			return &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "x", CallbackData: data}}}}
		}
		if err := send("ok", kb(strings.Repeat("d", 64))); err != nil {
			t.Fatalf("64 bytes: %v", err)
		}
		err := send("ok", kb(strings.Repeat("d", 65)))
		if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "BUTTON_DATA_INVALID") {
			t.Fatalf("65 bytes: err = %v", err)
		}
		// 22 Cyrillic letters are 44 bytes; 33 are 66 bytes.
		if err := send("ok", kb(strings.Repeat("я", 33))); !errors.Is(err, bot.ErrorBadRequest) {
			t.Fatalf("66 bytes: err = %v", err)
		}
		noAction := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "x"}}}}
		if err := send("ok", noAction); !errors.Is(err, bot.ErrorBadRequest) {
			t.Fatalf("text-only button: err = %v", err)
		}
	})
	t.Run("callback answer", func(t *testing.T) {
		u := srv.User(43, "Carol", "de")
		id := u.PressRaw(1, "x")
		_, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: id, Text: strings.Repeat("a", 201)})
		if !errors.Is(err, bot.ErrorBadRequest) {
			t.Fatalf("201 chars: err = %v", err)
		}
		if _, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: id, Text: strings.Repeat("a", 200)}); err != nil {
			t.Fatalf("200 chars: %v", err)
		}
		if _, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: id}); !errors.Is(err, bot.ErrorBadRequest) {
			t.Fatalf("second answer: err = %v", err)
		}
	})
	t.Run("unknown chat", func(t *testing.T) {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 999, Text: "hi"})
		if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "chat not found") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("drop", func(t *testing.T) {
		srv.FailNext("getMe", 1, bottest.Drop())
		_, err := b.GetMe(ctx)
		if err == nil || errors.Is(err, bot.ErrorBadRequest) {
			t.Fatalf("err = %v, want a transport error", err)
		}
		if _, err := b.GetMe(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// TestEdits covers edit and delete semantics.
func TestEdits(t *testing.T) {
	srv := bottest.NewServer(t)
	ctx := testCtx(t)
	b := newClient(t, srv)
	u := srv.User(5, "Eve", "en")
	userMsg := u.Send("hi")
	_ = userMsg

	kb := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "A", CallbackData: "a"}}}}
	m, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 5, Text: "one", ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	edit := func(text string, markup models.ReplyMarkup) error {
		_, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: 5, MessageID: m.ID, Text: text, ReplyMarkup: markup})
		return err
	}
	if err := edit("one", kb); err == nil || !strings.Contains(err.Error(), "message is not modified") {
		t.Errorf("identical edit: %v", err)
	}
	if err := edit("two", kb); err != nil {
		t.Fatal(err)
	}
	got, _ := srv.Message(5, int64(m.ID))
	if got.Text != "two" || !got.HasCallbackData("a") || got.Edits != 1 || got.EditDate.IsZero() {
		t.Errorf("after edit: %+v", got)
	}
	if _, err := b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: 5, MessageID: m.ID}); err != nil {
		t.Fatal(err)
	}
	if got, _ := srv.Message(5, int64(m.ID)); got.InlineKeyboard != nil {
		t.Errorf("keyboard not removed: %v", got)
	}
	if _, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: 5, MessageID: 1, Text: "x"}); err == nil ||
		!strings.Contains(err.Error(), "message can't be edited") {
		t.Errorf("edit user message: %v", err)
	}
	if ok, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: 5, MessageID: m.ID}); !ok || err != nil {
		t.Fatalf("delete: %v %v", ok, err)
	}
	if _, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: 5, MessageID: m.ID}); err == nil ||
		!strings.Contains(err.Error(), "message to delete not found") {
		t.Errorf("second delete: %v", err)
	}
	if err := edit("three", nil); err == nil || !strings.Contains(err.Error(), "message to edit not found") {
		t.Errorf("edit deleted: %v", err)
	}
	if len(srv.Messages(5)) != 1 || len(srv.AllMessages(5)) != 2 {
		t.Errorf("messages = %v / %v", srv.Messages(5), srv.AllMessages(5))
	}
	if _, err := u.Press(int64(m.ID), "a"); err == nil {
		t.Error("press on deleted message succeeded")
	}
}

func TestFilesRoundTrip(t *testing.T) {
	srv := bottest.NewServer(t)
	ctx := testCtx(t)
	b := newClient(t, srv)
	u := srv.User(9, "Dan", "en")

	// A user uploads a spreadsheet; the bot downloads it.
	content := []byte("PK\x03\x04 fake xlsx")
	u.SendDocument("votes.xlsx", content, "here")
	in := u.Messages()[0]
	if in.Kind != "document" || in.FileName != "votes.xlsx" || in.Text != "here" {
		t.Fatalf("user message = %+v", in)
	}
	f, err := b.GetFile(ctx, &bot.GetFileParams{FileID: in.FileID})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(b.FileDownloadLink(f))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, content) || f.FileSize != int64(len(content)) {
		t.Errorf("downloaded %q (size %d)", got, f.FileSize)
	}

	// The bot uploads a report; the test reads it back.
	report := []byte("report body")
	m, err := b.SendDocument(ctx, &bot.SendDocumentParams{
		ChatID:   9,
		Document: &models.InputFileUpload{Filename: "report.csv", Data: bytes.NewReader(report)},
		Caption:  "Report",
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.Document == nil || m.Document.FileName != "report.csv" || m.Caption != "Report" {
		t.Fatalf("sendDocument result = %+v", m)
	}
	fi, ok := srv.File(m.Document.FileID)
	if !ok || !bytes.Equal(fi.Data, report) || fi.MIMEType != "text/csv" {
		t.Errorf("stored file = %+v", fi)
	}
	c, _ := srv.LastCall("sendDocument")
	if fp, ok := c.File("document"); !ok || fp.Size != len(report) || fp.FileID != m.Document.FileID {
		t.Errorf("recorded file part = %+v", c.Files)
	}

	// Re-sending by file_id works; an unknown id does not.
	if _, err := b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: 9, Photo: &models.InputFileString{Data: "nope"}}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("unknown file_id: %v", err)
	}
	if _, err := b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: 9, Document: &models.InputFileString{Data: m.Document.FileID}}); err != nil {
		t.Errorf("resend by id: %v", err)
	}
}

func TestCommands(t *testing.T) {
	srv := bottest.NewServer(t)
	ctx := testCtx(t)
	b := newClient(t, srv)
	cmds := []models.BotCommand{{Command: "start", Description: "Start"}, {Command: "vote", Description: "Vote"}}
	if _, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: cmds, LanguageCode: "en"}); err != nil {
		t.Fatal(err)
	}
	got, err := b.GetMyCommands(ctx, &bot.GetMyCommandsParams{LanguageCode: "en"})
	if err != nil || len(got) != 2 || got[1].Command != "vote" {
		t.Fatalf("getMyCommands = %v, %v", got, err)
	}
	if other, _ := b.GetMyCommands(ctx, &bot.GetMyCommandsParams{}); len(other) != 0 {
		t.Errorf("default language commands = %v", other)
	}
	if len(srv.MyCommands("en")) != 2 {
		t.Errorf("MyCommands = %v", srv.MyCommands("en"))
	}
	_, err = b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "Bad-Cmd", Description: "x"}}})
	if err == nil || !strings.Contains(err.Error(), "BOT_COMMAND_INVALID") {
		t.Errorf("invalid command: %v", err)
	}
}

func TestRateLimits(t *testing.T) {
	now := bottestClock()
	srv := bottest.NewServer(t, bottest.WithRateLimits(bottest.RateLimits{PerChatPerSecond: 1}), bottest.WithClock(now.Now))
	ctx := testCtx(t)
	b := newClient(t, srv)
	srv.User(1, "A", "en")
	srv.User(2, "B", "en")
	send := func(chat int64) error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat, Text: "x"})
		return err
	}
	if err := send(1); err != nil {
		t.Fatal(err)
	}
	if err := send(2); err != nil {
		t.Fatalf("other chat: %v", err)
	}
	err := send(1)
	var tmr *bot.TooManyRequestsError
	if !errors.As(err, &tmr) || tmr.RetryAfter != 1 {
		t.Fatalf("err = %v", err)
	}
	if srv.RateLimited() != 1 {
		t.Errorf("RateLimited = %d", srv.RateLimited())
	}
	now.Advance(1001e6)
	if err := send(1); err != nil {
		t.Fatalf("after a second: %v", err)
	}
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func bottestClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
