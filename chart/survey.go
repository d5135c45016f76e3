package chart

import (
	"fmt"
	"image/color"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/renovote/renovote/report"
)

var (
	mSurveyTitle    = w{"改造需求调查：%s", "Survey of what to renovate: %s"}
	mSurveyTotal    = w{"全部小区合计", "all compounds"}
	mSurveyAxis     = w{"选择该项的户数", "households choosing the item"}
	mSurveyMust     = w{"%s：按紧迫度排序（第一 3 分、第二 2 分、第三 1 分）", "%s: by urgency (first choice 3 points, second 2, third 1)"}
	mSurveyUp       = w{"%s：按户数排序", "%s: by households"}
	mSurveyResp     = w{"答卷 %d 户，共 %d 户（%s）。", "%d of %d households answered (%s)."}
	mSurveyMore     = w{"另有 %d 项未显示（见报表）。", "%d more items are not shown (see the report)."}
	mSurveyMustLbl  = w{"%d 户 · %d 分", "%d hh · score %d"}
	mSurveyUpLbl    = w{"%d 户 · 占答卷 %s", "%d hh · %s of respondents"}
	mSurveyClassAny = w{"必改", "must-do"}
	mSurveyUpAny    = w{"提升", "upgrades"}
)

// Survey draws the survey's items in the report's ranking (must-do items by
// weighted urgency, then upgrades by households), each bar the households
// that chose the item, labelled with its score (must-do) or its share of the
// respondents (upgrades). compoundID picks the compound; "" the report's
// total (report.TotalName), or the one compound of a report that has only
// one. At most MaxItems bars. language is "zh" (default) or "en". ErrNoData
// when the tables hold no survey rows for it.
func Survey(t report.Tables, compoundID, language string) ([]byte, error) {
	c, err := newCanvas(language, nil)
	if err != nil {
		return nil, fmt.Errorf("chart survey: %w", err)
	}
	return c.survey(t, compoundID)
}

// surveyRows are the rows of compoundID, or of the total when it is "" (of
// the only compound when the report has no total).
func surveyRows(t report.Tables, compoundID string) []report.SurveyRow {
	var rows []report.SurveyRow
	for _, r := range t.Survey {
		if r.CompoundID == compoundID {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 && compoundID == "" && len(t.Summary) == 1 {
		return surveyRows(t, t.Summary[0].CompoundID)
	}
	return rows
}

func (c canvas) survey(t report.Tables, compoundID string) ([]byte, error) {
	l := c.l
	rows := surveyRows(t, compoundID)
	if len(rows) == 0 {
		return nil, fmt.Errorf("chart survey %q: %w", compoundID, ErrNoData)
	}
	name := rows[0].Compound
	if rows[0].CompoundID == "" {
		name = mSurveyTotal.s(l)
	}
	var f footer
	var must, up []string
	seen := map[string]bool{}
	dup := map[string]int{}
	for _, r := range rows {
		if !seen[r.Class] {
			seen[r.Class] = true
			if r.Required {
				must = append(must, r.Class)
			} else {
				up = append(up, r.Class)
			}
		}
		dup[r.Item]++
	}
	if len(must) > 0 {
		f.swatches = append(f.swatches, swatch{label: mSurveyMust.f(l, classNames(l, must, mSurveyClassAny)), col: colMust})
	}
	if len(up) > 0 {
		f.swatches = append(f.swatches, swatch{label: mSurveyUp.f(l, classNames(l, up, mSurveyUpAny)), col: colUpgrade})
	}
	f.notes = append(f.notes, mSurveyResp.f(l, rows[0].OfRespondents.Den, rows[0].OfAll.Den, percent(rows[0].OfRespondents.Den, rows[0].OfAll.Den)))
	if len(rows) > MaxItems {
		f.notes = append(f.notes, mSurveyMore.f(l, len(rows)-MaxItems))
		rows = rows[:MaxItems]
	}

	bars := &surveyBars{c: c}
	labels := make([]string, len(rows))
	top := int64(1)
	for i, r := range rows {
		item := r.Item
		if dup[r.Item] > 1 && r.Part != "" {
			item = fmt.Sprintf("%s（%s）", r.Item, r.Part)
		}
		labels[len(rows)-1-i] = item
		b := surveyBar{households: r.Households, required: r.Required}
		if r.Required {
			b.label = mSurveyMustLbl.f(l, r.Households, r.Score)
		} else {
			b.label = mSurveyUpLbl.f(l, r.Households, r.OfRespondents.String())
		}
		bars.bars = append(bars.bars, b)
		top = max(top, r.Households)
	}
	// The axis ends on a tick.
	ticks := (intTicks{}).Ticks(0, float64(top))
	bars.max = float64(top)
	if n := len(ticks); n >= 2 && ticks[n-1].Value < bars.max {
		bars.max = ticks[n-1].Value + (ticks[1].Value - ticks[0].Value)
	}

	p := c.newPlot(t.Name + "\n" + mSurveyTitle.f(l, name))
	p.X.Label.Text = mSurveyAxis.s(l)
	p.X.Min, p.X.Max = 0, bars.max
	p.X.Tick.Marker = intTicks{}
	p.Add(bars)
	p.NominalY(labels...)
	p.Y.Min, p.Y.Max = -0.6, float64(len(rows))-0.4

	height := vg.Points(130) + vg.Points(20)*vg.Length(len(rows))
	data, err := c.png(p, f, height)
	if err != nil {
		return nil, fmt.Errorf("chart survey: %w", err)
	}
	return data, nil
}

// classNames joins the class names, or says the kind when they are empty.
func classNames(l lang, names []string, fallback w) string {
	var out []string
	for _, n := range names {
		if n != "" {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return fallback.s(l)
	}
	sep := "、"
	if l == en {
		sep = ", "
	}
	return strings.Join(out, sep)
}

type surveyBar struct {
	households int64
	required   bool
	label      string
}

// surveyBars draws the bars and, right of the longest, a column of labels.
type surveyBars struct {
	c    canvas
	bars []surveyBar
	max  float64
}

func (b *surveyBars) y(i int) float64 { return float64(len(b.bars) - 1 - i) }

func (b *surveyBars) Plot(dc draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&dc)
	grid := draw.LineStyle{Color: colGrid, Width: vg.Points(0.5)}
	for _, t := range (intTicks{}).Ticks(0, b.max) {
		x := tx(t.Value)
		dc.StrokeLine2(grid, x, dc.Min.Y, x, dc.Max.Y)
	}
	sty := b.c.style(tickSize, color.Black)
	for i, r := range b.bars {
		y := b.y(i)
		col := colUpgrade
		if r.required {
			col = colMust
		}
		if r.households > 0 {
			dc.SetColor(col)
			dc.Fill(vg.Rectangle{Min: vg.Point{X: tx(0), Y: ty(y - barHalf)}, Max: vg.Point{X: tx(float64(r.households)), Y: ty(y + barHalf)}}.Path())
		}
		dc.FillText(sty, vg.Point{X: tx(b.max) + labelGap, Y: ty(y)}, r.label)
	}
}

// GlyphBoxes make room for the label column.
func (b *surveyBars) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	boxes := make([]plot.GlyphBox, len(b.bars))
	h := b.c.h.Extents(fontOf(tickSize)).Height
	for i, r := range b.bars {
		wd := b.c.h.width(r.label, tickSize)
		boxes[i] = plot.GlyphBox{X: 1, Y: p.Y.Norm(b.y(i)),
			Rectangle: vg.Rectangle{Min: vg.Point{X: labelGap, Y: -h / 2}, Max: vg.Point{X: labelGap + wd, Y: h / 2}}}
	}
	return boxes
}
