package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// JSON writes the tables as indented JSON.
func JSON(w io.Writer, t Tables) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(t)
}

// File is one written file: a name and its bytes.
type File struct {
	Name string
	Data []byte
}

// CSV writes one CSV file per table (summary.csv, buildings.csv, survey.csv,
// households.csv; notes.csv instead of buildings.csv and households.csv when
// the report leaves the detail out, see Tables.LeftOut), UTF-8 with a byte order mark so that Excel reads the
// Chinese right. Cells that a spreadsheet would take for a formula are
// defused with a leading apostrophe.
func CSV(t Tables) ([]File, error) {
	var out []File
	for _, s := range t.sheets() {
		var buf bytes.Buffer
		buf.WriteString("\uFEFF")
		w := csv.NewWriter(&buf)
		if err := w.Write(s.Header); err != nil {
			return nil, fmt.Errorf("csv %s: %w", s.File, err)
		}
		var cells []cell
		var rec []string
		for i := range s.len() {
			cells, rec = s.row(i, cells), rec[:0]
			row := cells
			for _, c := range row {
				v := c.String()
				if c.kind == textCell {
					v = defuse(v)
				}
				rec = append(rec, v)
			}
			if err := w.Write(rec); err != nil {
				return nil, fmt.Errorf("csv %s: %w", s.File, err)
			}
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return nil, fmt.Errorf("csv %s: %w", s.File, err)
		}
		out = append(out, File{Name: s.File, Data: buf.Bytes()})
	}
	return out, nil
}

// defuse keeps a text cell from being read as a formula.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// XLSX writes the tables as one workbook, a sheet per table: a bold, frozen
// header row repeated on every printed page, numbers as numbers, shares as
// percentages (the exact ratio as a float in the cell), columns sized to
// their content, and print setup to fit the width of the page (landscape
// for the wide sheets), so a clerk can print it as is. When the report leaves
// the household list out (Tables.LeftOut), a last sheet 说明 says so and how to
// get it. Sheets are written with excelize's StreamWriter: rows go out as
// XML as they are made, never held as cells of the workbook.
func XLSX(t Tables) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	wrap := func(err error) error { return fmt.Errorf("report xlsx: %w", err) }
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	if err != nil {
		return nil, wrap(err)
	}
	pctFmt := "0.0%"
	percent, err := f.NewStyle(&excelize.Style{CustomNumFmt: &pctFmt})
	if err != nil {
		return nil, wrap(err)
	}
	areaFmt := "0.00"
	areaStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &areaFmt})
	if err != nil {
		return nil, wrap(err)
	}
	for i, s := range t.sheets() {
		if i == 0 {
			err = f.SetSheetName("Sheet1", s.Name)
		} else {
			_, err = f.NewSheet(s.Name)
		}
		if err != nil {
			return nil, wrap(err)
		}
		if err := writeSheet(f, s, bold, percent, areaStyle); err != nil {
			return nil, wrap(fmt.Errorf("%s: %w", s.Name, err))
		}
	}
	// The first sheet stays the active one, as in a new file: SetActiveSheet
	// now would parse every streamed sheet back.
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, wrap(err)
	}
	return buf.Bytes(), nil
}

// writeSheet writes s into the new, empty sheet s.Name of f through a
// StreamWriter. The sheet's properties, page setup and column widths are set
// first (the stream writes them before the rows), the rows then go out one
// at a time.
func writeSheet(f *excelize.File, s sheet, bold, percent, areaStyle int) error {
	fit := true
	if err := f.SetSheetProps(s.Name, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	orientation := "portrait"
	if s.Landscape {
		orientation = "landscape"
	}
	one, zero, paper := 1, 0, 9 // A4
	if err := f.SetPageLayout(s.Name, &excelize.PageLayoutOptions{Size: &paper, Orientation: &orientation, FitToWidth: &one, FitToHeight: &zero}); err != nil {
		return err
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: "'" + s.Name + "'!$1:$1", Scope: s.Name}); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(s.Name)
	if err != nil {
		return err
	}

	// Column widths from the header (long headers wrap) and every cell.
	width := make([]int, len(s.Header))
	for c, h := range s.Header {
		width[c] = min(displayWidth(h), 24)
	}
	var buf []cell
	for i := range s.len() {
		buf = s.row(i, buf)
		for c, v := range buf {
			if c < len(width) {
				width[c] = max(width[c], v.width())
			}
		}
	}
	// Last column first: excelize puts each new column before the ones set,
	// and spreadsheet programs want them in ascending order.
	for c := len(width) - 1; c >= 0; c-- {
		if err := sw.SetColWidth(c+1, c+1, float64(min(max(width[c]+2, 6), 40))); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return err
	}

	vals := make([]any, len(s.Header))
	for c, h := range s.Header {
		vals[c] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", vals); err != nil {
		return err
	}
	for i := range s.len() {
		buf = s.row(i, buf)
		vals = vals[:0]
		for _, v := range buf {
			vals = append(vals, cellValue(v, percent, areaStyle))
		}
		ref, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(ref, vals); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// cellValue is a cell as the StreamWriter takes it: nil for an empty cell.
func cellValue(v cell, percent, areaStyle int) any {
	switch v.kind {
	case intCell:
		return v.n
	case areaCell:
		return excelize.Cell{StyleID: areaStyle, Value: float64(v.n) / 100}
	case percentCell:
		if v.share.Den > 0 {
			return excelize.Cell{StyleID: percent, Value: float64(v.share.Num) / float64(v.share.Den)}
		}
		return nil
	}
	if v.text == "" {
		return nil
	}
	return v.text
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
