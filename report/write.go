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
// households.csv), UTF-8 with a byte order mark so that Excel reads the
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
		for _, row := range s.Rows {
			rec := make([]string, len(row))
			for i, c := range row {
				rec[i] = c.String()
				if c.kind == textCell {
					rec[i] = defuse(rec[i])
				}
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
// for the wide sheets), so a clerk can print it as is.
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
	f.SetActiveSheet(0)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, wrap(err)
	}
	return buf.Bytes(), nil
}

func writeSheet(f *excelize.File, s sheet, bold, percent, areaStyle int) error {
	width := make([]int, len(s.Header))
	for c, h := range s.Header {
		ref, _ := excelize.CoordinatesToCellName(c+1, 1)
		if err := f.SetCellStr(s.Name, ref, h); err != nil {
			return err
		}
		width[c] = min(displayWidth(h), 24) // long headers wrap
	}
	last, _ := excelize.CoordinatesToCellName(max(1, len(s.Header)), 1)
	if err := f.SetCellStyle(s.Name, "A1", last, bold); err != nil {
		return err
	}
	for r, row := range s.Rows {
		for c, v := range row {
			ref, _ := excelize.CoordinatesToCellName(c+1, r+2)
			var err error
			switch v.kind {
			case intCell:
				err = f.SetCellInt(s.Name, ref, v.n)
			case areaCell:
				if err = f.SetCellFloat(s.Name, ref, float64(v.n)/100, 2, 64); err == nil {
					err = f.SetCellStyle(s.Name, ref, ref, areaStyle)
				}
			case percentCell:
				if v.share.Den > 0 {
					if err = f.SetCellFloat(s.Name, ref, float64(v.share.Num)/float64(v.share.Den), -1, 64); err == nil {
						err = f.SetCellStyle(s.Name, ref, ref, percent)
					}
				}
			default:
				if v.text != "" {
					err = f.SetCellStr(s.Name, ref, v.text)
				}
			}
			if err != nil {
				return err
			}
			if c < len(width) {
				width[c] = max(width[c], displayWidth(v.String()))
			}
		}
	}
	for c, w := range width {
		col, _ := excelize.ColumnNumberToName(c + 1)
		if err := f.SetColWidth(s.Name, col, col, float64(min(max(w+2, 6), 40))); err != nil {
			return err
		}
	}
	if err := f.SetPanes(s.Name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
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
	fit := true
	if err := f.SetSheetProps(s.Name, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: "'" + s.Name + "'!$1:$1", Scope: s.Name}); err != nil {
		return err
	}
	return nil
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
