package report_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/report"
	"github.com/renovote/renovote/store"
)

// counting is a Source that counts its reads. It hides the store's Counters,
// so builders read it compound by compound.
type counting struct {
	report.Source
	tally, survey, households, votes int
}

func (c *counting) Tally(ctx context.Context, id string) (renovote.Tally, error) {
	c.tally++
	return c.Source.Tally(ctx, id)
}

func (c *counting) SurveyCounts(ctx context.Context, id string) (renovote.SurveyCounts, error) {
	c.survey++
	return c.Source.SurveyCounts(ctx, id)
}

func (c *counting) Households(ctx context.Context, id string) ([]renovote.Household, error) {
	c.households++
	return c.Source.Households(ctx, id)
}

func (c *counting) Votes(ctx context.Context, id string) (map[string]renovote.HouseholdVote, error) {
	c.votes++
	return c.Source.Votes(ctx, id)
}

// batched is counting with the store's Counters: a CounterSource.
type batched struct {
	*counting
	st       *store.Store
	counters int
}

func (b *batched) Counters(ctx context.Context, ids []string) ([]renovote.Tally, []renovote.SurveyCounts, error) {
	b.counters++
	return b.st.Counters(ctx, ids)
}

// TestSummaryGolden: the summary of the seeded programme reads no household
// and no vote, has the same 汇总 and 调查结果 as the full report, and says
// that the household list is left out.
func TestSummaryGolden(t *testing.T) {
	st, p := seeded(t)
	ctx := context.Background()
	full, err := report.Build(ctx, st, p, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	src := &batched{counting: &counting{Source: st}, st: st}
	sum, err := report.BuildSummary(ctx, src, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if src.counters != 1 || src.tally+src.survey+src.households+src.votes != 0 {
		t.Fatalf("summary read Counters %d times, Tally %d, SurveyCounts %d, Households %d, Votes %d; want Counters once and nothing else",
			src.counters, src.tally, src.survey, src.households, src.votes)
	}
	var buf bytes.Buffer
	if err := report.JSON(&buf, sum); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.golden.json", buf.Bytes())

	if !reflect.DeepEqual(sum.Summary, full.Summary) || !reflect.DeepEqual(sum.Survey, full.Survey) {
		t.Fatal("the summary's 汇总 or 调查结果 differs from the full report's")
	}
	if len(sum.Buildings) != 0 || len(sum.Households) != 0 {
		t.Fatalf("summary with %d buildings, %d households", len(sum.Buildings), len(sum.Households))
	}
	want := report.LeftOut{Compounds: 5, Households: 808, Hint: report.DefaultDetailHint}
	if sum.LeftOut == nil || *sum.LeftOut != want || full.LeftOut != nil {
		t.Fatalf("left out: summary %+v, full %+v; want %+v and nil", sum.LeftOut, full.LeftOut, want)
	}
}

// TestBuildWithoutCounters: a source without Counters gives the same tables,
// read compound by compound; the full report reads every compound's
// households and votes once.
func TestBuildWithoutCounters(t *testing.T) {
	st, p := seeded(t)
	ctx := context.Background()
	want, err := report.Build(ctx, st, p, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	src := &counting{Source: st}
	got, err := report.Build(ctx, src, p, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("tables differ without Counters")
	}
	if n := len(p.Compounds); src.tally != n || src.survey != n || src.households != n || src.votes != n {
		t.Fatalf("reads %+v, want %d of each", *src, n)
	}
	src = &counting{Source: st}
	sum, err := report.BuildSummary(ctx, src, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if src.households+src.votes != 0 || !reflect.DeepEqual(sum.Summary, want.Summary) {
		t.Fatalf("summary without Counters: reads %+v", *src)
	}
}

// TestDetailOptions: Detail picks the compounds listed in detail;
// MaxDetailHouseholds leaves all detail out past it, before reading a
// household.
func TestDetailOptions(t *testing.T) {
	st, p := seeded(t)
	ctx := context.Background()
	full, err := report.Build(ctx, st, p, nil, false)
	if err != nil {
		t.Fatal(err)
	}

	// One compound in detail, the others in the summary only.
	one := func(id string) bool { return id == "jinrong" }
	tb, err := report.BuildWith(ctx, st, p, report.Options{Detail: one, DetailHint: "问社区"})
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Summary) != 5 || len(tb.Households) != 170 || !reflect.DeepEqual(tb.Survey, full.Survey) {
		t.Fatalf("%d summary rows, %d households", len(tb.Summary), len(tb.Households))
	}
	for _, b := range tb.Buildings {
		if b.CompoundID != "jinrong" {
			t.Fatalf("building of %s", b.CompoundID)
		}
	}
	if want := (report.LeftOut{Compounds: 4, Households: 808 - 170, Hint: "问社区"}); tb.LeftOut == nil || *tb.LeftOut != want {
		t.Fatalf("left out %+v, want %+v", tb.LeftOut, want)
	}

	// Over the limit: nothing in detail, and no household read.
	src := &counting{Source: st}
	tb, err = report.BuildWith(ctx, src, p, report.Options{Detail: report.All, MaxDetailHouseholds: 807, Personal: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Households)+len(tb.Buildings) != 0 || src.households+src.votes != 0 {
		t.Fatalf("over the limit: %d households, %d buildings, reads %+v", len(tb.Households), len(tb.Buildings), *src)
	}
	if want := (report.LeftOut{Compounds: 5, Households: 808, Limit: 807, Hint: report.DefaultDetailHint}); tb.LeftOut == nil || *tb.LeftOut != want {
		t.Fatalf("left out %+v, want %+v", tb.LeftOut, want)
	}

	// At the limit: everything, as Build.
	tb, err = report.BuildWith(ctx, st, p, report.Options{Detail: report.All, MaxDetailHouseholds: 808})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tb, full) {
		t.Fatal("at the limit: tables differ from Build's")
	}

	// The limit counts only the compounds Detail picks.
	tb, err = report.BuildWith(ctx, st, p, report.Options{Detail: one, MaxDetailHouseholds: 170})
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Households) != 170 || tb.LeftOut == nil || tb.LeftOut.Limit != 0 {
		t.Fatalf("one compound at the limit: %d households, left out %+v", len(tb.Households), tb.LeftOut)
	}
}

// TestSummaryWorkbook: a summary workbook has 汇总, 调查结果 and a 说明 sheet
// saying what is left out and how to get it; the CSV files likewise.
func TestSummaryWorkbook(t *testing.T) {
	st, p := seeded(t)
	tb, err := report.BuildWith(context.Background(), st, p, report.Options{Detail: report.All, MaxDetailHouseholds: 100,
		DetailHint: "运行 renovote report -detail -compound 小区 -xlsx 文件。"})
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
	if got := strings.Join(f.GetSheetList(), ","); got != "汇总,调查结果,说明" {
		t.Fatalf("sheets %s", got)
	}
	rows, err := f.GetRows("说明")
	if err != nil {
		t.Fatal(err)
	}
	var text []string
	for _, r := range rows {
		text = append(text, strings.Join(r, " "))
	}
	notes := strings.Join(text, "\n")
	wantContains(t, notes, "说明", "共 5 个小区", "楼栋统计和住户明细未列入", "808 户", "100 户的上限", "renovote report -detail")
	if v, _ := f.GetCellValue("汇总", "A6"); v != "金融小区" && v == "" {
		t.Fatalf("summary A6 %q", v)
	}
	if n, _ := f.GetRows("调查结果"); len(n) != len(tb.Survey)+1 {
		t.Fatalf("survey sheet: %d rows, want %d", len(n), len(tb.Survey)+1)
	}

	files, err := report.CSV(tb)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, ","); got != "summary.csv,survey.csv,notes.csv" {
		t.Fatalf("csv files %s", got)
	}
	wantContains(t, string(files[2].Data), "808 户", "renovote report -detail")

	// Partial detail: the detail sheets stay, with the compounds listed, and 说明 says which are not.
	tb, err = report.BuildWith(context.Background(), st, p, report.Options{Detail: func(id string) bool { return id == "liangmao" }})
	if err != nil {
		t.Fatal(err)
	}
	data, err = report.XLSX(tb)
	if err != nil {
		t.Fatal(err)
	}
	g, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if got := strings.Join(g.GetSheetList(), ","); got != "汇总,楼栋,调查结果,住户明细,说明" {
		t.Fatalf("sheets %s", got)
	}
	if rows, _ := g.GetRows("住户明细"); len(rows) != 56 {
		t.Fatalf("住户明细: %d rows, want 55 and the header", len(rows))
	}
	if v, _ := g.GetCellValue("说明", "A3"); !strings.Contains(v, "其中 4 个小区（共 753 户）") {
		t.Fatalf("说明!A3 %q", v)
	}
}

func wantContains(t *testing.T, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Fatalf("%q not in:\n%s", p, s)
		}
	}
}

// TestWorkbookParts looks inside the streamed workbook: columns in ascending
// order, the header row as print titles of every sheet, page setup kept.
func TestWorkbookParts(t *testing.T) {
	st, p := seeded(t)
	tb, err := report.Build(context.Background(), st, p, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	data, err := report.XLSX(tb)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		t.Helper()
		r, err := zr.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	colMin := regexp.MustCompile(`<col min="(\d+)"`)
	for i := 1; i <= 4; i++ {
		x := read(fmt.Sprintf("xl/worksheets/sheet%d.xml", i))
		prev := 0
		for _, m := range colMin.FindAllStringSubmatch(x, -1) {
			n, _ := strconv.Atoi(m[1])
			if n <= prev {
				t.Fatalf("sheet%d: column %d after %d", i, n, prev)
			}
			prev = n
		}
		if prev == 0 || !strings.Contains(x, `<pageSetup `) || !strings.Contains(x, `fitToPage="true"`) {
			t.Fatalf("sheet%d: no column widths or page setup", i)
		}
	}
	if n := strings.Count(read("xl/workbook.xml"), `name="_xlnm.Print_Titles"`); n != 4 {
		t.Fatalf("%d print titles, want 4", n)
	}
}
