package register

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/renovote/renovote"
)

// column is one column of a register file.
type column int

const (
	colCompound column = iota
	colBuilding
	colUnit
	colRoom
	colOwner
	colPhone
	colArea
	numColumns
)

var columns = [numColumns]struct {
	zh, en   string
	aliases  []string
	required bool
}{
	colCompound: {"小区", "compound", []string{"小区名称", "小区名", "compound_name"}, true},
	colBuilding: {"楼栋", "building", []string{"栋", "楼号", "栋号", "楼栋号", "楼"}, true},
	colUnit:     {"单元", "unit", []string{"单元号"}, false},
	colRoom:     {"房号", "room", []string{"房间号", "门牌号", "室号", "室", "房间"}, true},
	colOwner:    {"户主", "owner", []string{"业主", "姓名", "户主姓名", "业主姓名", "name", "owner_name"}, false},
	colPhone:    {"电话", "phone", []string{"联系电话", "手机", "手机号", "手机号码", "电话号码", "mobile", "tel", "telephone"}, false},
	colArea:     {"面积", "area", []string{"建筑面积", "房屋面积", "专有面积", "专有部分面积", "住房面积"}, true},
}

// headerAliases maps a normalised header to its column.
var headerAliases = func() map[string]column {
	m := map[string]column{}
	for c, info := range columns {
		for _, s := range append([]string{info.zh, info.en}, info.aliases...) {
			m[normHeader(s)] = column(c)
		}
	}
	return m
}()

var unitSuffix = regexp.MustCompile(`[(\[（【][^)\]）】]*[)\]）】]$`)

// normHeader lowercases a header, drops spaces, a unit in brackets ("面积(㎡)")
// and a trailing unit ("面积㎡", "area m2").
func normHeader(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "\ufeff")
	s = strings.ToLower(strings.Join(strings.Fields(s), ""))
	s = unitSuffix.ReplaceAllString(s, "")
	for _, suf := range []string{"平方米", "m²", "m2", "㎡", "/", ":", "："} {
		s = strings.TrimSuffix(s, suf)
	}
	return s
}

// record is one row of the file with its line (CSV) or row number (XLSX).
type record struct {
	line  int
	cells []string
}

// Read reads a register file: CSV or XLSX, chosen by the extension of name
// (.csv or .txt; .xlsx or .xlsm). It checks every row against the programme's
// compounds and returns the households in file order, or, on any problem, no
// household and a *renovote.ValidationError listing every problem by line. See
// the package documentation for the format.
func Read(name string, r io.Reader, p renovote.Programme) ([]renovote.Household, error) {
	var (
		recs []record
		err  error
	)
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".csv", ".txt":
		recs, err = readCSV(r)
	case ".xlsx", ".xlsm":
		recs, err = readXLSX(r)
	case ".xls":
		return nil, fileProblem("the old Excel format .xls is not supported: save the sheet as .xlsx or CSV")
	default:
		return nil, fileProblem(fmt.Sprintf("unsupported file type %q: want .csv or .xlsx", ext))
	}
	if err != nil {
		return nil, err
	}
	return parse(recs, p)
}

func fileProblem(msg string) error {
	return &renovote.ValidationError{What: "register", Problems: []renovote.Problem{{Path: "file", Msg: msg}}}
}

var utf8BOM = []byte("\ufeff")

func readCSV(r io.Reader) ([]record, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read register: %w", err)
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if !utf8.Valid(data) {
		// Excel on Chinese Windows saves "CSV" in GBK; GB18030 is its superset.
		dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil || !utf8.Valid(dec) || bytes.ContainsRune(dec, utf8.RuneError) {
			return nil, fileProblem("the file is neither UTF-8 nor GBK text")
		}
		data = bytes.TrimPrefix(dec, utf8BOM)
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if !bytes.ContainsRune(first, ',') && bytes.ContainsRune(first, '\t') {
		cr.Comma = '\t'
	}
	var recs []record
	for {
		cells, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &renovote.ValidationError{What: "register", Problems: []renovote.Problem{{
					Path: "line " + strconv.Itoa(pe.Line), Msg: "not valid CSV: " + pe.Err.Error(),
				}}}
			}
			return nil, fmt.Errorf("read register: %w", err)
		}
		line, _ := cr.FieldPos(0)
		for i, c := range cells {
			cells[i] = undefuse(c)
		}
		recs = append(recs, record{line: line, cells: cells})
	}
	return recs, nil
}

// maxUnzipped bounds what a workbook may unzip to: excelize allocates what
// the zip declares before reading it, and a file of a few kilobytes can
// declare gigabytes. 256 MiB holds a register of several hundred thousand rows.
const maxUnzipped = 256 << 20

func readXLSX(r io.Reader) ([]record, error) {
	// excelize unzips large sheets to temporary files, and leaves them behind
	// when the workbook turns out broken: they go in a directory of our own.
	tmp, err := os.MkdirTemp("", "renovote-register-")
	if err != nil {
		return nil, fmt.Errorf("read register: %w", err)
	}
	defer os.RemoveAll(tmp)
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: excelize.StreamChunkSize, TmpDir: tmp})
	if err != nil {
		return nil, fileProblem("not a readable .xlsx workbook: " + err.Error())
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fileProblem("the workbook has no sheet")
	}
	rows, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fileProblem("cannot read sheet " + strconv.Quote(sheets[0]) + ": " + err.Error())
	}
	recs := make([]record, 0, len(rows))
	for i, cells := range rows {
		recs = append(recs, record{line: i + 1, cells: cells})
	}
	return recs, nil
}

// numberCell turns a number as a workbook stores it ("85.099999999999994",
// "1.3800000001E10") into its shortest decimal form ("85.1", "13800000001").
func numberCell(s string) string {
	if !strings.ContainsAny(s, "eE") {
		_, frac, ok := strings.Cut(s, ".")
		if !ok || len(frac) <= 2 {
			return s
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// parser checks the records and builds the households.
type parser struct {
	problems []lineProblem
}

type lineProblem struct {
	line int // 0: header
	msg  string
}

func (ps *parser) add(line int, format string, args ...any) {
	ps.problems = append(ps.problems, lineProblem{line, fmt.Sprintf(format, args...)})
}

func parse(recs []record, p renovote.Programme) ([]renovote.Household, error) {
	ps := &parser{}
	compounds := compoundIndex(p)

	// The header is the first of the first ten non-empty rows that names every
	// required column (rows above it are titles).
	var (
		headerAt = -1
		cols     [numColumns]int
		best     struct {
			at, found int
			dups      []string
			cols      [numColumns]int
		}
	)
	best.at = -1
	for i, seen := 0, 0; i < len(recs) && seen < 10; i++ {
		if blank(recs[i].cells) {
			continue
		}
		seen++
		c, found, dups := mapHeader(recs[i].cells)
		if best.at < 0 || found > best.found {
			best.at, best.found, best.dups, best.cols = i, found, dups, c
		}
		if hasRequired(c) {
			headerAt, cols = i, c
			best.at, best.found, best.dups, best.cols = i, found, dups, c
			break
		}
	}
	if best.at < 0 {
		return nil, headerError("the file is empty")
	}
	hline := recs[best.at].line
	for _, d := range best.dups {
		ps.add(0, "line %d: %s", hline, d)
	}
	if headerAt < 0 {
		for c, info := range columns {
			if info.required && best.cols[c] < 0 {
				ps.add(0, "line %d: missing column %s (%s)", hline, info.zh, info.en)
			}
		}
		return nil, ps.err()
	}

	type unitKey struct{ compound, id string }
	var (
		out    []renovote.Household
		lines  = map[unitKey][]int{}
		labels = map[unitKey]string{}
		order  []unitKey
	)
	for _, rec := range recs[headerAt+1:] {
		if blank(rec.cells) {
			continue
		}
		cell := func(c column) string {
			i := cols[c]
			if i < 0 || i >= len(rec.cells) {
				return ""
			}
			return strings.TrimSpace(rec.cells[i])
		}
		line := rec.line
		h := renovote.Household{
			Building: digits(cell(colBuilding)),
			Unit:     digits(cell(colUnit)),
			Room:     digits(cell(colRoom)),
			Owner:    cell(colOwner),
		}
		ok := true
		switch name := cell(colCompound); {
		case name == "":
			ps.add(line, "missing compound (小区)")
			ok = false
		default:
			id, known := compounds[normName(name)]
			if !known {
				ps.add(line, "unknown compound %q", name)
				ok = false
			}
			h.CompoundID = id
		}
		if h.Building == "" {
			ps.add(line, "missing building (楼栋)")
			ok = false
		}
		if h.Room == "" {
			ps.add(line, "missing room (房号)")
			ok = false
		}
		switch raw := numberCell(cell(colArea)); {
		case raw == "":
			ps.add(line, "missing area (面积)")
		default:
			a, err := renovote.ParseArea(raw)
			if err != nil {
				ps.add(line, "area %q is not a positive number of m² with at most two decimals", raw)
			}
			h.Area = a
		}
		if raw := cell(colPhone); raw != "" {
			ph, err := normalizePhone(raw)
			if err != nil {
				ps.add(line, "phone (电话): %v", err)
			}
			h.Phone = ph
		}
		if ok {
			h.ID = renovote.HouseholdID(h.Building, h.Unit, h.Room)
			k := unitKey{h.CompoundID, h.ID}
			if lines[k] == nil {
				order = append(order, k)
				labels[k] = h.Label()
			}
			lines[k] = append(lines[k], line)
		}
		out = append(out, h)
	}
	for _, k := range order {
		ls := lines[k]
		if len(ls) < 2 {
			continue
		}
		c, _ := p.Compound(k.compound)
		for _, l := range ls {
			var others []string
			for _, o := range ls {
				if o != l {
					others = append(others, strconv.Itoa(o))
				}
			}
			ps.add(l, "duplicate unit %s %s, also on line %s", c.Name, labels[k], strings.Join(others, ", "))
		}
	}
	if len(out) == 0 {
		ps.add(0, "line %d: no household below the header", recs[headerAt].line)
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	return out, nil
}

func headerError(msg string) error {
	return &renovote.ValidationError{What: "register", Problems: []renovote.Problem{{Path: "header", Msg: msg}}}
}

// err returns the problems sorted by line, header first, or nil.
func (ps *parser) err() error {
	if len(ps.problems) == 0 {
		return nil
	}
	slices.SortStableFunc(ps.problems, func(a, b lineProblem) int { return a.line - b.line })
	v := &renovote.ValidationError{What: "register"}
	for _, pr := range ps.problems {
		path := "header"
		if pr.line > 0 {
			path = "line " + strconv.Itoa(pr.line)
		}
		v.Add(path, pr.msg)
	}
	return v
}

// mapHeader finds the columns a header row names (-1: absent), how many, and
// the names of columns given twice.
func mapHeader(cells []string) (cols [numColumns]int, found int, dups []string) {
	for i := range cols {
		cols[i] = -1
	}
	for i, cell := range cells {
		c, ok := headerAliases[normHeader(cell)]
		if !ok {
			continue
		}
		if cols[c] >= 0 {
			dups = append(dups, fmt.Sprintf("columns %s and %s both give %s (%s)", colName(cols[c]), colName(i), columns[c].zh, columns[c].en))
			continue
		}
		cols[c] = i
		found++
	}
	return cols, found, dups
}

func hasRequired(cols [numColumns]int) bool {
	for c, info := range columns {
		if info.required && cols[c] < 0 {
			return false
		}
	}
	return true
}

// colName is the spreadsheet name of column i (0: A, 26: AA).
func colName(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// compoundIndex maps the normalised id, name and name without 小区 of every
// compound to its id.
func compoundIndex(p renovote.Programme) map[string]string {
	m := map[string]string{}
	put := func(k, id string) {
		if _, ok := m[k]; !ok && k != "" {
			m[k] = id
		}
	}
	for _, c := range p.Compounds {
		put(normName(c.ID), c.ID)
		put(normName(c.Name), c.ID)
	}
	for _, c := range p.Compounds {
		put(strings.TrimSuffix(normName(c.Name), "小区"), c.ID)
	}
	return m
}

func normName(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), "")) }

// digits turns full-width digits and letters into ASCII ("３０１" -> "301").
func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '！' && r <= '～' && (r >= '０' && r <= '９' || r >= 'Ａ' && r <= 'Ｚ' || r >= 'ａ' && r <= 'ｚ' || r == '－' || r == '＋' || r == '．') {
			return r - '！' + '!'
		}
		return r
	}, s)
}

var (
	mobileRe   = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	landlineRe = regexp.MustCompile(`^0[1-9][0-9]{8,10}$`)
)

// normalizePhone checks a mainland phone number and returns it normalised: a
// mobile as 11 digits, a landline as area code, dash, number (0851-12345678).
func normalizePhone(s string) (string, error) {
	s = digits(s)
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '(', ')', '（', '）', '\u00a0', '\u3000', '—', '–', '.':
			return -1
		}
		return r
	}, numberCell(s))
	intl := false
	for _, pre := range []string{"+86", "0086"} {
		if rest, ok := strings.CutPrefix(s, pre); ok {
			s, intl = rest, true
		}
	}
	if !intl && len(s) == 13 && strings.HasPrefix(s, "861") {
		s, intl = s[2:], true
	}
	if intl && s != "" && s[0] != '0' && !mobileRe.MatchString(s) {
		s = "0" + s // +86 851 12345678 is 0851-12345678
	}
	switch {
	case mobileRe.MatchString(s):
		return s, nil
	case landlineRe.MatchString(s):
		code := 4 // 0851, 0755, ...
		if s[1] == '1' || s[1] == '2' {
			code = 3 // 010, 020-029
		}
		if n := len(s) - code; n < 7 || n > 8 {
			return "", errors.New("a landline is an area code and 7 or 8 digits, as in 0851-12345678")
		}
		return s[:code] + "-" + s[code:], nil
	}
	return "", errors.New("not a mainland mobile number (11 digits, 13x-19x) or a landline with its area code (0851-12345678)")
}
