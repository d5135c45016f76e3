package chart

import (
	"fmt"
	"image/color"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/report"
)

var (
	mConsentTitle   = w{"各小区同意情况与通过线", "Consent in each compound against its threshold"}
	mConsentAxis    = w{"%s（各小区规则的第一项）", "%s (the first test of each compound's rule)"}
	mConsentAxisMix = w{"比例（各小区规则的第一项，见各行）", "share (the first test of each compound's rule, see each row)"}
	mPassOK         = w{"通过", "pass"}
	mPassNo         = w{"未通过", "fail"}
	mPassOther      = w{"未通过（其他条件未达）", "fail (other tests)"}
	mMet            = w{"已达通过线", "at or over its threshold"}
	mNotMet         = w{"未达通过线", "under its threshold"}
	mThreshold      = w{"通过线", "threshold"}
	mThresholdAt    = w{"通过线（%s）", "threshold (%s)"}
	mConsentCount   = w{"共 %d 个小区，其中 %d 个通过。", "%d compounds, %d passing."}
	mConsentCapped  = w{"图中为离通过线最远的 %d 个小区，另有 %d 个未显示（见报表）。", "Shown: the %d compounds furthest below their threshold; %d more are not shown (see the report)."}
	mConsentRules   = w{"「通过」指小区规则的全部条件；图中只画第一项。", "\"pass\" means every test of the compound's rule; the chart draws the first."}
)

// quantityEN names in English the quantities that report.TestLabel names in
// Chinese.
var quantityEN = map[string]string{
	"总户数": "households", "投票户数": "households voted", "同意户数": "households agreeing",
	"总面积": "area", "投票面积": "area voted", "同意面积": "area agreeing",
	"业主总数": "owners", "投票业主": "owners voted", "同意业主": "owners agreeing",
}

// testName is the quantities of a test's label ("同意户数/总户数" of
// "同意户数/总户数 ≥ 2/3"), in the language.
func testName(l lang, c report.TestCell) string {
	name, _, _ := strings.Cut(c.Label, " ")
	if name == "" {
		name = c.Name
	}
	if l == en {
		num, den, ok := strings.Cut(name, "/")
		if ok {
			if n, ok := quantityEN[num]; ok {
				num = n
			}
			if d, ok := quantityEN[den]; ok {
				den = d
			}
			name = num + " / " + den
		}
	}
	return name
}

// consentRow is one bar.
type consentRow struct {
	name      string
	test      report.TestCell
	share     float64
	threshold float64
	pass      bool // the whole rule
	label     string
}

// Consent draws each compound's share on the first test of its rule against
// that test's threshold: a bar per compound (green when the test is met,
// orange when not), a vertical mark at the threshold, and beside the bar the
// numbers, the share and whether the compound's whole rule passes. At most
// MaxCompounds bars: with more compounds, those furthest below their
// threshold, and a note counts the others. language is "zh" (default) or
// "en". ErrNoData when the tables have no compound.
func Consent(t report.Tables, language string) ([]byte, error) {
	c, err := newCanvas(language, nil)
	if err != nil {
		return nil, fmt.Errorf("chart consent: %w", err)
	}
	return c.consent(t)
}

func (c canvas) consent(t report.Tables) ([]byte, error) {
	l := c.l
	var rows []consentRow
	passing := 0
	names := map[string]bool{}
	for _, s := range t.Summary {
		if s.Pass {
			passing++
		}
		if len(s.Tests) == 0 {
			continue
		}
		tc := s.Tests[0]
		r := consentRow{name: s.Compound, test: tc, pass: s.Pass,
			threshold: float64(tc.Fraction.P) / float64(tc.Fraction.Q)}
		if tc.Den > 0 {
			r.share = float64(tc.Num) / float64(tc.Den)
		}
		num, den := fmt.Sprint(tc.Num), fmt.Sprint(tc.Den)
		if tc.Area {
			num, den = renovote.Area(tc.Num).String(), renovote.Area(tc.Den).String()+" m²"
		}
		verdict := mPassNo.s(l)
		switch {
		case s.Pass:
			verdict = mPassOK.s(l)
		case tc.Pass:
			verdict = mPassOther.s(l)
		}
		r.label = fmt.Sprintf("%s/%s · %s · %s", num, den, percent(tc.Num, tc.Den), verdict)
		names[testName(l, tc)] = true
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("chart consent: %w", ErrNoData)
	}
	// The threshold in the legend when every compound has the same one.
	threshold := mThreshold.s(l)
	ops := map[string]bool{}
	multi := false
	for _, r := range rows {
		_, op, _ := cutLabel(r.test.Label)
		ops[strings.TrimSpace(op)] = true
	}
	for _, s := range t.Summary {
		multi = multi || len(s.Tests) > 1
	}
	if len(ops) == 1 {
		for op := range ops {
			if op != "" {
				threshold = mThresholdAt.f(l, op)
			}
		}
	}
	f := footer{swatches: []swatch{{label: mMet.s(l), col: colPass}, {label: mNotMet.s(l), col: colFail},
		{label: threshold, col: colLine, line: true}}}
	f.notes = append(f.notes, mConsentCount.f(l, len(t.Summary), passing))
	if len(rows) > MaxCompounds {
		sort.SliceStable(rows, func(i, j int) bool {
			return rows[i].share-rows[i].threshold < rows[j].share-rows[j].threshold
		})
		f.notes = append(f.notes, mConsentCapped.f(l, MaxCompounds, len(rows)-MaxCompounds))
		rows = rows[:MaxCompounds]
	}
	if multi {
		f.notes = append(f.notes, mConsentRules.s(l))
	}
	mixed := len(names) > 1
	if mixed {
		for i := range rows {
			rows[i].name += "\n" + testName(l, rows[i].test)
		}
	}

	p := c.newPlot(t.Name + "\n" + mConsentTitle.s(l))
	if mixed {
		p.X.Label.Text = mConsentAxisMix.s(l)
	} else {
		for n := range names {
			p.X.Label.Text = mConsentAxis.f(l, n)
		}
	}
	p.X.Min, p.X.Max = 0, 1
	p.X.Tick.Marker = percentTicks{}
	p.Add(&consentBars{c: c, rows: rows})
	// The first compound at the top.
	labels := make([]string, len(rows))
	for i, r := range rows {
		labels[len(rows)-1-i] = r.name
	}
	p.NominalY(labels...)
	p.Y.Min, p.Y.Max = -0.6, float64(len(rows))-0.4

	per := vg.Points(26)
	if mixed {
		per = vg.Points(34)
	}
	height := vg.Points(130) + per*vg.Length(len(rows))
	data, err := c.png(p, f, height)
	if err != nil {
		return nil, fmt.Errorf("chart consent: %w", err)
	}
	return data, nil
}

// consentBars draws the bars, the threshold marks and, in a column right of
// 100 %, the labels.
type consentBars struct {
	c    canvas
	rows []consentRow
}

const barHalf = 0.32

func (b *consentBars) y(i int) float64 { return float64(len(b.rows) - 1 - i) }

func (b *consentBars) Plot(dc draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&dc)
	grid := draw.LineStyle{Color: colGrid, Width: vg.Points(0.5)}
	for i := 0; i <= 10; i += 2 {
		x := tx(float64(i) / 10)
		dc.StrokeLine2(grid, x, dc.Min.Y, x, dc.Max.Y)
	}
	mark := draw.LineStyle{Color: colLine, Width: vg.Points(2)}
	sty := b.c.style(tickSize, color.Black)
	for i, r := range b.rows {
		y := b.y(i)
		col := colFail
		if r.test.Pass {
			col = colPass
		}
		if r.share > 0 {
			dc.SetColor(col)
			dc.Fill(vg.Rectangle{Min: vg.Point{X: tx(0), Y: ty(y - barHalf)}, Max: vg.Point{X: tx(min(r.share, 1)), Y: ty(y + barHalf)}}.Path())
		}
		x := tx(r.threshold)
		dc.StrokeLine2(mark, x, ty(y-barHalf-0.12), x, ty(y+barHalf+0.12))
		dc.FillText(sty, vg.Point{X: tx(1) + labelGap, Y: ty(y)}, r.label)
	}
}

const labelGap = vg.Length(6)

// GlyphBoxes make room right of the plot for the label column.
func (b *consentBars) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	boxes := make([]plot.GlyphBox, len(b.rows))
	h := b.c.h.Extents(fontOf(tickSize)).Height
	for i, r := range b.rows {
		wd := b.c.h.width(r.label, tickSize)
		boxes[i] = plot.GlyphBox{X: 1, Y: p.Y.Norm(b.y(i)),
			Rectangle: vg.Rectangle{Min: vg.Point{X: labelGap, Y: -h / 2}, Max: vg.Point{X: labelGap + wd, Y: h / 2}}}
	}
	return boxes
}
