package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/bot/bottest"
)

// TestProblemReportThroughTelegram: a worker names a resident supervisor, who
// reports a broken stairwell light with two photos. The admin and the worker
// get the report with its photos; the worker acknowledges and resolves it, and
// the reporter is told each time. A resident pressing the staff buttons' data
// changes nothing.
func TestProblemReportThroughTelegram(t *testing.T) {
	w := newWorld(t)
	const compound = "laozhongyiyuan"
	h := w.hhs[compound][12]
	codes := w.invites(compound)
	reporter := w.srv.User(300001, "监理员老张", "zh-hans")
	w.bind(reporter, codes[h.ID])
	other := w.srv.User(300002, "邻居", "zh-hans")
	w.bind(other, codes[w.hhs[compound][13].ID])
	admin := w.srv.User(adminID, "管理员", "zh-hans")
	worker := w.srv.User(300009, "社区小赵", "zh-hans")
	w.say(admin, fmt.Sprintf("/addworker %d", worker.ID), anyMsg)
	w.say(worker, fmt.Sprintf("/supervisor %d", reporter.ID), contains("监理员"))

	m := w.say(reporter, "/report_problem", hasButton("r:w:"))
	w.press(reporter, m, "r:w:*") // the first choice: the reporter's own building
	text := "3楼楼道灯坏了，晚上很黑 <b>请尽快</b>"
	m = w.say(reporter, text, hasButton("r:ok:"))
	for i := 1; i <= 2; i++ {
		m = w.say2photo(reporter, i)
	}
	w.press(reporter, m, "r:ok:*")
	if _, err := w.srv.WaitForMessage(w.ctx, reporter.ID, contains("编号 R1")); err != nil {
		t.Fatalf("no report number: %v\n%s", err, transcript(reporter))
	}

	r, err := w.st.Report(w.ctx, compound, "R1")
	if err != nil {
		t.Fatal(err)
	}
	if r.Household != h.Ref() || !r.Supervisor || r.Text != text || len(r.Photos) != 2 || r.Status != renovote.ReportOpen {
		t.Fatalf("stored report %+v", r)
	}
	for _, ph := range r.Photos {
		if _, ok := w.srv.File(ph.FileID); !ok {
			t.Fatalf("report photo %s is not a photo the reporter sent", ph.FileID)
		}
	}

	// Both staff get the report and its photos.
	var workerMsg bottest.Message
	for _, u := range []*bottest.User{admin, worker} {
		rm, err := w.srv.WaitForMessage(w.ctx, u.ID, func(x bottest.Message) bool {
			return strings.Contains(x.Text, "R1") && strings.Contains(x.Text, "监理员") && strings.Contains(x.Text, text)
		})
		if err != nil {
			t.Fatalf("staff %d did not get the report: %v\n%s", u.ID, err, transcript(u))
		}
		if u == worker {
			workerMsg = rm
		}
		if _, err := w.srv.WaitForMessage(w.ctx, u.ID, func(x bottest.Message) bool {
			return x.FileID == r.Photos[1].FileID
		}); err != nil {
			t.Fatalf("staff %d did not get the second photo: %v", u.ID, err)
		}
	}

	// A resident sends the staff button's data: refused, nothing changes.
	cb := w.answered(other.PressRaw(workerMsg.ID, "r:r:"+compound+":R1"))
	if !cb.ShowAlert {
		t.Fatalf("resident's forged press answered %+v", cb)
	}
	if r2, _ := w.st.Report(w.ctx, compound, "R1"); r2.Status != renovote.ReportOpen {
		t.Fatalf("forged press moved the report to %s", r2.Status)
	}

	w.press(worker, workerMsg, "r:a:"+compound+":R1")
	if _, err := w.srv.WaitForMessage(w.ctx, reporter.ID, contains("R1 已受理")); err != nil {
		t.Fatalf("reporter not told of the acknowledgement: %v\n%s", err, transcript(reporter))
	}
	workerMsg, _ = w.srv.Message(worker.ID, workerMsg.ID)
	w.press(worker, workerMsg, "r:r:"+compound+":R1")
	if _, err := w.srv.WaitForMessage(w.ctx, reporter.ID, contains("R1 已解决")); err != nil {
		t.Fatalf("reporter not told of the resolution: %v\n%s", err, transcript(reporter))
	}
	r, err = w.st.Report(w.ctx, compound, "R1")
	if err != nil || r.Status != renovote.ReportResolved || len(r.History) != 3 {
		t.Fatalf("report after resolve: %+v %v", r, err)
	}
	if open, err := w.st.OpenReports(w.ctx, compound); err != nil || len(open) != 0 {
		t.Fatalf("open reports after resolve: %v %v", open, err)
	}
}
