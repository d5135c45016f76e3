package bottest_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/renovote/renovote/bot/bottest"
)

// WaitChat returns when a message is added, edited or deleted, not before.
func TestWaitChat(t *testing.T) {
	srv := bottest.NewServer(t)
	ctx := testCtx(t)
	b := newClient(t, srv)
	alice := srv.User(7, "Alice", "en")

	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := srv.WaitChat(short, alice.ID, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("empty chat: WaitChat = %v, want deadline", err)
	}
	alice.Send("/start")
	seen, err := srv.WaitChat(ctx, alice.ID, nil)
	if err != nil || len(seen) != 1 || seen[0].Text != "/start" {
		t.Fatalf("after a message: %v %v", seen, err)
	}
	m, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "one"})
	if err != nil {
		t.Fatal(err)
	}
	if seen, err = srv.WaitChat(ctx, alice.ID, seen); err != nil || len(seen) != 2 {
		t.Fatalf("after the bot's message: %v %v", seen, err)
	}
	short2, cancel2 := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel2()
	if got, err := srv.WaitChat(short2, alice.ID, seen); err == nil {
		t.Fatalf("nothing changed, WaitChat returned %v", got)
	}
	if _, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: m.ID, Text: "two"}); err != nil {
		t.Fatal(err)
	}
	if seen, err = srv.WaitChat(ctx, alice.ID, seen); err != nil || seen[1].Text != "two" || seen[1].Edits != 1 {
		t.Fatalf("after an edit: %v %v", seen, err)
	}
	if _, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: alice.ID, MessageID: m.ID}); err != nil {
		t.Fatal(err)
	}
	if seen, err = srv.WaitChat(ctx, alice.ID, seen); err != nil || !seen[1].Deleted {
		t.Fatalf("after a delete: %v %v", seen, err)
	}
}

// A snapshot restored into a new server gives back the users, the chat with
// its keyboard and edits, the files, and update ids that continue.
func TestSnapshotRestore(t *testing.T) {
	srv := bottest.NewServer(t)
	ctx := testCtx(t)
	b := newClient(t, srv)
	alice := srv.User(7, "Alice", "zh")
	alice.Send("hello")
	alice.SendPhoto([]byte("not really a jpeg"), "my roof")
	kb := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
		{Text: "Yes", CallbackData: "y"}, {Text: "Site", URL: "https://example.org/"},
	}}}
	m, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "Vote?", ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: m.ID, Text: "Vote now?", ReplyMarkup: kb}); err != nil {
		t.Fatal(err)
	}
	doc, err := b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: alice.ID,
		Document: &models.InputFileUpload{Filename: "report.xlsx", Data: bytes.NewReader([]byte("PK sheet"))}})
	if err != nil {
		t.Fatal(err)
	}
	menu := []models.BotCommand{{Command: "vote", Description: "投票"}}
	if _, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: menu, Scope: &models.BotCommandScopeChat{ChatID: alice.ID}, LanguageCode: "zh"}); err != nil {
		t.Fatal(err)
	}
	next := srv.NextUpdateID()
	snap, err := srv.Snapshot()
	if err != nil {
		t.Fatal(err)
	}

	again := bottest.NewServer(t)
	if err := again.Restore(snap); err != nil {
		t.Fatal(err)
	}
	before, after := srv.Messages(alice.ID), again.Messages(alice.ID)
	if len(after) != len(before) || len(after) != 4 {
		t.Fatalf("restored %d messages, had %d", len(after), len(before))
	}
	for i := range before {
		if before[i].String() != after[i].String() || before[i].Edits != after[i].Edits || before[i].FileID != after[i].FileID {
			t.Errorf("message %d: restored %v, had %v", i, after[i], before[i])
		}
	}
	if bt, ok := after[2].Button("Site"); !ok || bt.URL != "https://example.org/" {
		t.Errorf("URL button lost: %v", after[2].InlineKeyboard)
	}
	f, ok := again.File(doc.Document.FileID)
	if !ok || string(f.Data) != "PK sheet" || f.Name != "report.xlsx" {
		t.Errorf("document: %+v %v", f, ok)
	}
	if got := again.MyCommandsForScope(`{"type":"chat","chat_id":7}`, "zh"); len(got) != 1 || got[0].Command != "vote" {
		t.Errorf("menu of the chat: %v", got)
	}
	if again.NextUpdateID() != next {
		t.Errorf("next update id %d, want %d", again.NextUpdateID(), next)
	}
	// The restored user can go on: press the restored button.
	u, ok := again.UserOf(alice.ID)
	if !ok || u.LanguageCode != "zh" || u.FirstName != "Alice" {
		t.Fatalf("restored user: %+v %v", u, ok)
	}
	if _, ok := again.UserOf(99); ok {
		t.Error("UserOf(99): a user never added")
	}
	if _, err := u.Press(int64(m.ID), "y"); err != nil {
		t.Errorf("press on the restored keyboard: %v", err)
	}
	again.SetNextUpdateID(next + 100)
	if id := u.Send("after"); id != next+100 {
		t.Errorf("update id %d after SetNextUpdateID(%d), want %[2]d", id, next+100)
	}
	again.SetNextUpdateID(1) // never lower
	if again.NextUpdateID() != next+101 {
		t.Errorf("SetNextUpdateID lowered the counter to %d", again.NextUpdateID())
	}
	if err := again.Restore([]byte(`{"version":99}`)); err == nil {
		t.Error("a snapshot of another version was restored")
	}
}
