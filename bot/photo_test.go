package bot

import (
	"bytes"
	"context"
	"image"
	"image/png"
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

// A reply with Photo uploads its bytes as a photo (sendPhoto, multipart)
// with the text as caption and the buttons; after a server error the retry
// uploads the same bytes again.
func TestPhotoUpload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var buf bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 120, 80))
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	pic := buf.Bytes()
	h := handlerFunc(func(_ context.Context, in dialogs.Input, _ time.Time) (dialogs.Response, error) {
		return dialogs.Response{Replies: []dialogs.Reply{{
			Photo:   &dialogs.Document{Name: "consent.png", Data: pic},
			Text:    "📊 图表 1/3",
			Buttons: [][]dialogs.Button{{{Label: "好", Data: "ok"}}},
		}}}, nil
	})
	e.run(e.newBot(h, nil))
	e.srv.FailNext("sendPhoto", 1, bottest.InternalError())
	u := e.srv.User(31_003, "B", "zh-hans")
	u.Send("/charts")
	c := e.call(func(c bottest.Call) bool { return c.Method == "sendPhoto" && c.OK() })
	part, ok := c.File("photo")
	if !ok || part.Filename != "consent.png" || part.Size != len(pic) || part.FileID == "" {
		t.Fatalf("upload %+v (%v)", part, ok)
	}
	f, ok := e.srv.File(part.FileID)
	if !ok || f.Kind != "photo" || !bytes.Equal(f.Data, pic) {
		t.Fatalf("stored file %+v", f)
	}
	if c.Param("caption") != "📊 图表 1/3" || c.ReplyMarkup == nil || len(c.ReplyMarkup.Buttons()) != 1 {
		t.Fatalf("caption %q, markup %+v", c.Param("caption"), c.ReplyMarkup)
	}
	ms := e.srv.BotMessages(u.ID)
	if len(ms) != 1 || ms[0].Kind != "photo" || ms[0].FileID != part.FileID {
		t.Fatalf("transcript %+v", ms)
	}
	calls := e.srv.CallsTo("sendPhoto")
	if len(calls) != 2 || calls[0].OK() {
		t.Fatalf("want a failed sendPhoto and its retry, got %v", calls)
	}
	if p, ok := calls[0].File("photo"); !ok || p.Size != len(pic) {
		t.Fatalf("the failed attempt uploaded %+v (%v)", p, ok)
	}
}
