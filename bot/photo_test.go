package bot

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/renovote/renovote/bot/bottest"
	"github.com/renovote/renovote/dialogs"
)

// A photo from the user arrives as the largest size's file id and byte size
// with its caption as text; a reply with PhotoFileID goes out as sendPhoto with
// the text as caption (cut to Telegram's 1024) and the buttons.
func TestPhotoInAndOut(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	var got dialogs.Input
	h := handlerFunc(func(_ context.Context, in dialogs.Input, _ time.Time) (dialogs.Response, error) {
		mu.Lock()
		got = in
		mu.Unlock()
		return dialogs.Response{Replies: []dialogs.Reply{{
			PhotoFileID: in.PhotoFileID,
			Text:        "收到：" + in.Text + strings.Repeat("长", 1100),
			Buttons:     [][]dialogs.Button{{{Label: "好", Data: "ok"}}},
		}}}, nil
	})
	e.run(e.newBot(h, nil))
	u := e.srv.User(77, "居民", "zh-hans")
	u.SendPhoto([]byte("0123456789 pretend jpeg"), "楼道漏水")
	c := e.call(bottest.IsMethod("sendPhoto"))
	if !c.OK() {
		t.Fatalf("sendPhoto refused: %d %s", c.Status, c.Description)
	}
	mu.Lock()
	in := got
	mu.Unlock()
	if in.PhotoFileID == "" || in.PhotoSize != int64(len("0123456789 pretend jpeg")) || in.Text != "楼道漏水" {
		t.Fatalf("input %+v", in)
	}
	if c.Param("photo") != in.PhotoFileID {
		t.Fatalf("sent photo %q, want the user's %q", c.Param("photo"), in.PhotoFileID)
	}
	if n := len([]rune(c.Param("caption"))); n > 1024 || !strings.HasPrefix(c.Param("caption"), "收到：楼道漏水") {
		t.Fatalf("caption of %d runes: %.40q", n, c.Param("caption"))
	}
	if c.ReplyMarkup == nil || len(c.ReplyMarkup.Buttons()) != 1 {
		t.Fatalf("buttons lost: %+v", c.ReplyMarkup)
	}
}
