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

// fakeCharts stands in for report.Build + the chart package: three
// "images" whose bytes name the compounds the scope accepted and the
// language.
type fakeCharts struct {
	mu    sync.Mutex
	calls []string
}

func (f *fakeCharts) draw(p renovote.Programme) func(context.Context, func(string) bool, string) ([]Document, error) {
	return func(_ context.Context, scope func(string) bool, lang string) ([]Document, error) {
		var ids []string
		for _, c := range p.Compounds {
			if scope(c.ID) {
				ids = append(ids, c.ID)
			}
		}
		call := fmt.Sprintf("compounds=%s lang=%s", strings.Join(ids, ","), lang)
		f.mu.Lock()
		f.calls = append(f.calls, call)
		f.mu.Unlock()
		return []Document{{Name: "consent.png", Data: []byte(call)}, {Name: "survey.png", Data: []byte(call)},
			{Name: "response.png", Data: []byte(call)}}, nil
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
	fc := &fakeCharts{}
	w.e.charts = fc.draw(p)
	first := p.Compounds[0].ID
	w.setStaff(bureau, renovote.RoleBureau)
	w.setStaff(workerE, renovote.RoleWorker, first)

	w.note("A few votes, then the bureau reads the report of every compound and downloads it.")
	w.bind(zhang, ref301)
	w.send(zhang, "/vote")
	w.tap(zhang, "同意改造")
	w.send(bureau, "/report")
	w.tap(bureau, mBtnSpreadsheet.zh)
	w.note("The bureau asks for the charts: three photos.")
	w.tap(bureau, mBtnCharts.zh)

	w.note("A worker of one compound sees that compound only, in the spreadsheet and the charts.")
	w.send(workerE, "/report")
	w.tap(workerE, mBtnSpreadsheet.en)
	w.tap(workerE, mBtnCharts.en)

	w.note("A resident is refused, and so are forged presses of the buttons.")
	w.send(zhang, "/report")
	w.press(zhang, 1, "rp:x")
	w.press(zhang, 1, "rp:c")

	all := make([]string, 0, len(p.Compounds))
	for _, c := range p.Compounds {
		all = append(all, c.ID)
	}
	want := []string{"compounds=" + strings.Join(all, ",") + " personal=true", "compounds=" + first + " personal=true"}
	if !slices.Equal(fr.calls, want) {
		w.t.Fatalf("report calls %q, want %q", fr.calls, want)
	}
	want = []string{"compounds=" + strings.Join(all, ",") + " lang=zh", "compounds=" + first + " lang=en"}
	if !slices.Equal(fc.calls, want) {
		w.t.Fatalf("charts calls %q, want %q", fc.calls, want)
	}
}
