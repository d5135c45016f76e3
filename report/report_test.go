package report_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/programme"
	"github.com/renovote/renovote/register"
	"github.com/renovote/renovote/report"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// seeded returns a store holding the seed programme (its second compound under
// the Civil Code's major-matters rule, so the summary has area and owner
// tests), the generated seed register, a few bound members, a deterministic
// set of votes (chat, paper and proxy) and survey answers.
func seeded(t testing.TB) (*store.Store, renovote.Programme) {
	t.Helper()
	ctx := context.Background()
	st := storetest.New(t)
	p := programme.Seed()
	p.Compounds[1].Rule, _ = renovote.PresetRule(renovote.RuleCivilCodeMajor)
	if err := st.ApplyProgramme(ctx, p); err != nil {
		t.Fatal(err)
	}
	loc, err := p.Location()
	if err != nil {
		t.Fatal(err)
	}
	byCompound := map[string][]renovote.Household{}
	for _, h := range register.GenerateSeed(p, 1) {
		byCompound[h.CompoundID] = append(byCompound[h.CompoundID], h)
	}
	imported := time.Date(2020, 4, 20, 9, 0, 0, 0, loc)
	voteAt := time.Date(2020, 5, 10, 9, 0, 0, 0, loc)
	surveyAt := time.Date(2020, 5, 12, 9, 0, 0, 0, loc)
	required := p.Menu.RequiredClasses()
	user := int64(1000)
	for ci, c := range p.Compounds {
		hhs := byCompound[c.ID]
		if _, err := st.ImportRegister(ctx, c.ID, hhs, store.ImportOptions{Actor: "cli:test", Now: imported}); err != nil {
			t.Fatal(err)
		}
		for i, h := range hhs {
			if i%4 == 0 {
				user++
				if err := st.Bind(ctx, user, h.Ref(), 3, imported); err != nil {
					t.Fatal(err)
				}
			}
			// Agreement falls with the compound's index: the first compounds pass.
			var choice renovote.Choice
			switch k := (i + ci) % 10; {
			case k < 7-ci:
				choice = renovote.ChoiceAgree
			case k < 8:
				choice = renovote.ChoiceDisagree
			}
			if choice != renovote.ChoiceNone {
				cmd := renovote.VoteCmd{Ref: h.Ref(), Choice: choice, Channel: renovote.ChannelChat, Actor: fmt.Sprintf("tg:%d", 5000+i),
					OpID: fmt.Sprintf("test:%s:%d", c.ID, i), ReceiptID: fmt.Sprintf("R%s%d", c.ID[:2], i), At: voteAt.Add(time.Duration(i) * time.Minute)}
				switch {
				case i%7 == 3:
					cmd.Channel, cmd.Actor = renovote.ChannelPaper, "cli:王芳"
				case i%11 == 5:
					cmd.Channel, cmd.Actor = renovote.ChannelProxy, "tg:42"
				}
				if _, err := st.CastVote(ctx, cmd); err != nil {
					t.Fatal(err)
				}
			}
			if i%3 != 0 {
				continue
			}
			a := renovote.SurveyAnswer{Ref: h.Ref(), Urgent: map[string][]string{}, Actor: "tg:1", At: surveyAt}
			for pi, part := range p.Menu.Parts {
				var must, up []string
				for _, it := range part.Items {
					if required[it.Class] {
						must = append(must, it.ID)
					} else {
						up = append(up, it.ID)
					}
				}
				k := (i/3 + pi) % len(must)
				a.Urgent[part.ID] = []string{must[k], must[(k+2)%len(must)]}
				if (i/3)%2 == 0 && len(up) > 0 {
					a.Upgrades = append(a.Upgrades, up[(i/3+pi)%len(up)])
				}
			}
			if i%2 == 0 {
				a.Contribute, a.Band = true, p.Bands()[0].ID
			}
			if err := st.SubmitSurvey(ctx, a, fmt.Sprintf("survey:%s:%d", c.ID, i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return st, p
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(run go test ./report -update and review the diff)", name, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s: %d lines, want %d", name, len(gl), len(wl))
	}
}

// TestTablesGolden: the tables of the seeded programme, without personal data.
func TestTablesGolden(t *testing.T) {
	st, p := seeded(t)
	tb, err := report.Build(context.Background(), st, p, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.JSON(&buf, tb); err != nil {
		t.Fatal(err)
	}
	golden(t, "tables.golden.json", buf.Bytes())

	for _, h := range tb.Households {
		if h.Owner != "" || h.Phone != "" {
			t.Fatalf("personal data without withPersonal: %+v", h)
		}
	}
	// The summary agrees with the domain's own evaluation of the stored tally.
	for i, r := range tb.Summary {
		c := p.Compounds[i]
		tally, err := st.Tally(context.Background(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if o := c.Rule.Evaluate(tally); o.Pass != r.Pass || len(o.Results) != len(r.Tests) {
			t.Fatalf("%s: summary %+v, rule says %+v", c.ID, r, o)
		}
		var sum, voted int64
		for _, b := range tb.Buildings {
			if b.CompoundID == c.ID {
				sum += b.Households
				voted += b.Voted
			}
		}
		if sum != r.Households || voted != r.Voted {
			t.Fatalf("%s: buildings sum to %d households, %d voted; summary %d, %d", c.ID, sum, voted, r.Households, r.Voted)
		}
	}
	if tb.Summary[0].Pass != true || tb.Summary[4].Pass != false {
		t.Fatalf("want the first compound passing and the last failing: %v %v", tb.Summary[0].Pass, tb.Summary[4].Pass)
	}
}

// TestScopeAndPersonal: a scope keeps only its compounds (and no programme
// total in the survey); withPersonal adds owners and phones.
func TestScopeAndPersonal(t *testing.T) {
	st, p := seeded(t)
	tb, err := report.Build(context.Background(), st, p, func(id string) bool { return id == "jinrong" }, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Summary) != 1 || tb.Summary[0].CompoundID != "jinrong" || tb.Summary[0].Households != 170 {
		t.Fatalf("summary %+v", tb.Summary)
	}
	for _, b := range tb.Buildings {
		if b.CompoundID != "jinrong" {
			t.Fatalf("building of %s", b.CompoundID)
		}
	}
	for _, s := range tb.Survey {
		if s.CompoundID != "jinrong" {
			t.Fatalf("survey row of %q", s.CompoundID)
		}
	}
	if len(tb.Households) != 170 || tb.Households[0].Owner == "" || tb.Households[0].Phone == "" && tb.Households[1].Phone == "" {
		t.Fatalf("households: %d, first %+v", len(tb.Households), tb.Households[0])
	}
}

// TestCSV: one file per table, with a BOM, the Chinese headers and rows.
func TestCSV(t *testing.T) {
	st, p := seeded(t)
	tb, err := report.Build(context.Background(), st, p, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	files, err := report.CSV(tb)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"summary.csv": 5, "buildings.csv": len(tb.Buildings), "survey.csv": len(tb.Survey), "households.csv": 808}
	if len(files) != len(want) {
		t.Fatalf("%d files", len(files))
	}
	for _, f := range files {
		s := string(f.Data)
		if !strings.HasPrefix(s, "\uFEFF小区,") {
			t.Fatalf("%s starts %q", f.Name, s[:min(len(s), 20)])
		}
		if n := strings.Count(s, "\n") - 1; n != want[f.Name] {
			t.Fatalf("%s: %d rows, want %d", f.Name, n, want[f.Name])
		}
	}
	if !strings.Contains(string(files[0].Data), "粮贸小区,55,") {
		t.Fatalf("summary.csv:\n%s", files[0].Data)
	}
}

// TestXLSX reads the workbook back: sheet names, headers, cells as numbers,
// percentages with a percent format, frozen header, print setup.
func TestXLSX(t *testing.T) {
	st, p := seeded(t)
	tb, err := report.Build(context.Background(), st, p, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	data, err := report.XLSX(tb)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "汇总,楼栋,调查结果,住户明细" {
		t.Fatalf("sheets %s", got)
	}
	cellIs := func(sheet, ref, want string) {
		t.Helper()
		v, err := f.GetCellValue(sheet, ref)
		if err != nil || v != want {
			t.Fatalf("%s!%s = %q (%v), want %q", sheet, ref, v, err, want)
		}
	}
	numeric := func(sheet, ref string) {
		t.Helper()
		typ, err := f.GetCellType(sheet, ref)
		if err != nil || (typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset) {
			t.Fatalf("%s!%s: type %v (%v), want a number", sheet, ref, typ, err)
		}
		raw, _ := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
		var x float64
		if _, err := fmt.Sscan(raw, &x); err != nil {
			t.Fatalf("%s!%s raw %q is not a number", sheet, ref, raw)
		}
	}
	cellIs("汇总", "A1", "小区")
	cellIs("汇总", "B1", "总户数")
	cellIs("汇总", "A2", "粮贸小区")
	cellIs("汇总", "B2", "55")
	numeric("汇总", "B2")
	numeric("汇总", "E2")
	// The first test's ratio: a float in the cell, shown as a percentage.
	s0 := tb.Summary[0]
	cellIs("汇总", "J1", s0.Tests[0].Label+" 结果")
	cellIs("汇总", "J2", map[bool]string{true: "通过", false: "未通过"}[s0.Pass])
	raw, _ := f.GetCellValue("汇总", "M2", excelize.Options{RawCellValue: true})
	var ratio float64
	fmt.Sscan(raw, &ratio)
	if want := float64(s0.Tests[0].Num) / float64(s0.Tests[0].Den); ratio < want-1e-12 || ratio > want+1e-12 {
		t.Fatalf("ratio cell %q, want %v", raw, want)
	}
	shown, _ := f.GetCellValue("汇总", "M2")
	if !strings.HasSuffix(shown, "%") {
		t.Fatalf("ratio shown as %q, want a percentage", shown)
	}
	cellIs("楼栋", "B1", "楼栋")
	numeric("楼栋", "C2")
	cellIs("调查结果", "C1", "改造内容")
	numeric("调查结果", "F2")
	cellIs("住户明细", "I1", "户主")
	cellIs("住户明细", "J1", "电话")
	cellIs("住户明细", "A2", "粮贸小区")
	if v, _ := f.GetCellValue("住户明细", "E2"); v != "同意" && v != "不同意" && v != "未投票" {
		t.Fatalf("vote cell %q", v)
	}

	for _, sh := range f.GetSheetList() {
		panes, err := f.GetPanes(sh)
		if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
			t.Fatalf("%s panes %+v (%v)", sh, panes, err)
		}
		style, err := f.GetCellStyle(sh, "A1")
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(style)
		if err != nil || st.Font == nil || !st.Font.Bold {
			t.Fatalf("%s header not bold", sh)
		}
		layout, err := f.GetPageLayout(sh)
		if err != nil || layout.FitToWidth == nil || *layout.FitToWidth != 1 {
			t.Fatalf("%s page layout %+v (%v)", sh, layout, err)
		}
		if w, _ := f.GetColWidth(sh, "A"); w < 6 {
			t.Fatalf("%s column A width %v", sh, w)
		}
	}
	if layout, _ := f.GetPageLayout("汇总"); layout.Orientation == nil || *layout.Orientation != "landscape" {
		t.Fatal("summary not landscape")
	}
	style, _ := f.GetCellStyle("汇总", "M2")
	if st, _ := f.GetStyle(style); st == nil || st.CustomNumFmt == nil || !strings.Contains(*st.CustomNumFmt, "%") {
		t.Fatalf("ratio cell style %+v", st)
	}
}
