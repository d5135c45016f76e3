package dialogs

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/renovote/renovote"
)

// fakeReport stands in for report.Build + report.XLSX: a "spreadsheet" that
// lists the compounds the scope accepted and whether it is personal.
type fakeReport struct {
	mu    sync.Mutex
	calls []string
}

func (f *fakeReport) build(p renovote.Programme) func(context.Context, func(string) bool, bool) (string, []byte, error) {
	return func(_ context.Context, scope func(string) bool, personal bool) (string, []byte, error) {
		var ids []string
		for _, c := range p.Compounds {
			if scope(c.ID) {
				ids = append(ids, c.ID)
			}
		}
		call := fmt.Sprintf("compounds=%s personal=%v", strings.Join(ids, ","), personal)
		f.mu.Lock()
		f.calls = append(f.calls, call)
		f.mu.Unlock()
		return "report.xlsx", []byte(call + "\n"), nil
	}
}

func TestBureauReport(t *testing.T) { transcript(t, "bureau_report", bureauReportRun) }

// bureauReportRun: /report for the bureau (every compound), a worker of one
// compound (that compound only, in the text and the spreadsheet) and a
// resident (refused); the spreadsheet button checks the role again.
func bureauReportRun(w *world) {
	p := testProgramme()
	fr := &fakeReport{}
	w.e.report = fr.build(p)
	first := p.Compounds[0].ID
	w.setStaff(bureau, renovote.RoleBureau)
	w.setStaff(workerE, renovote.RoleWorker, first)

	w.note("A few votes, then the bureau reads the report of every compound and downloads it.")
	w.bind(zhang, ref301)
	w.send(zhang, "/vote")
	w.tap(zhang, "同意改造")
	w.send(bureau, "/report")
	w.tap(bureau, mBtnSpreadsheet.zh)

	w.note("A worker of one compound sees that compound only.")
	w.send(workerE, "/report")
	w.tap(workerE, mBtnSpreadsheet.en)

	w.note("A resident is refused, and so is a forged press of the button.")
	w.send(zhang, "/report")
	w.press(zhang, 1, "rp:x")

	all := make([]string, 0, len(p.Compounds))
	for _, c := range p.Compounds {
		all = append(all, c.ID)
	}
	want := []string{"compounds=" + strings.Join(all, ",") + " personal=true", "compounds=" + first + " personal=true"}
	if !slices.Equal(fr.calls, want) {
		w.t.Fatalf("report calls %q, want %q", fr.calls, want)
	}
}
