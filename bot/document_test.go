package bot

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote/bot/bottest"
	"github.com/renovote/renovote/dialogs"
)

// A reply with Document uploads its bytes under its name, the text as the
// caption (cut to 1024); one with DocumentFileID sends the file by id.
func TestDocumentReplies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	data := bytes.Repeat([]byte("PK\x03\x04 pretend xlsx "), 100)
	var fileID string
	h := handlerFunc(func(_ context.Context, in dialogs.Input, _ time.Time) (dialogs.Response, error) {
		switch in.Command {
		case "export":
			return dialogs.Response{Replies: []dialogs.Reply{{
				Document: &dialogs.Document{Name: "投票结果.xlsx", Data: data},
				Text:     "导出：" + strings.Repeat("长", 1100),
				Buttons:  [][]dialogs.Button{{{Label: "好", Data: "ok"}}},
			}}}, nil
		case "again":
			return dialogs.Response{Replies: []dialogs.Reply{{DocumentFileID: in.Args, Text: "再发一次"}}}, nil
		}
		return dialogs.Response{}, nil
	})
	e.run(e.newBot(h, nil))
	u := e.srv.User(31_001, "D", "zh-hans")
	u.Send("/export")
	c := e.call(bottest.IsMethod("sendDocument"))
	if !c.OK() {
		t.Fatalf("sendDocument refused: %d %s", c.Status, c.Description)
	}
	part, ok := c.File("document")
	if !ok || part.Filename != "投票结果.xlsx" || part.Size != len(data) || part.FileID == "" {
		t.Fatalf("upload %+v (%v)", part, ok)
	}
	f, ok := e.srv.File(part.FileID)
	if !ok || f.Name != "投票结果.xlsx" || !bytes.Equal(f.Data, data) || f.Kind != "document" {
		t.Fatalf("stored file %+v", f)
	}
	if n := len([]rune(c.Param("caption"))); n > 1024 || !strings.HasPrefix(c.Param("caption"), "导出：长") {
		t.Errorf("caption of %d runes: %.40q", n, c.Param("caption"))
	}
	if c.ReplyMarkup == nil || len(c.ReplyMarkup.Buttons()) != 1 {
		t.Errorf("buttons lost: %+v", c.ReplyMarkup)
	}
	fileID = part.FileID

	mark := e.srv.Seq()
	u.Send("/again " + fileID)
	c = e.call(func(c bottest.Call) bool { return c.Seq > mark && c.Method == "sendDocument" })
	if !c.OK() || c.Param("document") != fileID || c.Param("caption") != "再发一次" || len(c.Files) != 0 {
		t.Fatalf("send by file id: %v", c)
	}
	ms := e.srv.BotMessages(u.ID)
	if len(ms) != 2 || ms[0].Kind != "document" || ms[1].FileID != fileID || ms[1].FileName != "投票结果.xlsx" {
		t.Errorf("transcript %+v", ms)
	}
}

// A reply with Track is reported to a Handler that is a Tracker with the id
// of the message it became: a new message's id, or the edited message's.
func TestReplyTrack(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	h := newTrackingHandler()
	e.run(e.newBot(h, nil))
	u := e.srv.User(31_002, "T", "zh-hans")
	u.Send("/notice x")
	tr := <-h.ch
	m, _ := e.srv.LastBotMessage(u.ID)
	if tr != (trackedMsg{"notice:x", u.ID, int(m.ID)}) {
		t.Errorf("tracked %+v, the message is %d", tr, m.ID)
	}

	// An edit is tracked as the message edited; an untracked reply is not.
	b := e.newBot(h, nil) // not running: send is called directly
	b.send(e.ctx, dialogs.Input{ChatID: u.ID}, dialogs.Response{Replies: []dialogs.Reply{
		{EditMessageID: int(m.ID), Text: "已编辑", Track: "edit"},
		{Text: "untracked"},
	}})
	select {
	case tr = <-h.ch:
	case <-e.ctx.Done():
		t.Fatal("edit not tracked")
	}
	if tr != (trackedMsg{"edit", u.ID, int(m.ID)}) {
		t.Errorf("edit tracked as %+v", tr)
	}
	select {
	case tr := <-h.ch:
		t.Errorf("tracked %+v too", tr)
	default:
	}
}
