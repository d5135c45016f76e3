package e2e

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/bot/bottest"
)

// TestDoorToDoor: after 30 of 55 households of 粮贸小区 voted, a worker asks
// for the households that have not, receives the list and the spreadsheet
// through Telegram (the XLSX read back has one row per non-voter, with the owner
// (and phone, where the register has one) for the visits), and reminds the bound members of those
// households: exactly they get the reminder.
func TestDoorToDoor(t *testing.T) {
	w := newWorld(t)
	const compound = "liangmao"
	hhs := w.hhs[compound]
	for i, h := range hhs {
		uid := int64(900000 + i)
		w.srv.User(uid, "住户", "zh-hans")
		if err := w.st.Bind(w.ctx, uid, h.Ref(), 3, w.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if i < 30 {
			if _, err := w.st.CastVote(w.ctx, renovote.VoteCmd{Ref: h.Ref(), Choice: renovote.ChoiceAgree, Channel: renovote.ChannelChat,
				Actor: "test", OpID: "test:" + h.ID, ReceiptID: renovote.NewReceiptID(), At: w.clock.Now()}); err != nil {
				t.Fatal(err)
			}
		}
	}
	worker := w.srv.User(910001, "社区", "zh-hans")
	if err := w.st.SetStaff(w.ctx, renovote.StaffMember{UserID: worker.ID, Role: renovote.RoleWorker, Compounds: []string{compound}, AddedBy: "test", Added: w.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	list := w.say(worker, "/nonvoters "+compound, hasButton("dr:"))
	if !strings.Contains(list.Text, "25 户未投票") {
		t.Fatalf("list:\n%s", list.Text)
	}
	xlsx, err := w.srv.WaitForMessage(w.ctx, worker.ID, func(m bottest.Message) bool { return strings.HasSuffix(m.FileName, ".xlsx") })
	if err != nil {
		t.Fatalf("no spreadsheet: %v\n%s", err, transcript(worker))
	}
	f, ok := w.srv.File(xlsx.FileID)
	if !ok {
		t.Fatal("spreadsheet not stored")
	}
	book, err := excelize.OpenReader(bytes.NewReader(f.Data))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := book.GetRows(book.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+25 {
		t.Fatalf("spreadsheet has %d rows, want header + 25", len(rows))
	}
	for _, r := range rows[1:] {
		if len(r) < 5 || r[4] == "" {
			t.Fatalf("row without the owner: %q", r)
		}
	}

	w.press(worker, list, "dr:"+compound)
	s := &surveyor{w: w, u: worker}
	if s.m, err = w.srv.WaitForBotMessage(w.ctx, worker.ID, list.ID, hasButton("n:")); err != nil {
		t.Fatalf("no reminder preview: %v\n%s", err, transcript(worker))
	}
	s.pressN(":ok", anyMsg)
	if _, err := w.srv.WaitForMessage(w.ctx, worker.ID, contains("已送达 25")); err != nil {
		t.Fatalf("reminder not delivered to 25: %v\n%s", err, transcript(worker))
	}
	for i := range hhs {
		uid := int64(900000 + i)
		got := 0
		for _, m := range w.srv.Messages(uid) {
			if m.FromBot && strings.Contains(m.Text, "投票提醒") {
				got++
			}
		}
		if want := map[bool]int{true: 0, false: 1}[i < 30]; got != want {
			t.Fatalf("household %d (voted: %v) got %d reminders", i, i < 30, got)
		}
	}
}
