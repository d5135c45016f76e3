package storesuite

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

var reportOps atomic.Int64

func rop() string { return fmt.Sprintf("test:report:%d", reportOps.Add(1)) }

func newReport(h renovote.Household, reporter int64, created time.Time) renovote.Report {
	return renovote.Report{
		CompoundID: h.CompoundID, Household: h.Ref(), ReporterID: reporter, Where: h.Building,
		Text: "楼道灯不亮", Photos: []renovote.Photo{{FileID: "p1", Caption: "三楼"}}, Created: created,
	}
}

func ids2(rs []renovote.Report) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func TestReportLifecycle(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	h := regs[lm][4]
	t0 := surveyDuring

	r1, err := s.FileReport(ctx, newReport(h, 501, t0), "tg:upd:1")
	must(t, err)
	want := newReport(h, 501, t0.UTC())
	want.ID, want.Status = "R1", renovote.ReportOpen
	want.History = []renovote.ReportEvent{{Status: renovote.ReportOpen, Actor: "tg:501", At: t0.UTC()}}
	if !reflect.DeepEqual(r1, want) {
		t.Fatalf("filed\n got %+v\nwant %+v", r1, want)
	}
	got, err := s.Report(ctx, lm, "R1")
	must(t, err)
	if !reflect.DeepEqual(got, r1) {
		t.Fatalf("stored %+v", got)
	}
	// A retried filing returns the same report and files nothing.
	again, err := s.FileReport(ctx, newReport(h, 501, t0.Add(time.Minute)), "tg:upd:1")
	must(t, err)
	if !reflect.DeepEqual(again, r1) {
		t.Fatalf("replayed filing %+v", again)
	}
	pub := newReport(h, 502, t0.Add(-time.Hour)) // created earlier: listed first
	pub.Where, pub.Text, pub.Photos = renovote.PublicArea, "", []renovote.Photo{{FileID: "p2"}}
	r2, err := s.FileReport(ctx, pub, "tg:upd:2")
	must(t, err)
	if r2.ID != "R2" || r2.Where != renovote.PublicArea {
		t.Fatalf("second report %+v", r2)
	}
	open, err := s.OpenReports(ctx, lm)
	must(t, err)
	if !slices.Equal(ids2(open), []string{"R2", "R1"}) {
		t.Fatalf("open reports %v", ids2(open))
	}

	// open → acknowledged → resolved.
	t1 := t0.Add(time.Hour)
	ack, err := s.MoveReport(ctx, lm, "R1", renovote.ReportAcknowledged, "tg:9", t1, "tg:upd:3")
	must(t, err)
	if ack.Status != renovote.ReportAcknowledged || len(ack.History) != 2 ||
		ack.History[1] != (renovote.ReportEvent{Status: renovote.ReportAcknowledged, Actor: "tg:9", At: t1.UTC()}) {
		t.Fatalf("acknowledged %+v", ack)
	}
	open, err = s.OpenReports(ctx, lm)
	must(t, err)
	if !slices.Equal(ids2(open), []string{"R2", "R1"}) {
		t.Fatalf("open reports %v", ids2(open))
	}
	// A retried move returns the report, no error, nothing changed.
	again, err = s.MoveReport(ctx, lm, "R1", renovote.ReportAcknowledged, "tg:9", t1.Add(time.Minute), "tg:upd:3")
	must(t, err)
	if !reflect.DeepEqual(again, ack) {
		t.Fatalf("replayed move %+v", again)
	}
	// Acknowledged twice (another op): a conflict.
	cur, err := s.MoveReport(ctx, lm, "R1", renovote.ReportAcknowledged, "tg:10", t1, "tg:upd:4")
	wantErr(t, err, renovote.ErrConflict)
	if !reflect.DeepEqual(cur, ack) {
		t.Fatalf("conflict returned %+v", cur)
	}
	t2 := t1.Add(time.Hour)
	res, err := s.MoveReport(ctx, lm, "R1", renovote.ReportResolved, "tg:9", t2, "tg:upd:5")
	must(t, err)
	if res.Status != renovote.ReportResolved || len(res.History) != 3 || res.History[2].Status != renovote.ReportResolved {
		t.Fatalf("resolved %+v", res)
	}
	open, err = s.OpenReports(ctx, lm)
	must(t, err)
	if !slices.Equal(ids2(open), []string{"R2"}) {
		t.Fatalf("open reports %v", ids2(open))
	}
	// resolved → acknowledged, resolved → resolved: conflicts; nothing changes.
	for i, to := range []renovote.ReportStatus{renovote.ReportAcknowledged, renovote.ReportResolved} {
		_, err := s.MoveReport(ctx, lm, "R1", to, "tg:9", t2, fmt.Sprintf("tg:upd:%d", 10+i))
		wantErr(t, err, renovote.ErrConflict)
		if !strings.HasPrefix(err.Error(), "move report liangmao/R1") {
			t.Fatalf("error %q", err)
		}
	}
	got, err = s.Report(ctx, lm, "R1")
	must(t, err)
	if !reflect.DeepEqual(got, res) {
		t.Fatalf("after refused moves %+v", got)
	}
	// The replay of the earlier acknowledgement still answers without error.
	again, err = s.MoveReport(ctx, lm, "R1", renovote.ReportAcknowledged, "tg:9", t1, "tg:upd:3")
	must(t, err)
	if !reflect.DeepEqual(again, res) {
		t.Fatalf("late replay %+v", again)
	}
	// open → resolved directly.
	res2, err := s.MoveReport(ctx, lm, "R2", renovote.ReportResolved, "cli:admin", time.Time{}, "cli:1")
	must(t, err)
	if res2.Status != renovote.ReportResolved || len(res2.History) != 2 || res2.History[1].At.IsZero() {
		t.Fatalf("resolved directly %+v", res2)
	}
	open, err = s.OpenReports(ctx, lm)
	must(t, err)
	if len(open) != 0 || open == nil {
		t.Fatalf("open reports %v", open)
	}
	all, err := s.Reports(ctx, lm)
	must(t, err)
	if !slices.Equal(ids2(all), []string{"R2", "R1"}) || !reflect.DeepEqual(all[1], res) {
		t.Fatalf("all reports %+v", all)
	}
	// Ids are per compound.
	r, err := s.FileReport(ctx, newReport(regs[lzy][0], 503, t0), "tg:upd:1")
	must(t, err)
	if r.ID != "R1" || r.CompoundID != lzy {
		t.Fatalf("other compound's report %+v", r)
	}
}

func TestReportInvalid(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	h := regs[lm][0]
	r1, err := s.FileReport(ctx, newReport(h, 1, surveyDuring), rop())
	must(t, err)
	cases := []struct {
		name string
		edit func(r *renovote.Report)
		op   string
		kind error
	}{
		{"no where", func(r *renovote.Report) { r.Where = "" }, "", renovote.ErrInvalid},
		{"no text, no photo", func(r *renovote.Report) { r.Text, r.Photos = "", nil }, "", renovote.ErrInvalid},
		{"text too long", func(r *renovote.Report) { r.Text = strings.Repeat("漏", renovote.MaxCommentRunes+1) }, "", renovote.ErrInvalid},
		{"too many photos", func(r *renovote.Report) {
			r.Photos = slices.Repeat([]renovote.Photo{{FileID: "x"}}, renovote.MaxSurveyPhotos+1)
		}, "", renovote.ErrInvalid},
		{"photo without file", func(r *renovote.Report) { r.Photos = []renovote.Photo{{}} }, "", renovote.ErrInvalid},
		{"household of another compound", func(r *renovote.Report) { r.Household.CompoundID = lzy }, "", renovote.ErrInvalid},
		{"no household", func(r *renovote.Report) { r.Household.HouseholdID = "" }, "", renovote.ErrInvalid},
		{"no op", func(r *renovote.Report) {}, "-", renovote.ErrInvalid},
		{"unknown household", func(r *renovote.Report) { r.Household.HouseholdID = "9-9-9" }, "", renovote.ErrNotFound},
		{"unknown compound", func(r *renovote.Report) { r.CompoundID, r.Household.CompoundID = "nowhere", "nowhere" }, "", renovote.ErrNotFound},
	}
	for _, tc := range cases {
		r := newReport(h, 1, surveyDuring)
		tc.edit(&r)
		op := tc.op
		switch op {
		case "":
			op = rop()
		case "-":
			op = ""
		}
		_, err := s.FileReport(ctx, r, op)
		if err == nil {
			t.Fatalf("%s: accepted", tc.name)
		}
		wantErr(t, err, tc.kind)
		if !strings.HasPrefix(err.Error(), "file report ") {
			t.Fatalf("%s: error %q", tc.name, err)
		}
	}
	// Moves.
	for _, tc := range []struct {
		name, compound, id string
		to                 renovote.ReportStatus
		actor, op          string
		kind               error
	}{
		{"unknown report", lm, "R99", renovote.ReportResolved, "tg:1", rop(), renovote.ErrNotFound},
		{"not a report id", lm, "X1", renovote.ReportResolved, "tg:1", rop(), renovote.ErrInvalid},
		{"back to open", lm, "R1", renovote.ReportOpen, "tg:1", rop(), renovote.ErrInvalid},
		{"unknown status", lm, "R1", "closed", "tg:1", rop(), renovote.ErrInvalid},
		{"no actor", lm, "R1", renovote.ReportResolved, "", rop(), renovote.ErrInvalid},
		{"no op", lm, "R1", renovote.ReportResolved, "tg:1", "", renovote.ErrInvalid},
		{"bad compound", "Bad", "R1", renovote.ReportResolved, "tg:1", rop(), renovote.ErrInvalid},
	} {
		_, err := s.MoveReport(ctx, tc.compound, tc.id, tc.to, tc.actor, surveyDuring, tc.op)
		if err == nil {
			t.Fatalf("%s: accepted", tc.name)
		}
		wantErr(t, err, tc.kind)
	}
	all, err := s.Reports(ctx, lm)
	must(t, err)
	if len(all) != 1 || !reflect.DeepEqual(all[0], r1) {
		t.Fatalf("refused filings or moves changed the reports: %+v", all)
	}
	_, err = s.Report(ctx, lm, "R2")
	wantErr(t, err, renovote.ErrNotFound)
	_, err = s.Report(ctx, lm, "../R1")
	wantErr(t, err, renovote.ErrNotFound)
	_, err = s.Reports(ctx, "nowhere")
	wantErr(t, err, renovote.ErrNotFound)
	_, err = s.OpenReports(ctx, "nowhere")
	wantErr(t, err, renovote.ErrNotFound)

	// A removed household cannot file; a retired compound neither.
	_, err = s.ImportRegister(ctx, lm, regs[lm][1:], store.ImportOptions{RemoveMissing: true, Actor: "cli:test"})
	must(t, err)
	_, err = s.FileReport(ctx, newReport(h, 1, surveyDuring), rop())
	wantErr(t, err, renovote.ErrRemoved)
	p := testProgramme()
	p.Compounds = p.Compounds[:2]
	must(t, s.ApplyProgramme(ctx, p))
	_, err = s.FileReport(ctx, newReport(regs[lzy][0], 1, surveyDuring), rop())
	wantErr(t, err, renovote.ErrNotFound)
}

// Reports filed concurrently, with retries, get distinct consecutive ids;
// concurrent moves of one report are applied one after the other.
func TestReportsConcurrent(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	hhs := regs[lzy]
	const n = 300
	var mu sync.Mutex
	idOf := map[string]string{} // op -> id
	run(t, 32, n, func(i int) error {
		h := hhs[i%len(hhs)]
		op := fmt.Sprintf("tg:upd:%d", i/2) // every op id is used twice
		r, err := s.FileReport(ctx, newReport(h, int64(1000+i/2), surveyDuring.Add(time.Duration(i/2)*time.Second)), op)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		if prev, ok := idOf[op]; ok && prev != r.ID {
			return fmt.Errorf("op %s filed as %s and %s", op, prev, r.ID)
		}
		idOf[op] = r.ID
		return nil
	})
	all, err := s.Reports(ctx, lzy)
	must(t, err)
	if len(all) != n/2 {
		t.Fatalf("%d reports for %d filings", len(all), n/2)
	}
	seen := map[string]bool{}
	for _, r := range all {
		seen[r.ID] = true
	}
	for i := 1; i <= n/2; i++ {
		if !seen[fmt.Sprintf("R%d", i)] {
			t.Fatalf("id R%d missing: ids are not consecutive", i)
		}
	}
	open, err := s.OpenReports(ctx, lzy)
	must(t, err)
	if len(open) != n/2 {
		t.Fatalf("%d open", len(open))
	}
	for i := 1; i < len(open); i++ {
		if open[i].Created.Before(open[i-1].Created) {
			t.Fatalf("open reports not oldest first at %d", i)
		}
	}

	// Workers race to acknowledge and resolve R1..R20.
	for k := 1; k <= 20; k++ {
		id := fmt.Sprintf("R%d", k)
		var acks, resolves, conflicts atomic.Int64
		run(t, 16, 16, func(i int) error {
			to := renovote.ReportAcknowledged
			if i%2 == 1 {
				to = renovote.ReportResolved
			}
			_, err := s.MoveReport(ctx, lzy, id, to, fmt.Sprintf("tg:%d", i), surveyDuring, fmt.Sprintf("mv:%s:%d", id, i))
			switch {
			case err == nil && to == renovote.ReportAcknowledged:
				acks.Add(1)
			case err == nil:
				resolves.Add(1)
			case errorsIs(err, renovote.ErrConflict):
				conflicts.Add(1)
			default:
				return err
			}
			return nil
		})
		r, err := s.Report(ctx, lzy, id)
		must(t, err)
		if resolves.Load() != 1 || acks.Load() > 1 || conflicts.Load() != 16-1-acks.Load() ||
			r.Status != renovote.ReportResolved || len(r.History) != int(2+acks.Load()) {
			t.Fatalf("%s: %d acks %d resolves %d conflicts; %+v", id, acks.Load(), resolves.Load(), conflicts.Load(), r)
		}
		for i := 1; i < len(r.History); i++ {
			if !renovote.CanMove(r.History[i-1].Status, r.History[i].Status) {
				t.Fatalf("%s: history %+v", id, r.History)
			}
		}
	}
	open, err = s.OpenReports(ctx, lzy)
	must(t, err)
	if len(open) != n/2-20 {
		t.Fatalf("%d open", len(open))
	}
	for i, r := range open {
		if reportNum(r.ID) <= 20 || r.Status == renovote.ReportResolved || i > 0 && r.Created.Before(open[i-1].Created) {
			t.Fatalf("open reports: %s (%s) at %d", r.ID, r.Status, i)
		}
	}
}

func reportNum(id string) int {
	var n int
	fmt.Sscanf(id, "R%d", &n)
	return n
}

func TestSupervisors(t *testing.T) {
	t.Parallel()
	s, _ := setup(t)
	ctx := context.Background()
	must(t, s.SetSupervisor(ctx, 30, lm, true, "tg:1", surveyDuring))
	must(t, s.SetSupervisor(ctx, 30, lm, true, "tg:1", surveyDuring)) // idempotent
	must(t, s.SetSupervisor(ctx, 20, lm, true, "tg:2", surveyDuring))
	for _, c := range []struct {
		user     int64
		compound string
		want     bool
	}{{30, lm, true}, {20, lm, true}, {30, lzy, false}, {40, lm, false}} {
		ok, err := s.IsSupervisor(ctx, c.user, c.compound)
		must(t, err)
		if ok != c.want {
			t.Fatalf("IsSupervisor(%d, %s) = %v", c.user, c.compound, ok)
		}
	}
	sv, err := s.Supervisors(ctx, lm)
	must(t, err)
	if !slices.Equal(sv, []int64{20, 30}) {
		t.Fatalf("supervisors %v", sv)
	}
	must(t, s.SetSupervisor(ctx, 30, lm, false, "tg:1", surveyDuring.Add(time.Hour)))
	must(t, s.SetSupervisor(ctx, 30, lm, false, "tg:1", surveyDuring.Add(time.Hour)))
	if ok, _ := s.IsSupervisor(ctx, 30, lm); ok {
		t.Fatal("un-named supervisor still a supervisor")
	}
	log, err := s.SupervisorAudit(ctx, lm)
	must(t, err)
	if len(log) != 3 || log[2].Op != "remove" || log[2].Role != "supervisor" || log[2].UserID != 30 ||
		log[2].By != "tg:1" || !log[2].At.Equal(surveyDuring.Add(time.Hour)) {
		t.Fatalf("supervisor audit %+v", log)
	}
	// Workers are not touched, nor other compounds.
	if ws, _ := s.Workers(ctx); len(ws) != 0 {
		t.Fatalf("workers %v", ws)
	}
	if log, _ := s.StaffAudit(ctx); len(log) != 0 {
		t.Fatalf("global staff audit %+v", log)
	}
	if sv, _ := s.Supervisors(ctx, lzy); len(sv) != 0 {
		t.Fatalf("supervisors of %s: %v", lzy, sv)
	}
	wantErr(t, s.SetSupervisor(ctx, 30, "nowhere", true, "tg:1", surveyDuring), renovote.ErrNotFound)
	wantErr(t, s.SetSupervisor(ctx, 30, "Bad", true, "tg:1", surveyDuring), renovote.ErrInvalid)
	wantErr(t, s.SetSupervisor(ctx, 0, lm, true, "tg:1", surveyDuring), renovote.ErrInvalid)
	_, err = s.IsSupervisor(ctx, 1, "Bad")
	wantErr(t, err, renovote.ErrInvalid)
	// A retired compound: no new supervisors, but un-naming works.
	p := testProgramme()
	p.Compounds = p.Compounds[:1]
	must(t, s.ApplyProgramme(ctx, p))
	wantErr(t, s.SetSupervisor(ctx, 50, lm, true, "tg:1", surveyDuring), renovote.ErrNotFound)
	must(t, s.SetSupervisor(ctx, 20, lm, false, "tg:1", surveyDuring))
	if sv, _ := s.Supervisors(ctx, lm); len(sv) != 0 {
		t.Fatalf("supervisors %v", sv)
	}
}
