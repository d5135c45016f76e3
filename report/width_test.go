package report

import (
	"math"
	"testing"

	"github.com/renovote/renovote"
)

// TestCellWidth: the width the XLSX writer sizes columns by is the width of
// the cell's text, without making it.
func TestCellWidth(t *testing.T) {
	var cells []cell
	for _, n := range []int64{0, 1, 9, 10, 99, 100, 12345, -1, -9, -10, -15, -100, math.MaxInt64, math.MinInt64 + 1} {
		cells = append(cells, num(n), area(n))
	}
	for _, s := range [][2]int64{{0, 0}, {0, 5}, {1, 3}, {2, 3}, {1, 1}, {5, 4}, {12345, 7}} {
		cells = append(cells, pct(renovote.Share{Num: s[0], Den: s[1]}))
	}
	cells = append(cells, txt(""), txt("abc"), txt("粮贸小区"), txt("3栋2单元301"), blank())
	for _, c := range cells {
		if got, want := c.width(), displayWidth(c.String()); got != want {
			t.Errorf("%+v: width %d, text %q is %d", c, got, c.String(), want)
		}
	}
}
