package dialogs

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote"
)

func (w *world) report(compoundID, id string) renovote.Report {
	w.t.Helper()
	r, err := w.be.Report(context.Background(), compoundID, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

// Problem reports: a supervisor files one with photos, every worker and admin
// gets it, workers acknowledge and resolve it, the reporter is told; illegal
// moves and forged buttons change nothing.
func TestReports(t *testing.T) { transcript(t, "report", reports) }

func reports(w *world) {
	w.bind(zhang, ref301)
	w.bind(li, ref302)
	w.at(duringSurvey)

	w.note("A worker names a resident supervisor (民间监理员); the resident is told.")
	w.send(worker, "/supervisor 101")
	if ok, _ := w.be.IsSupervisor(context.Background(), zhang.id, "liangmao"); !ok {
		w.t.Fatal("not a supervisor")
	}

	w.note("The supervisor reports a problem of their building, with photos.")
	w.send(zhang, "/report_problem")
	w.send(zhang, "楼道灯坏了")
	w.photo(zhang, "AgADtoosoon")
	w.tap(zhang, "3栋")
	w.send(zhang, strings.Repeat("长", renovote.MaxCommentRunes+1))
	w.send(zhang, markup)
	w.photoWith(zhang, "AgADhuge", "", maxPhotoBytes+1)
	w.photoWith(zhang, "AgADlamp", "二楼 <b>", 300_000)
	w.photo(zhang, "AgADwire")
	w.tap(zhang, "提交")
	r := w.report("liangmao", "R1")
	if r.Text != markup || !r.Supervisor || r.Where != "3" || r.ReporterID != zhang.id || r.Status != renovote.ReportOpen ||
		!slices.Equal(r.Photos, []renovote.Photo{{FileID: "AgADlamp", Caption: "二楼 <b>"}, {FileID: "AgADwire"}}) {
		w.t.Fatalf("report = %+v", r)
	}
	if !strings.Contains(w.text(w.lastMsgWith(worker.id, "【问题反馈 R1】")), "——\n"+markup) {
		w.t.Error("the workers do not get the description byte for byte")
	}

	w.note("A worker acknowledges it: the message shows the new status, the reporter is told.")
	w.at(duringSurvey.Add(90 * time.Minute))
	w.tap(worker, "已受理 / Acknowledge")
	w.note("Another worker presses Acknowledge on their older message: already so.")
	w.tap(workerE, "已受理 / Acknowledge")
	w.note("A resident sends a staff button's data: not allowed, nothing changes.")
	w.press(li, 1, "r:r:liangmao:R1")
	w.press(zhang, 1, "r:a:liangmao:R1")
	w.press(worker, 1, "r:r:liangmao:R99")
	w.press(worker, 1, "r:r:Liang Mao:R1")
	if r := w.report("liangmao", "R1"); r.Status != renovote.ReportAcknowledged {
		w.t.Fatalf("status = %s", r.Status)
	}
	w.note("The admin resolves it; a later press is refused as already resolved.")
	w.at(duringSurvey.Add(50 * time.Hour))
	w.tap(admin, "已解决 / Resolved")
	w.tap(workerE, "已解决 / Resolved")
	if r := w.report("liangmao", "R1"); r.Status != renovote.ReportResolved || len(r.History) != 3 {
		w.t.Fatalf("report = %+v", r)
	}

	w.note("A resident in English reports a problem of the public areas with only a photo; another one is cancelled.")
	w.send(li, "/report_problem")
	w.tap(li, "Public areas")
	w.photo(li, "AgADbin")
	w.tap(li, "Submit")
	if r := w.report("liangmao", "R2"); r.Where != renovote.PublicArea || r.Supervisor || r.Text != "" {
		w.t.Fatalf("report = %+v", r)
	}
	w.send(li, "/report_problem")
	_, old := w.lastData(li.id, "Public areas")
	w.tap(li, "Cancel")
	w.press(li, w.lastMsg(li.id), old)

	w.note("Open reports for staff; residents may not list them.")
	w.at(duringSurvey.Add(75 * time.Hour))
	w.send(worker, "/reports")
	w.send(workerE, "/reports 粮贸小区")
	w.send(worker, "/reports 金融小区")
	w.send(zhang, "/reports")

	w.note("Supervisor commands: usage, an unbound user, removal; residents may not.")
	w.send(worker, "/supervisor")
	w.send(worker, "/supervisor 666")
	w.send(worker, "/supervisor remove 666")
	w.send(worker, "/supervisor remove 101")
	w.send(zhang, "/supervisor 201")
	if ok, _ := w.be.IsSupervisor(context.Background(), zhang.id, "liangmao"); ok {
		w.t.Fatal("still a supervisor")
	}
	if ok, _ := w.be.IsSupervisor(context.Background(), li.id, "liangmao"); ok {
		w.t.Fatal("a resident named a supervisor")
	}
	w.send(nobody, "/report_problem")
}

// lastMsgWith is the latest message of the chat whose text contains s.
func (w *world) lastMsgWith(chat int64, s string) int {
	w.t.Helper()
	for i := len(w.order) - 1; i >= 0; i-- {
		if m := w.msgs[w.order[i]]; m.chat == chat && strings.Contains(m.text, s) {
			return w.order[i]
		}
	}
	w.t.Fatalf("chat %d: no message with %q", chat, s)
	return 0
}

// The same Send handled twice (after a crash): one report, told again.
func TestReportReplay(t *testing.T) {
	w := newWorld(t, newFakeStore(testProgramme(), testRegister()))
	w.bind(zhang, ref301)
	w.send(zhang, "/report_problem")
	w.tap(zhang, "小区公共区域")
	w.send(zhang, "路灯不亮")
	first := w.tap(zhang, "提交")
	again := w.again()
	if len(again.Replies) != len(first.Replies) || again.Replies[0].Text != first.Replies[0].Text {
		t.Fatalf("replay: %+v\nfirst: %+v", again, first)
	}
	rs, err := w.be.OpenReports(context.Background(), "liangmao")
	if err != nil || len(rs) != 1 {
		t.Fatalf("reports = %+v, %v", rs, err)
	}
}

// The compound's staff cannot be listed: the report is filed, the admins
// still get it.
func TestReportWorkersFail(t *testing.T) {
	w := newWorld(t, newFakeStore(testProgramme(), testRegister()))
	w.bind(zhang, ref301)
	w.send(zhang, "/report_problem")
	w.tap(zhang, "3栋")
	w.send(zhang, "漏水")
	w.fail("StaffOf", errDown)
	resp := w.tap(zhang, "提交")
	var chats []int64
	for _, r := range resp.Replies {
		chats = append(chats, r.ChatID)
	}
	if !slices.Equal(chats, []int64{0, admin.id}) {
		t.Fatalf("replies to %v", chats)
	}
}

// A failed filing or move says the system is busy and keeps the draft: the
// same button works once the store is back.
func TestReportStoreFails(t *testing.T) {
	w := newWorld(t, newFakeStore(testProgramme(), testRegister()))
	w.bind(zhang, ref301)
	w.send(zhang, "/report_problem")
	w.tap(zhang, "3栋")
	w.send(zhang, "漏水")
	w.fail("FileReport", errDown)
	if resp := w.tap(zhang, "提交"); !resp.CallbackAlert || len(resp.Replies) != 0 {
		t.Fatalf("response = %+v", resp)
	}
	w.fail("FileReport", nil)
	w.tap(zhang, "提交")
	if r := w.report("liangmao", "R1"); r.Text != "漏水" {
		t.Fatalf("report = %+v", r)
	}
	w.fail("MoveReport", errDown)
	if resp := w.tap(worker, "已解决 / Resolved"); !resp.CallbackAlert || len(resp.Replies) != 0 {
		t.Fatalf("response = %+v", resp)
	}
	w.fail("MoveReport", nil)
	if resp := w.tap(worker, "已解决 / Resolved"); len(resp.Replies) != 2 || resp.Replies[1].ChatID != zhang.id {
		t.Fatalf("response = %+v", resp)
	}
	if r := w.report("liangmao", "R1"); r.Status != renovote.ReportResolved {
		t.Fatalf("status = %s", r.Status)
	}
}
