package chart

import (
	_ "embed"
	"fmt"
	"math"
	"strings"
	"sync"

	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// cjkTTF is Droid Sans Fallback (font/NOTICE): CJK ideographs and fullwidth
// punctuation, but no Latin letters or digits.
//
//go:embed font/DroidSansFallbackFull.ttf
var cjkTTF []byte

// typefaces name the fonts of the chain, in the order they are tried.
var typefaces = []font.Typeface{"LiberationSans", "DroidSansFallback"}

var (
	fontsOnce sync.Once
	fontsErr  error
	chain     []*opentype.Font
)

// fonts parses the embedded fonts once: Liberation Sans first (Latin,
// digits, ASCII punctuation, ≥ and the like), then Droid Sans Fallback.
func fonts() ([]*opentype.Font, error) {
	fontsOnce.Do(func() {
		for i, data := range [][]byte{liberationsansregular.TTF, cjkTTF} {
			f, err := opentype.Parse(data)
			if err != nil {
				fontsErr = fmt.Errorf("chart: parse font %s: %w", typefaces[i], err)
				return
			}
			chain = append(chain, f)
		}
	})
	return chain, fontsErr
}

// handler is a gonum text handler that draws each rune with the first font
// of the chain that has a glyph for it, so that one label can mix Chinese
// and Latin text. Record, when set, is called with every text drawn (tests
// check that each of its runes has a glyph).
type handler struct {
	fonts  []*opentype.Font
	cache  *font.Cache
	record func(string)
}

var _ text.Handler = handler{}

func newHandler(record func(string)) (handler, error) {
	fs, err := fonts()
	if err != nil {
		return handler{}, err
	}
	coll := make(font.Collection, len(fs))
	for i, f := range fs {
		coll[i] = font.Face{Font: font.Font{Typeface: typefaces[i]}, Face: f}
	}
	return handler{fonts: fs, cache: font.NewCache(coll), record: record}, nil
}

// Cache returns the fonts of the chain (the first is the default).
func (h handler) Cache() *font.Cache { return h.cache }

func (h handler) face(i int, size vg.Length) font.Face {
	return font.Face{Font: font.Font{Typeface: typefaces[i], Size: size}, Face: h.fonts[i]}
}

// Extents are the largest of the chain's fonts at the size.
func (h handler) Extents(fnt font.Font) font.Extents {
	var e font.Extents
	for i := range h.fonts {
		f := h.face(i, fnt.Size)
		x := f.Extents()
		e.Ascent = max(e.Ascent, x.Ascent)
		e.Descent = max(e.Descent, x.Descent)
		e.Height = max(e.Height, x.Height)
	}
	return e
}

// Lines splits text at newlines.
func (h handler) Lines(txt string) []string {
	return strings.Split(strings.TrimRight(txt, "\n"), "\n")
}

// run is a stretch of text drawn with one font of the chain.
type run struct {
	font int
	text string
}

// fontFor is the index of the first font with a glyph for r (the first font
// when none has one: its "missing glyph" box is drawn).
func (h handler) fontFor(buf *sfnt.Buffer, r rune) (int, bool) {
	for i, f := range h.fonts {
		if g, err := f.GlyphIndex(buf, r); err == nil && g != 0 {
			return i, true
		}
	}
	return 0, false
}

func (h handler) runs(s string) []run {
	var buf sfnt.Buffer
	var out []run
	start, cur := 0, -1
	for i, r := range s {
		f, _ := h.fontFor(&buf, r)
		if f != cur {
			if cur >= 0 {
				out = append(out, run{cur, s[start:i]})
			}
			start, cur = i, f
		}
	}
	if cur >= 0 {
		out = append(out, run{cur, s[start:]})
	}
	return out
}

// missing returns the runes of s that no font of the chain has.
func (h handler) missing(s string) []rune {
	var buf sfnt.Buffer
	var out []rune
	for _, r := range s {
		if r == '\n' {
			continue
		}
		if _, ok := h.fontFor(&buf, r); !ok {
			out = append(out, r)
		}
	}
	return out
}

func (h handler) width(s string, size vg.Length) vg.Length {
	var w vg.Length
	for _, r := range h.runs(s) {
		f := h.face(r.font, size)
		w += f.Width(r.text)
	}
	return w
}

// Box measures one line.
func (h handler) Box(txt string, fnt font.Font) (width, height, depth vg.Length) {
	e := h.Extents(fnt)
	return h.width(txt, fnt.Size), e.Ascent, e.Descent
}

// Draw draws possibly multi-line text, aligned and rotated as sty says (as
// gonum's text.Plain does, with the chain's fonts).
func (h handler) Draw(c vg.Canvas, txt string, sty text.Style, pt vg.Point) {
	txt = strings.TrimRight(txt, "\n")
	if txt == "" {
		return
	}
	if h.record != nil {
		h.record(txt)
	}
	c.SetColor(sty.Color)
	if sty.Rotation != 0 {
		c.Push()
		c.Rotate(sty.Rotation)
		defer c.Pop()
	}
	sin, cos := math.Sincos(sty.Rotation)
	pt.X, pt.Y = pt.Y*vg.Length(sin)+pt.X*vg.Length(cos), pt.Y*vg.Length(cos)-pt.X*vg.Length(sin)

	e := h.Extents(sty.Font)
	lines := h.Lines(txt)
	top := pt.Y + sty.Height(txt)*vg.Length(1+sty.YAlign)
	for i, line := range lines {
		x := pt.X + vg.Length(sty.XAlign)*h.width(line, sty.Font.Size)
		y := top - e.Ascent - vg.Length(i)*e.Height
		for _, r := range h.runs(line) {
			f := h.face(r.font, sty.Font.Size)
			c.FillString(f, vg.Point{X: x, Y: y}, r.text)
			x += f.Width(r.text)
		}
	}
}
