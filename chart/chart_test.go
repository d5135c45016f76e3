package chart

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/programme"
	"github.com/renovote/renovote/register"
	"github.com/renovote/renovote/report"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

var update = flag.Bool("update", false, "write the seed programme's charts to docs/charts/ for the README")

var (
	seedOnce   sync.Once
	seedCached report.Tables
	seedOK     bool
)

// seedTables are the seed programme's tables, built once for the package's
// tests (they are plain data; the store they came from is the first
// caller's).
func seedTables(t testing.TB) report.Tables {
	t.Helper()
	seedOnce.Do(func() {
		seedCached = buildSeedTables(t)
		seedOK = true
	})
	if !seedOK {
		t.Fatal("the seed tables could not be built")
	}
	return seedCached
}

// buildSeedTables are the report tables of the seed programme
// (programme/seed/fenggang-2020.yaml) with the example register
// (examples/fenggang-2020-register.csv) in a test store, and votes and survey
// answers cast over the ballot's days: agreement falls with the compound's
// index, so the first compounds pass and the last ones do not.
func buildSeedTables(t testing.TB) report.Tables {
	t.Helper()
	ctx := context.Background()
	st := storetest.New(t)
	p := programme.Seed()
	if err := st.ApplyProgramme(ctx, p); err != nil {
		t.Fatal(err)
	}
	loc, err := p.Location()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join("..", "examples", "fenggang-2020-register.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	hhs, err := register.Read(f.Name(), f, p)
	if err != nil {
		t.Fatal(err)
	}
	byCompound := map[string][]renovote.Household{}
	for _, h := range hhs {
		byCompound[h.CompoundID] = append(byCompound[h.CompoundID], h)
	}
	imported := time.Date(2020, 4, 20, 9, 0, 0, 0, loc)
	opens := time.Date(2020, 5, 1, 8, 30, 0, 0, loc)
	required := p.Menu.RequiredClasses()
	for ci, c := range p.Compounds {
		if _, err := st.ImportRegister(ctx, c.ID, byCompound[c.ID], store.ImportOptions{Actor: "cli:test", Now: imported}); err != nil {
			t.Fatal(err)
		}
		for i, h := range byCompound[c.ID] {
			var choice renovote.Choice
			switch k := (i + ci) % 10; {
			case k < 8-ci:
				choice = renovote.ChoiceAgree
			case k < 9:
				choice = renovote.ChoiceDisagree
			}
			if choice != renovote.ChoiceNone {
				// Most votes in the first days, fewer later, none on some days.
				day := (i * i / 7) % 19
				at := opens.Add(time.Duration(day)*24*time.Hour + time.Duration(i%600)*time.Minute)
				if _, err := st.CastVote(ctx, renovote.VoteCmd{Ref: h.Ref(), Choice: choice, Channel: renovote.ChannelChat,
					Actor: fmt.Sprintf("tg:%d", 5000+i), OpID: fmt.Sprintf("test:%s:%d", c.ID, i),
					ReceiptID: fmt.Sprintf("R%s%d", c.ID[:2], i), At: at}); err != nil {
					t.Fatal(err)
				}
			}
			if i%3 != 0 {
				continue
			}
			a := renovote.SurveyAnswer{Ref: h.Ref(), Urgent: map[string][]string{}, Actor: "tg:1", At: opens.Add(48 * time.Hour)}
			for pi, part := range p.Menu.Parts {
				var must, up []string
				for _, it := range part.Items {
					if required[it.Class] {
						must = append(must, it.ID)
					} else {
						up = append(up, it.ID)
					}
				}
				// Each household's picks lean to some items: a skewed
				// deterministic draw, three different must-do items.
				seed := uint64(ci*1000+i)*31 + uint64(pi)
				var picks []string
				for k := uint64(0); len(picks) < 3 && k < 20; k++ {
					it := must[skewed(seed*7+k, len(must))]
					if !slices.Contains(picks, it) {
						picks = append(picks, it)
					}
				}
				a.Urgent[part.ID] = picks
				if (i/3)%2 == 0 && len(up) > 0 {
					a.Upgrades = append(a.Upgrades, up[skewed(seed*13+1, len(up))])
				}
			}
			if err := st.SubmitSurvey(ctx, a, fmt.Sprintf("survey:%s:%d", c.ID, i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	tb, err := report.Build(ctx, st, p, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// skewed draws an index below n from seed, small ones more often.
func skewed(seed uint64, n int) int {
	z := seed + 0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	z ^= z >> 31
	u := float64(z>>11) / (1 << 53)
	return int(u * u * float64(n))
}

// drawn renders one chart with a handler that records every text drawn.
func drawn(t *testing.T, language string, draw func(canvas) ([]byte, error)) ([]byte, []string) {
	t.Helper()
	return render(t, language, false, draw)
}

// texts draws one chart without encoding it (the race detector makes PNG
// encoding slow) and returns the texts drawn.
func texts(t *testing.T, language string, draw func(canvas) ([]byte, error)) []string {
	t.Helper()
	_, texts := render(t, language, true, draw)
	return texts
}

func render(t *testing.T, language string, dryRun bool, draw func(canvas) ([]byte, error)) ([]byte, []string) {
	t.Helper()
	var mu sync.Mutex
	var texts []string
	c, err := newCanvas(language, func(s string) {
		mu.Lock()
		texts = append(texts, s)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	c.dryRun = dryRun
	data, err := draw(c)
	if err != nil {
		t.Fatal(err)
	}
	// No tofu: every rune drawn has a glyph in a font of the chain.
	for _, s := range texts {
		if m := c.h.missing(s); len(m) > 0 {
			t.Errorf("%q: no glyph for %q", s, string(m))
		}
	}
	return data, texts
}

// looked checks a PNG as someone would glance at it: its size, that it is
// mostly white but not blank, in several colours, with the colours named.
func looked(t *testing.T, name string, data []byte, wantW, minH, maxH int, colours ...color.RGBA) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	b := img.Bounds()
	if b.Dx() != wantW || b.Dy() < minH || b.Dy() > maxH {
		t.Fatalf("%s: %dx%d, want %d wide and %d–%d high", name, b.Dx(), b.Dy(), wantW, minH, maxH)
	}
	// Telegram's sendPhoto: at most 10 MB, width + height at most 10000,
	// the ratio of the sides at most 20.
	if len(data) > 10<<20 || b.Dx()+b.Dy() > 10000 || max(b.Dx(), b.Dy()) > 20*min(b.Dx(), b.Dy()) {
		t.Fatalf("%s: %dx%d, %d bytes: Telegram would refuse the photo", name, b.Dx(), b.Dy(), len(data))
	}
	inked := 0
	seen := map[color.RGBA]int{}
	rgba, ok := img.(*image.RGBA)
	if !ok {
		t.Fatalf("%s: a %T, want RGBA", name, img)
	}
	for i := 0; i+3 < len(rgba.Pix); i += 4 {
		c := color.RGBA{rgba.Pix[i], rgba.Pix[i+1], rgba.Pix[i+2], rgba.Pix[i+3]}
		seen[c]++
		if c != (color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}) {
			inked++
		}
	}
	total := b.Dx() * b.Dy()
	if inked < total/50 || inked > total*3/4 {
		t.Fatalf("%s: %d of %d pixels not white", name, inked, total)
	}
	if len(seen) < 8 {
		t.Fatalf("%s: only %d colours", name, len(seen))
	}
	for _, c := range colours {
		if seen[c] < 100 {
			t.Errorf("%s: colour %v on %d pixels, want a bar or line of it", name, c, seen[c])
		}
	}
	if *update && name != "" {
		dir := filepath.Join("..", "docs", "charts")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return img
}

func hasText(t *testing.T, texts []string, want ...string) {
	t.Helper()
	all := strings.Join(texts, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("no text drawn contains %q; drawn:\n%s", w, all)
		}
	}
}

// TestSeedCharts renders the three charts of the seed programme in Chinese
// and English (with -update, the Chinese ones go to docs/charts/).
func TestSeedCharts(t *testing.T) {
	tb := seedTables(t)
	if tb.Summary[0].Pass != true || tb.Summary[4].Pass != false {
		t.Fatalf("want the first compound passing and the last failing: %+v", tb.Summary)
	}

	data, got := drawn(t, "zh", func(c canvas) ([]byte, error) { return c.consent(tb) })
	looked(t, "consent.png", data, 1080, 400, 900, colPass, colFail)
	hasText(t, got, "凤冈县2020年城镇老旧小区改造\n各小区同意情况与通过线", "粮贸小区", "金融小区", "同意户数/总户数（各小区规则的第一项）",
		fmt.Sprintf("%d/%d · ", tb.Summary[0].Tests[0].Num, tb.Summary[0].Tests[0].Den), "通过", "未通过", "已达通过线", "共 5 个小区")

	data, got = drawn(t, "zh", func(c canvas) ([]byte, error) { return c.survey(tb, "") })
	looked(t, "survey.png", data, 1080, 900, 2000, colMust, colUpgrade)
	hasText(t, got, "改造需求调查：全部小区合计", "屋面修缮", "消防设施（居民住宅建筑）", "消防设施（小区公共区域）", " 分", "占答卷", "答卷 ")

	data, got = drawn(t, "zh", func(c canvas) ([]byte, error) { return c.response(tb) })
	looked(t, "response.png", data, 1080, 600, 1000, palette[0], palette[1])
	hasText(t, got, "投票进度（按日累计）", "已投票户数（累计）", "日期（Asia/Shanghai）", "5月1日", "老财政局小区")

	hasText(t, texts(t, "en", func(c canvas) ([]byte, error) { return c.consent(tb) }),
		"Consent in each compound", "households agreeing / households (the first test", "pass", "粮贸小区")
	hasText(t, texts(t, "en", func(c canvas) ([]byte, error) { return c.survey(tb, "jinrong") }),
		"Survey of what to renovate: 金融小区", "hh · score", "of respondents")
	hasText(t, texts(t, "en", func(c canvas) ([]byte, error) { return c.response(tb) }),
		"Votes cast, day by day", "May 1", "households voted (cumulative)")
}

// TestLang: English for codes starting "en", Chinese otherwise.
func TestLang(t *testing.T) {
	for code, want := range map[string]lang{"": zh, "zh": zh, "zh-hans": zh, "en": en, "en-GB": en, "EN": en, "fr": zh} {
		if got := langOf(code); got != want {
			t.Errorf("langOf(%q) = %v, want %v", code, got, want)
		}
	}
}

// TestOneCompound: a worker's scope of one compound. The survey's ""
// is that compound; the response chart adds the agreeing households and the
// threshold count, ceil(2/3 × households), as a dashed line.
func TestOneCompound(t *testing.T) {
	tb := seedTables(t)
	one := report.Tables{Name: tb.Name, TimeZone: tb.TimeZone, Summary: tb.Summary[:1]}
	for _, s := range tb.Survey {
		if s.CompoundID == tb.Summary[0].CompoundID {
			one.Survey = append(one.Survey, s)
		}
	}
	for _, h := range tb.Households {
		if h.CompoundID == tb.Summary[0].CompoundID {
			one.Households = append(one.Households, h)
		}
	}
	data, got := drawn(t, "zh", func(c canvas) ([]byte, error) { return c.response(one) })
	looked(t, "", data, 1080, 600, 1000, palette[0], palette[1])
	want := (2*tb.Summary[0].Households + 2) / 3
	hasText(t, got, "已投票", "同意", fmt.Sprintf("通过线 %d 户（同意户数/总户数 ≥ 2/3）", want))
	hasText(t, texts(t, "zh", func(c canvas) ([]byte, error) { return c.survey(one, "") }), "改造需求调查："+tb.Summary[0].Compound)
}

// TestLeftOut: a report that lists the households of some compounds only
// (report.Tables.LeftOut) draws the lines of those and says how many are not.
func TestLeftOut(t *testing.T) {
	tb := seedTables(t)
	keep := map[string]bool{tb.Summary[0].CompoundID: true, tb.Summary[1].CompoundID: true}
	var hhs []report.HouseholdRow
	var left int64
	for _, h := range tb.Households {
		if keep[h.CompoundID] {
			hhs = append(hhs, h)
		}
	}
	for _, r := range tb.Summary[2:] {
		left += r.Households
	}
	tb.Households = hhs
	tb.LeftOut = &report.LeftOut{Compounds: 3, Households: left}
	drawn := texts(t, "zh", func(c canvas) ([]byte, error) { return c.response(tb) })
	hasText(t, drawn, tb.Summary[0].Compound, tb.Summary[1].Compound, fmt.Sprintf("另有 3 个小区（%d 户）未列住户明细", left))
	for _, s := range drawn {
		if strings.Contains(s, tb.Summary[4].Compound) {
			t.Errorf("a compound left out is drawn: %q", s)
		}
	}
	tb.Households = nil
	tb.LeftOut = &report.LeftOut{Compounds: 5}
	if _, err := Response(tb, "zh"); !errors.Is(err, ErrNoData) {
		t.Errorf("response of a summary report: %v", err)
	}
}

// TestManyCompounds: 300 compounds, fewer than a third passing. The consent
// chart draws MaxCompounds of them, the furthest below the line first, and
// says how many are left out; the response chart draws the total.
func TestManyCompounds(t *testing.T) {
	tb := report.Tables{Name: "某市2021年老旧小区改造", TimeZone: "Asia/Shanghai"}
	at := time.Date(2021, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range 300 {
		id := fmt.Sprintf("c%03d", i)
		households := int64(40 + i%200)
		agree := households * int64(i%90+5) / 100
		pass := 3*agree >= 2*households
		tb.Summary = append(tb.Summary, report.SummaryRow{CompoundID: id, Compound: fmt.Sprintf("第%d小区", i+1),
			Households: households, Voted: agree, Agree: agree, Pass: pass,
			Tests: []report.TestCell{{Name: "households", Label: "同意户数/总户数 ≥ 2/3", Num: agree, Den: households,
				Fraction: renovote.Fraction{P: 2, Q: 3}, Pass: pass}}})
		for j := range agree {
			tb.Households = append(tb.Households, report.HouseholdRow{CompoundID: id, Choice: renovote.ChoiceAgree,
				At: at.Add(time.Duration(i+int(j)) * 3 * time.Hour).Format(time.DateTime)})
		}
	}
	data, got := drawn(t, "zh", func(c canvas) ([]byte, error) { return c.consent(tb) })
	img := looked(t, "", data, 1080, 1200, 2400, colFail)
	hasText(t, got, "共 300 个小区", fmt.Sprintf("另有 %d 个未显示", 300-MaxCompounds), "第1小区")
	// Worst first: the compounds at 5% are drawn, those passing are not.
	hasText(t, got, "第91小区", "第181小区")
	for _, s := range got {
		if strings.Contains(s, "· 通过") {
			t.Errorf("a passing compound is drawn: %q", s)
		}
	}
	if h := img.Bounds().Dy(); h > 2400 {
		t.Fatalf("height %d", h)
	}
	resp := texts(t, "zh", func(c canvas) ([]byte, error) { return c.response(tb) })
	hasText(t, resp, "合计（300 个小区）")
	for _, s := range resp {
		if strings.Contains(s, "第1小区") {
			t.Errorf("a compound's line in the response chart of 300: %q", s)
		}
	}
}

// TestMixedRules: compounds whose rules start with different tests name the
// test on each row; an area test shows m².
func TestMixedRules(t *testing.T) {
	tb := report.Tables{Name: "p", Summary: []report.SummaryRow{
		{CompoundID: "a", Compound: "甲小区", Households: 10, Tests: []report.TestCell{{Label: "同意户数/总户数 ≥ 2/3", Num: 7, Den: 10, Fraction: renovote.Fraction{P: 2, Q: 3}, Pass: true}}, Pass: true},
		{CompoundID: "b", Compound: "乙小区", Households: 10, Tests: []report.TestCell{{Label: "投票面积/总面积 ≥ 2/3", Area: true, Num: 50000, Den: 100000, Fraction: renovote.Fraction{P: 2, Q: 3}}}},
	}}
	data, got := drawn(t, "zh", func(c canvas) ([]byte, error) { return c.consent(tb) })
	looked(t, "", data, 1080, 200, 700, colPass, colFail)
	hasText(t, got, "甲小区\n同意户数/总户数", "乙小区\n投票面积/总面积", "500.00/1000.00 m²", "比例（各小区规则的第一项")
}

// TestNoData: nothing to draw is ErrNoData, for each chart.
func TestNoData(t *testing.T) {
	empty := report.Tables{Name: "p", Summary: []report.SummaryRow{{CompoundID: "a", Compound: "甲", Households: 3,
		Tests: []report.TestCell{{Label: "同意户数/总户数 ≥ 2/3", Den: 3, Fraction: renovote.Fraction{P: 2, Q: 3}}}}},
		Households: []report.HouseholdRow{{CompoundID: "a"}}}
	if _, err := Consent(report.Tables{}, "zh"); !errors.Is(err, ErrNoData) {
		t.Errorf("consent of nothing: %v", err)
	}
	if _, err := Survey(empty, "", "zh"); !errors.Is(err, ErrNoData) {
		t.Errorf("survey without rows: %v", err)
	}
	if _, err := Response(empty, "zh"); !errors.Is(err, ErrNoData) {
		t.Errorf("response without votes: %v", err)
	}
	// A compound with no vote yet still has its consent bar (at zero).
	if _, err := Consent(empty, "zh"); err != nil {
		t.Errorf("consent with no votes: %v", err)
	}
}

// TestConcurrent: the dashboard draws charts for several requests at once
// (small tables: the race detector makes drawing slow).
func TestConcurrent(t *testing.T) {
	seed := seedTables(t)
	tb := report.Tables{Name: seed.Name, TimeZone: seed.TimeZone, Summary: seed.Summary[:2]}
	for _, h := range seed.Households {
		if h.CompoundID == seed.Summary[0].CompoundID && len(tb.Households) < 20 {
			tb.Households = append(tb.Households, h)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := range 2 {
		wg.Go(func() {
			lang := []string{"zh", "en"}[i%2]
			for _, f := range []func() ([]byte, error){
				func() ([]byte, error) { return Consent(tb, lang) },
				func() ([]byte, error) { return Response(tb, lang) },
			} {
				data, err := f()
				if err == nil && !bytes.HasPrefix(data, []byte("\x89PNG")) {
					err = errors.New("not a PNG")
				}
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
