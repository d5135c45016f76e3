package bottest_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/renovote/renovote/bot/bottest"
)

func TestInterceptAndDelay(t *testing.T) {
	srv := bottest.NewServer(t)
	ctx := testCtx(t)
	b := newClient(t, srv)
	srv.User(1, "A", "en")

	srv.Intercept(func(c bottest.Call) *bottest.Fault {
		if c.Method == "sendMessage" && strings.Contains(c.Param("text"), "boom") {
			f := bottest.InternalError()
			return &f
		}
		return nil
	})
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "boom"}); err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("intercepted: %v", err)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "fine"}); err != nil {
		t.Errorf("not intercepted: %v", err)
	}
	srv.ClearFaults()

	// A delay longer than the client's patience surfaces as a timeout.
	srv.FailNext("getMe", 1, bottest.Delay(time.Minute))
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := b.GetMe(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("delayed: %v", err)
	}
	// FailNext with n <= 0 stays until cleared; validation still wins.
	srv.FailNext("sendMessage", 0, bottest.UserDeactivated())
	for i := 0; i < 3; i++ {
		if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "x"}); !errors.Is(err, bot.ErrorForbidden) {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("invalid call under a fault: %v", err)
	}
	srv.ClearFaults()
	calls := srv.CallsTo("sendMessage")
	if len(calls) != 6 || calls[2].Status != 403 || calls[0].Status != 500 || !calls[1].OK() {
		t.Errorf("recorded: %v", calls)
	}
}

func TestPhotos(t *testing.T) {
	srv := bottest.NewServer(t)
	ctx := testCtx(t)
	var he errs
	defer he.check(t)

	var buf bytes.Buffer
	_ = png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 64, 48)))
	pic := buf.Bytes()

	got := make(chan []byte, 1)
	runBot(t, srv, func(ctx context.Context, b *bot.Bot, upd *models.Update) {
		if upd.Message == nil || len(upd.Message.Photo) == 0 {
			return
		}
		p := upd.Message.Photo[len(upd.Message.Photo)-1]
		// Echo the photo back by file_id with the caption upper-cased.
		_, err := b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: upd.Message.Chat.ID,
			Photo: &models.InputFileString{Data: p.FileID}, Caption: strings.ToUpper(upd.Message.Caption)})
		he.add(err)
		// And upload a fresh one.
		m, err := b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: upd.Message.Chat.ID,
			Photo: &models.InputFileUpload{Filename: "p.png", Data: bytes.NewReader(pic)}})
		he.add(err)
		if err == nil && (len(m.Photo) == 0 || m.Photo[0].Width != 64 || m.Photo[0].Height != 48) {
			he.add(errors.New("uploaded photo has wrong size"))
		}
		f, err := b.GetFile(ctx, &bot.GetFileParams{FileID: p.FileID})
		he.add(err)
		if err == nil {
			got <- []byte(f.FilePath)
		}
	})
	u := srv.User(2, "P", "en")
	u.SendPhoto(pic, "look")
	m, err := srv.WaitForMessage(ctx, 2, func(m bottest.Message) bool { return m.FromBot && m.Kind == "photo" && m.Text == "LOOK" })
	if err != nil {
		t.Fatal(err)
	}
	if m.FileID != u.Messages()[0].FileID {
		t.Errorf("echoed file id %q, sent %q", m.FileID, u.Messages()[0].FileID)
	}
	select {
	case p := <-got:
		if !strings.HasPrefix(string(p), "photos/") {
			t.Errorf("file_path = %s", p)
		}
	case <-ctx.Done():
		t.Fatal("no getFile")
	}
	if _, err := srv.WaitForBotMessage(ctx, 2, m.ID, nil); err != nil {
		t.Fatal(err)
	}
}
