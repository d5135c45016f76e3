package chart

import (
	"fmt"
	"sort"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/report"
)

var (
	mResponseTitle = w{"投票进度（按日累计）", "Votes cast, day by day"}
	mResponseAxisY = w{"已投票户数（累计）", "households voted (cumulative)"}
	mResponseAxis1 = w{"户数（累计）", "households (cumulative)"}
	mResponseAxisX = w{"日期（%s）", "date (%s)"}
	mVoted         = w{"已投票", "voted"}
	mAgreed        = w{"同意", "agree"}
	mThresholdN    = w{"通过线 %d 户（%s）", "threshold: %d (%s)"}
	mTotalLine     = w{"合计（%d 个小区）", "total (%d compounds)"}
	mResponseLeft  = w{"另有 %d 个小区（%d 户）未列住户明细，不在图中。", "%d more compounds (%d households) are not listed household by household and are not drawn."}
	mResponseNote  = w{"每户按其当前选票的投票时间计；改过票的户按最后一次。共 %d 户，已投票 %d 户。", "Each household counts from the time of its current vote (a changed vote from the last change). %d households, %d voted."}
)

// Response draws the households voted, cumulated day by day from the time of
// each household's current vote (report.HouseholdRow.At, local time): one
// line per compound, or the total when there are more than MaxLines. For a
// report of one compound it also draws the households agreeing and, when the
// first test of its rule counts households of the register (such as
// 同意户数/总户数 ≥ 2/3), the count that meets it as a dashed line.
// When the tables leave some compounds' households out (Tables.LeftOut) it
// draws the compounds listed and says how many are not.
// language is "zh" (default) or "en". ErrNoData when no household listed has
// voted.
func Response(t report.Tables, language string) ([]byte, error) {
	c, err := newCanvas(language, nil)
	if err != nil {
		return nil, fmt.Errorf("chart response: %w", err)
	}
	return c.response(t)
}

// series is one line: cumulative counts on the days of the chart.
type series struct {
	name   string
	counts map[string]int64 // day → votes that day
}

func (c canvas) response(t report.Tables) ([]byte, error) {
	l := c.l
	byCompound := map[string]*series{}
	agree := &series{name: mAgreed.s(l), counts: map[string]int64{}}
	total := &series{name: mTotalLine.f(l, len(t.Summary)), counts: map[string]int64{}}
	var days []string
	seenDay := map[string]bool{}
	voted := int64(0)
	for _, h := range t.Households {
		if h.Choice == renovote.ChoiceNone || len(h.At) < len(time.DateOnly) {
			continue
		}
		day := h.At[:len(time.DateOnly)]
		if _, err := time.Parse(time.DateOnly, day); err != nil {
			continue
		}
		if !seenDay[day] {
			seenDay[day] = true
			days = append(days, day)
		}
		s := byCompound[h.CompoundID]
		if s == nil {
			s = &series{counts: map[string]int64{}}
			byCompound[h.CompoundID] = s
		}
		s.counts[day]++
		total.counts[day]++
		if h.Choice == renovote.ChoiceAgree {
			agree.counts[day]++
		}
		voted++
	}
	if voted == 0 {
		return nil, fmt.Errorf("chart response: %w", ErrNoData)
	}
	// The compounds drawn: all of them, or those whose households are listed.
	summary := t.Summary
	if t.LeftOut != nil {
		listed := map[string]bool{}
		for _, h := range t.Households {
			listed[h.CompoundID] = true
		}
		summary = nil
		for _, r := range t.Summary {
			if listed[r.CompoundID] {
				summary = append(summary, r)
			}
		}
		total.name = mTotalLine.f(l, len(summary))
	}
	sort.Strings(days)
	// Every day from the first vote to the last, quiet days included.
	first, _ := time.Parse(time.DateOnly, days[0])
	last, _ := time.Parse(time.DateOnly, days[len(days)-1])
	days = days[:0]
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format(time.DateOnly))
	}

	p := c.newPlot(t.Name + "\n" + mResponseTitle.s(l))
	p.Y.Label.Text = mResponseAxisY.s(l)
	var lines []*series
	switch {
	case len(summary) == 1:
		s := byCompound[summary[0].CompoundID]
		if s == nil {
			s = &series{counts: map[string]int64{}}
		}
		s.name = mVoted.s(l)
		lines = []*series{s, agree}
		p.Y.Label.Text = mResponseAxis1.s(l)
	case len(summary) > MaxLines:
		lines = []*series{total}
	default:
		for _, r := range summary {
			s := byCompound[r.CompoundID]
			if s == nil {
				s = &series{counts: map[string]int64{}}
			}
			s.name = r.Compound
			lines = append(lines, s)
		}
	}

	p.X.Label.Text = mResponseAxisX.f(l, t.TimeZone)
	p.X.Tick.Marker = dayTicks{days: days, l: l}
	p.Y.Tick.Marker = intTicks{}
	p.Y.Min = 0
	p.X.Min, p.X.Max = 0, float64(len(days)-1)
	if len(days) == 1 {
		p.X.Min, p.X.Max = -0.5, 0.5
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), -vg.Points(4)
	p.Legend.Padding = vg.Points(3)
	top := 0.0
	for i, s := range lines {
		xys := make(plotter.XYs, len(days))
		var sum int64
		for d, day := range days {
			sum += s.counts[day]
			xys[d] = plotter.XY{X: float64(d), Y: float64(sum)}
		}
		top = max(top, float64(sum))
		col := palette[i%len(palette)]
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("chart response: %w", err)
		}
		line.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(2)}
		points.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
		if len(days) > 45 {
			points.GlyphStyle.Radius = 0
		}
		p.Add(line, points)
		p.Legend.Add(s.name, line)
	}
	if len(summary) == 1 {
		if n, label, ok := thresholdCount(summary[0], l); ok {
			xys := plotter.XYs{{X: p.X.Min, Y: float64(n)}, {X: p.X.Max, Y: float64(n)}}
			line, err := plotter.NewLine(xys)
			if err != nil {
				return nil, fmt.Errorf("chart response: %w", err)
			}
			line.LineStyle = draw.LineStyle{Color: colLine, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(6), vg.Points(4)}}
			p.Add(line)
			p.Legend.Add(label, line)
			top = max(top, float64(n))
		}
	}
	p.Y.Max = max(top*1.15, 1)

	var households int64
	for _, r := range summary {
		households += r.Households
	}
	f := footer{notes: []string{mResponseNote.f(l, households, voted)}}
	if lo := t.LeftOut; lo != nil && lo.Compounds > 0 {
		f.notes = append(f.notes, mResponseLeft.f(l, lo.Compounds, lo.Households))
	}
	data, err := c.png(p, f, vg.Points(380))
	if err != nil {
		return nil, fmt.Errorf("chart response: %w", err)
	}
	return data, nil
}

// thresholdCount is the count that meets the compound's first test when the
// test compares a count with the households of the register (its
// denominator is the compound's household count and it is not an area test):
// the smallest n with n/den >= p/q (> when strict).
func thresholdCount(r report.SummaryRow, l lang) (int64, string, bool) {
	if len(r.Tests) == 0 {
		return 0, "", false
	}
	tc := r.Tests[0]
	if tc.Area || tc.Den <= 0 || tc.Den != r.Households {
		return 0, "", false
	}
	p, q := tc.Fraction.P, tc.Fraction.Q
	n := (p*tc.Den + q - 1) / q // ceil(p*den/q)
	if tc.Strict && n*q == p*tc.Den {
		n++
	}
	label := tc.Label
	if l == en {
		_, rest, _ := cutLabel(tc.Label)
		label = testName(l, tc) + rest
	}
	return n, mThresholdN.f(l, n, label), true
}

// cutLabel splits "同意户数/总户数 ≥ 2/3" into the quantities and " ≥ 2/3".
func cutLabel(s string) (string, string, bool) {
	for i, r := range s {
		if r == ' ' {
			return s[:i], s[i:], true
		}
	}
	return s, "", false
}

// dayTicks marks the days of the chart: all of them when few, else about
// eight, labelled "5月10日" or "May 10".
type dayTicks struct {
	days []string
	l    lang
}

func (d dayTicks) Ticks(lo, hi float64) []plot.Tick {
	step := max(1, (len(d.days)+7)/8)
	var ticks []plot.Tick
	for i, day := range d.days {
		if float64(i) < lo || float64(i) > hi {
			continue
		}
		label := ""
		if i%step == 0 {
			t, _ := time.Parse(time.DateOnly, day)
			label = fmt.Sprintf("%d月%d日", t.Month(), t.Day())
			if d.l == en {
				label = t.Format("Jan 2")
			}
		}
		ticks = append(ticks, plot.Tick{Value: float64(i), Label: label})
	}
	return ticks
}
