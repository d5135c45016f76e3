package report_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/renovote/renovote/report"
)

// goldenRows is how many rows of each sheet the XLSX golden file keeps (the
// header and the first rows); the count of all rows is kept too.
const goldenRows = 12

// TestXLSXGolden reads the workbook of the seeded programme back with
// excelize and compares what a clerk would see with a golden file: every
// sheet, its first rows as displayed (numbers marked #, percentages as shown)
// and its number of rows. After a deliberate change: go test ./report -update.
func TestXLSXGolden(t *testing.T) {
	st, p := seeded(t)
	tb, err := report.Build(context.Background(), st, p, nil, false)
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
	var out strings.Builder
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatalf("%s: %v", sh, err)
		}
		fmt.Fprintf(&out, "== %s (%d rows)\n", sh, len(rows))
		for r, row := range rows {
			if r == goldenRows {
				break
			}
			cells := make([]string, len(row))
			for c, v := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				typ, _ := f.GetCellType(sh, ref)
				if typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset && v != "" && r > 0 && isNumber(f, sh, ref) {
					v = "#" + v
				}
				cells[c] = v
			}
			out.WriteString(strings.Join(cells, " | "))
			out.WriteByte('\n')
		}
	}
	golden(t, "workbook.golden.txt", []byte(out.String()))
}

// isNumber reports whether the cell's raw value is a number (excelize leaves
// the type of numeric cells unset).
func isNumber(f *excelize.File, sheet, ref string) bool {
	raw, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		return false
	}
	var x float64
	_, err = fmt.Sscan(raw, &x)
	return err == nil
}
