package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/renovote/renovote"
)

// ErrNoData is returned (wrapped) when the tables hold nothing for a chart:
// no compound, no survey rows for the compound asked for, no vote yet.
var ErrNoData = errors.New("nothing to draw")

// Limits of what one image shows; the rest is counted in a note.
const (
	// MaxCompounds is how many compounds the consent chart draws.
	MaxCompounds = 30
	// MaxItems is how many survey items the survey chart draws.
	MaxItems = 40
	// MaxLines is how many compounds the response chart draws a line for;
	// with more it draws the total.
	MaxLines = 8
)

// Image geometry: 7.5 in at 144 dpi is 1080 pixels wide.
const (
	dpi   = 144
	width = 7.5 * vg.Inch
)

// Text sizes.
const (
	titleSize = 13
	labelSize = 11
	tickSize  = 10
	noteSize  = 9
)

// Colours (Okabe–Ito, told apart by colour-blind readers too).
var (
	colPass    = color.RGBA{0x00, 0x9E, 0x73, 0xFF} // bluish green
	colFail    = color.RGBA{0xD5, 0x5E, 0x00, 0xFF} // vermilion
	colMust    = color.RGBA{0x00, 0x72, 0xB2, 0xFF} // blue
	colUpgrade = color.RGBA{0xE6, 0x9F, 0x00, 0xFF} // orange
	colLine    = color.RGBA{0x20, 0x20, 0x20, 0xFF}
	colGrid    = color.RGBA{0xDD, 0xDD, 0xDD, 0xFF}
	colNote    = color.RGBA{0x55, 0x55, 0x55, 0xFF}
	palette    = []color.RGBA{
		color.RGBA{0x00, 0x72, 0xB2, 0xFF}, color.RGBA{0xD5, 0x5E, 0x00, 0xFF},
		color.RGBA{0x00, 0x9E, 0x73, 0xFF}, color.RGBA{0xCC, 0x79, 0xA7, 0xFF},
		color.RGBA{0xE6, 0x9F, 0x00, 0xFF}, color.RGBA{0x56, 0xB4, 0xE9, 0xFF},
		color.RGBA{0x88, 0x88, 0x88, 0xFF}, color.RGBA{0x00, 0x00, 0x00, 0xFF},
	}
)

// lang is the language of a chart's words.
type lang int

const (
	zh lang = iota
	en
)

func langOf(s string) lang {
	if strings.HasPrefix(strings.ToLower(s), "en") {
		return en
	}
	return zh
}

// w is one wording in both languages.
type w struct{ zh, en string }

func (m w) s(l lang) string {
	if l == en {
		return m.en
	}
	return m.zh
}

func (m w) f(l lang, args ...any) string { return fmt.Sprintf(m.s(l), args...) }

// canvas is what a chart draws with: the language and the text handler.
// A dry run draws but does not encode (tests that only read the texts).
type canvas struct {
	l      lang
	h      handler
	dryRun bool
}

func newCanvas(language string, record func(string)) (canvas, error) {
	h, err := newHandler(record)
	if err != nil {
		return canvas{}, err
	}
	return canvas{l: langOf(language), h: h}, nil
}

func (c canvas) style(size vg.Length, col color.Color) text.Style {
	return text.Style{Color: col, Font: font.Font{Typeface: typefaces[0], Size: size}, Handler: c.h,
		XAlign: draw.XLeft, YAlign: draw.YCenter}
}

// newPlot is a plot whose every text uses the embedded fonts.
func (c canvas) newPlot(title string) *plot.Plot {
	p := plot.New()
	p.TextHandler = c.h
	p.Title.Text = title
	p.Title.TextStyle = c.style(titleSize, color.Black)
	p.Title.TextStyle.XAlign, p.Title.TextStyle.YAlign = draw.XCenter, draw.YTop
	p.Title.Padding = vg.Points(10)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Handler, a.Label.TextStyle.Font = c.h, font.Font{Typeface: typefaces[0], Size: labelSize}
		a.Tick.Label.Handler, a.Tick.Label.Font = c.h, font.Font{Typeface: typefaces[0], Size: tickSize}
	}
	p.Legend.TextStyle.Handler, p.Legend.TextStyle.Font = c.h, font.Font{Typeface: typefaces[0], Size: tickSize}
	return p
}

// swatch is one entry of a footer legend: a filled box, or a line.
type swatch struct {
	label string
	col   color.Color
	line  bool
}

// footer is the strip under a plot: a row of legend entries and notes,
// wrapped to the width.
type footer struct {
	swatches []swatch
	notes    []string
}

const footerPad = 6 * vg.Millimeter / 2

func (c canvas) noteLines(f footer, width vg.Length) []string {
	var lines []string
	for _, n := range f.notes {
		lines = append(lines, c.wrap(n, noteSize, width)...)
	}
	return lines
}

func (c canvas) footerHeight(f footer, width vg.Length) vg.Length {
	e := c.h.Extents(font.Font{Size: noteSize})
	h := vg.Length(0)
	if len(f.swatches) > 0 {
		h += c.h.Extents(font.Font{Size: tickSize}).Height + footerPad
	}
	h += vg.Length(len(c.noteLines(f, width))) * e.Height
	if h > 0 {
		h += 2 * footerPad
	}
	return h
}

// drawFooter draws f in the rectangle of dc.
func (c canvas) drawFooter(dc draw.Canvas, f footer) {
	inner := dc.Max.X - dc.Min.X - 2*footerPad
	y := dc.Max.Y - footerPad
	if len(f.swatches) > 0 {
		e := c.h.Extents(font.Font{Size: tickSize})
		mid := y - e.Height/2
		x := dc.Min.X + footerPad
		sty := c.style(tickSize, color.Black)
		box := vg.Length(tickSize) * 0.9
		for _, s := range f.swatches {
			if s.line {
				dc.StrokeLine2(draw.LineStyle{Color: s.col, Width: vg.Points(2)}, x, mid, x+2*box, mid)
				x += 2*box + 4
			} else {
				dc.SetColor(s.col)
				dc.Fill(vg.Rectangle{Min: vg.Point{X: x, Y: mid - box/2}, Max: vg.Point{X: x + box, Y: mid + box/2}}.Path())
				x += box + 4
			}
			dc.FillText(sty, vg.Point{X: x, Y: mid}, s.label)
			x += c.h.width(s.label, tickSize) + 14
		}
		y -= e.Height + footerPad
	}
	sty := c.style(noteSize, colNote)
	sty.YAlign = draw.YTop
	for _, line := range c.noteLines(f, inner) {
		dc.FillText(sty, vg.Point{X: dc.Min.X + footerPad, Y: y}, line)
		y -= c.h.Extents(font.Font{Size: noteSize}).Height
	}
}

// wrap breaks s into lines no wider than width, between words where there
// are spaces and anywhere in Chinese.
func (c canvas) wrap(s string, size, width vg.Length) []string {
	var lines []string
	line := ""
	lastBreak := -1 // byte index in line after which a break is good
	for _, r := range s {
		next := line + string(r)
		if c.h.width(next, size) <= width || line == "" {
			line = next
			if r == ' ' || r > 0x2E80 {
				lastBreak = len(line)
			}
			continue
		}
		if lastBreak > 0 && lastBreak < len(line) {
			lines = append(lines, strings.TrimRight(line[:lastBreak], " "))
			line = strings.TrimLeft(line[lastBreak:], " ") + string(r)
		} else {
			lines = append(lines, strings.TrimRight(line, " "))
			line = strings.TrimLeft(string(r), " ")
		}
		lastBreak = -1
		if r == ' ' || r > 0x2E80 {
			lastBreak = len(line)
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// png draws the plot above the footer on an image height tall and encodes
// it.
func (c canvas) png(p *plot.Plot, f footer, height vg.Length) ([]byte, error) {
	fh := c.footerHeight(f, width-2*footerPad)
	img := vgimg.NewWith(vgimg.UseWH(width, height+fh), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	margin := vg.Points(8)
	p.Draw(draw.Crop(dc, margin, -margin, fh, -margin))
	if fh > 0 {
		c.drawFooter(draw.Crop(dc, 0, 0, 0, -(height)), f)
	}
	if c.dryRun {
		return nil, nil
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// intTicks marks whole numbers only (counts of households), about five.
type intTicks struct{}

func (intTicks) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	step := 1.0
	if span > 5 {
		raw := span / 5
		mag := math.Pow(10, math.Floor(math.Log10(raw)))
		switch r := raw / mag; {
		case r <= 1:
			step = mag
		case r <= 2:
			step = 2 * mag
		case r <= 5:
			step = 5 * mag
		default:
			step = 10 * mag
		}
		step = math.Max(1, math.Round(step))
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi+1e-9; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: fmt.Sprintf("%.0f", v)})
	}
	return ticks
}

// percentTicks marks 0 %, 20 %, … 100 %.
type percentTicks struct{}

func (percentTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for i := 0; i <= 10; i++ {
		v := float64(i) / 10
		label := ""
		if i%2 == 0 {
			label = fmt.Sprintf("%d%%", i*10)
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: label})
	}
	return ticks
}

// percent formats num/den as "72.7%" ("—" when den is 0).
func percent(num, den int64) string {
	if den <= 0 {
		return "—"
	}
	return renovote.Share{Num: num, Den: den}.String()
}

// fontOf is the chain's first font at size (the handler picks per rune).
func fontOf(size vg.Length) font.Font { return font.Font{Typeface: typefaces[0], Size: size} }
