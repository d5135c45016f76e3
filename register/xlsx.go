package register

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// WriteXLSX builds a one-sheet workbook: a bold, frozen header row, columns
// sized to their content, cells that look like whole numbers kept as text (room
// numbers and phones must not lose leading zeros or become 1.38E+10). It is
// what the door-to-door list (扫楼) is sent as.
func WriteXLSX(sheet string, header []string, rows [][]string) ([]byte, error) {
	sheet = sheetName(sheet)
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, fmt.Errorf("write xlsx: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, fmt.Errorf("write xlsx: %w", err)
	}
	width := make([]int, len(header))
	put := func(r int, cells []string) error {
		for c, v := range cells {
			ref, err := excelize.CoordinatesToCellName(c+1, r)
			if err != nil {
				return err
			}
			if err := f.SetCellStr(sheet, ref, v); err != nil {
				return err
			}
			if c < len(width) {
				width[c] = max(width[c], displayWidth(v))
			}
		}
		return nil
	}
	if err := put(1, header); err != nil {
		return nil, fmt.Errorf("write xlsx: %w", err)
	}
	last, _ := excelize.CoordinatesToCellName(max(1, len(header)), 1)
	if err := f.SetCellStyle(sheet, "A1", last, bold); err != nil {
		return nil, fmt.Errorf("write xlsx: %w", err)
	}
	for i, row := range rows {
		if err := put(i+2, row); err != nil {
			return nil, fmt.Errorf("write xlsx row %d: %w", i+2, err)
		}
	}
	for c, w := range width {
		col, _ := excelize.ColumnNumberToName(c + 1)
		if err := f.SetColWidth(sheet, col, col, float64(min(max(w+2, 6), 60))); err != nil {
			return nil, fmt.Errorf("write xlsx: %w", err)
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, fmt.Errorf("write xlsx: %w", err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("write xlsx: %w", err)
	}
	return buf.Bytes(), nil
}

// displayWidth counts a CJK character as two columns.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		if r >= 0x1100 && utf8.RuneLen(r) > 1 {
			w += 2
		} else {
			w++
		}
	}
	return w
}

// sheetName makes a valid Excel sheet name: at most 31 characters, none of
// [ ] : * ? / \, not empty.
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(s))
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	if s == "" {
		s = "Sheet1"
	}
	return s
}
