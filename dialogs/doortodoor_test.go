package dialogs

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"
	"time"

	"github.com/renovote/renovote"
)

// makeUnreachable has the bot find u's chat blocked (403) on a message.
func (w *world) makeUnreachable(u user) {
	w.t.Helper()
	ctx := context.Background()
	ref, _, _ := w.be.Binding(ctx, u.id)
	n, err := w.be.CreateNotice(ctx, renovote.Notice{Kind: renovote.KindNotice, Compounds: []string{ref.CompoundID},
		Text: "测试通知", By: "cli:test", Created: w.now, SendAt: w.now}, "test:unreachable:"+u.name())
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.be.EnqueueNotice(ctx, n.ID, []int64{u.id}); err != nil {
		w.t.Fatal(err)
	}
	w.be.settle(w.t, map[int64]renovote.Delivery{u.id: renovote.Unreachable}, w.now)
	if gone, _ := w.be.IsUnreachable(ctx, u.id); !gone {
		w.t.Fatalf("user %d is reachable", u.id)
	}
}

func (u user) name() string { return string(rune('a'+u.id%26)) + time.Duration(u.id).String() }

func doorToDoorWorld(w *world) {
	bindNoticeResidents(w)
	castAll(w.t, w.be, map[renovote.HouseholdRef]renovote.Choice{
		ref301:                    renovote.ChoiceAgree,
		ref("jinrong", "1-1-101"): renovote.ChoiceAgree,
		ref("jinrong", "1-1-102"): renovote.ChoiceDisagree,
		ref("jinrong", "2-1-201"): renovote.ChoiceAgree,
	})
	w.makeUnreachable(qian)
}

// The door-to-door list: rooms without a vote by building and unit, those
// that cannot be reached marked, a CSV and an XLSX with owners and phones,
// and a reminder to the households that have not voted.
func TestDoorToDoorZh(t *testing.T) { transcript(t, "doortodoor_zh", doorToDoorZh) }

func doorToDoorZh(w *world) {
	doorToDoorWorld(w)

	w.note("A worker of every compound chooses 粮贸小区: 5栋101's only member blocked the bot.")
	w.send(worker, "/nonvoters")
	w.tap(worker, "粮贸小区")
	w.note("They remind the households that have not voted (not those who cannot be reached).")
	w.tap(worker, "提醒未投票住户")
	w.tap(worker, "确认发送")
	n := w.notice("N2")
	if n.Kind != renovote.KindReminder || n.Counts.Recipients != 2 || n.By != "tg:900" {
		w.t.Fatalf("reminder = %+v", n)
	}
	w.deliver(nil)
	w.send(worker, "/notices")
	w.note("Reminders are not listed for residents.")
	w.send(li, "/notices")

	w.note("Every household of 金融小区 voted; its worker sees only it, and not 粮贸小区.")
	w.send(worker, "/nonvoters 金融小区")
	w.setStaff(workerJ, renovote.RoleWorker, "jinrong")
	w.send(workerJ, "/nonvoters")
	w.send(workerJ, "/nonvoters 粮贸小区")
	w.press(workerJ, w.lastMsg(workerJ.id), "dr:liangmao")
	w.press(workerJ, w.lastMsg(workerJ.id), "dd:liangmao")
	w.send(worker, "/nonvoters 不存在")

	w.note("A reminder previewed before the close and confirmed after it is not sent.")
	w.at(ballotCloses.Add(-time.Minute))
	w.send(worker, "/nonvoters 粮贸小区")
	w.tap(worker, "提醒未投票住户")
	w.at(ballotCloses)
	w.tap(worker, "确认发送")
	w.send(worker, "/nonvoters 粮贸小区")
	w.press(worker, w.lastMsg(worker.id), "dr:liangmao")
	if ns, _ := w.be.AllNotices(context.Background(), 10); len(ns) != 2 {
		w.t.Fatalf("%d notices, want 2", len(ns))
	}
}

func TestDoorToDoorEn(t *testing.T) { transcript(t, "doortodoor_en", doorToDoorEn) }

func doorToDoorEn(w *world) {
	doorToDoorWorld(w)
	w.setStaff(workerL, renovote.RoleWorker, "liangmao")
	w.send(workerL, "/nonvoters")
	w.tap(workerL, "Remind them")
	w.tap(workerL, "Cancel")
	w.send(workerL, "/nonvoters liangmao")
}

// The CSV has a byte order mark, the header, and a row per household, with
// cells that a spreadsheet would run as formulas defused.
func TestNonVotersCSV(t *testing.T) {
	data, err := nonVotersCSV([][]string{{"粮贸小区", "3", "2", "301", "=HYPERLINK(\"x\")", "13900000301", "1"}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("\ufeff")) {
		t.Fatal("no byte order mark")
	}
	rows, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0][0] != "小区" || rows[0][6] != "绑定人数" || rows[1][4] != "'=HYPERLINK(\"x\")" || rows[1][5] != "13900000301" {
		t.Errorf("rows = %q", rows)
	}
}

// An XLSX writer that fails leaves the CSV.
func TestNonVotersXLSXFails(t *testing.T) {
	w := newWorld(t, newFakeStore(testProgramme(), testRegister()))
	w.e.xlsx = func(string, []string, [][]string) ([]byte, error) { return nil, errDown }
	resp := w.send(worker, "/nonvoters 金融小区")
	var docs []string
	for _, r := range resp.Replies {
		if r.Document != nil {
			docs = append(docs, r.Document.Name)
		}
	}
	if len(docs) != 1 || docs[0] != "nonvoters-jinrong-20200521-1000.csv" {
		t.Errorf("documents %v", docs)
	}
}
