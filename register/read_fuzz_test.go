package register_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/programme"
	"github.com/renovote/renovote/register"
)

// The register fuzz targets read any bytes as a register file. Whatever
// the file, Read never panics and returns either households or a
// *renovote.ValidationError naming where each problem is (the file, the
// header or a line); the households it returns are valid, unique, and come
// back the same through WriteCSV and Read.

var (
	problemPath = regexp.MustCompile(`^(file|header|line [1-9][0-9]*)$`)
	storedPhone = regexp.MustCompile(`^(1[3-9][0-9]{9}|0[1-9][0-9]{1,2}-[0-9]{7,8})$`)
)

// checkRead checks what Read made of a file.
func checkRead(t *testing.T, p renovote.Programme, hhs []renovote.Household, err error) {
	t.Helper()
	if err != nil {
		var v *renovote.ValidationError
		if !errors.As(err, &v) || v.What != "register" || !errors.Is(err, renovote.ErrInvalid) {
			t.Fatalf("error %v (%T) is not a register ValidationError", err, err)
		}
		if hhs != nil {
			t.Fatalf("%d households returned with the error", len(hhs))
		}
		if len(v.Problems) == 0 {
			t.Fatal("a ValidationError without problems")
		}
		for _, pr := range v.Problems {
			if !problemPath.MatchString(pr.Path) || strings.TrimSpace(pr.Msg) == "" {
				t.Fatalf("problem %q does not say where and what", pr)
			}
		}
		return
	}
	if len(hhs) == 0 {
		t.Fatal("no household and no error")
	}
	seen := map[renovote.HouseholdRef]bool{}
	for _, h := range hhs {
		if _, ok := p.Compound(h.CompoundID); !ok {
			t.Fatalf("household of unknown compound %q", h.CompoundID)
		}
		if h.Building == "" || h.Room == "" || h.ID != renovote.HouseholdID(h.Building, h.Unit, h.Room) {
			t.Fatalf("household %q: building %q unit %q room %q", h.ID, h.Building, h.Unit, h.Room)
		}
		if h.Area <= 0 {
			t.Fatalf("household %s: area %d", h.Ref(), h.Area)
		}
		if h.Phone != "" && !storedPhone.MatchString(h.Phone) {
			t.Fatalf("household %s: phone not normalised", h.Ref())
		}
		if seen[h.Ref()] {
			t.Fatalf("household %s twice", h.Ref())
		}
		seen[h.Ref()] = true
	}
	var buf bytes.Buffer
	if err := register.WriteCSV(&buf, p, hhs); err != nil {
		t.Fatalf("write the register read: %v", err)
	}
	again, err := register.Read("again.csv", bytes.NewReader(buf.Bytes()), p)
	if err != nil {
		t.Fatalf("the register written cannot be read again: %v\n%q", err, buf.String())
	}
	if !slices.Equal(again, hhs) {
		for i := range min(len(again), len(hhs)) {
			if again[i] != hhs[i] {
				t.Fatalf("household %d changes through WriteCSV and Read:\n%+v\n%+v", i, hhs[i], again[i])
			}
		}
		t.Fatalf("%d households read back, want %d", len(again), len(hhs))
	}
}

// csvSeeds are register files as offices keep them, and broken ones.
var csvSeeds = []string{
	header + "粮贸小区,1栋,1单元,101,张三,13800000001,85.50\n",
	" Room , Building,UNIT, compound ,Owner, Phone,Area (m2),notes\n101,1栋,1单元,粮贸小区,张三,+86 138-0000-0001,85.5,x\n３０１,Ａ,2,jinrong,李四,(0851)12345678,60.00,\n,,,,,,,\n12,3,,武装部,,,45.25,\n",
	"凤冈县老旧小区摸底调查表,,,,,,\n序号,小区名称,楼号,单元号,房间号,业主姓名,联系电话,建筑面积（㎡）\n1,粮贸小区,1栋,1单元,101,张三,8613800000001,85.50\n",
	"\ufeff小区\t楼栋\t单元\t房号\t户主\t电话\t面积\r\n粮贸小区\t1栋\t1单元\t101\t张三\t13800000001\t85.50\r\n",
	header + "粮贸小区,1栋,1单元,101,\"=HYPERLINK(\"\"http://evil\"\")\",,85\n粮贸小区,1栋,1单元,102,'@me,,85\n粮贸小区,1栋,1单元,103, '=x,,85\n",
	header + "粮贸小区,1栋,1单元,101,张三,,85\n liangmao , 1栋 ,1单元,１０１,王五,,70\n幸福小区,1栋,1单元,102,李四,,八十\n,,,,,,\n粮贸小区,,,,,12345,-1\n",
	header + "粮贸小区,1栋,1单元,101,\"多行\n名字\",,85\n粮贸小区,1号楼,,\"1\r\n02\",,0851 1234 5678,1e2\n",
	header + "粮贸小区,\"1栋,1单元,101\n",
	"小区,小区,楼栋,房号\n", "", "\ufeff", "\n\n\n", "面积\n1\n", "\xff\xfe\x00\x00\xff", "\xd0\xa1\xc7\xf8,\xc2\xa5\xb6\xb0\n",
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range csvSeeds {
		f.Add([]byte(s))
	}
	p := programme.Seed()
	f.Fuzz(func(t *testing.T, data []byte) {
		hhs, err := register.Read("register.csv", bytes.NewReader(data), p)
		checkRead(t, p, hhs, err)
	})
}

// workbook builds a register workbook with rows from A1 of its first sheet.
func workbook(tb testing.TB, rows [][]any) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			tb.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

var workbookRows = [][]any{
	{"凤冈县2020年老旧小区改造摸底调查表"},
	{},
	{"小区", "楼栋", "单元", "房号", "户主", "电话", "面积(㎡)"},
	{"粮贸小区", 1, 1, 101, "张三", 13800000001, 85.1},
	{"粮贸小区", "1栋", "1单元", "102", "=李四", nil, 85.10000000000001},
	{"金融小区", "A", 2, 301, "", "0851-12345678", "60"},
}

// FuzzReadXLSX reads any bytes as an .xlsx workbook.
func FuzzReadXLSX(f *testing.F) {
	good := workbook(f, workbookRows)
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(workbook(f, [][]any{{"小区", "楼栋", "房号"}}))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("not a zip"))
	f.Add([]byte{})
	p := programme.Seed()
	f.Fuzz(func(t *testing.T, data []byte) {
		hhs, err := register.Read("register.xlsx", bytes.NewReader(data), p)
		checkRead(t, p, hhs, err)
	})
}

// FuzzReadXLSXSheet puts any bytes as the first sheet's XML and the shared
// strings of a valid small workbook: deeper into the reader than bytes of a
// whole zip, which are nearly always refused as a zip.
func FuzzReadXLSXSheet(f *testing.F) {
	parts := unzip(f, workbook(f, workbookRows))
	// Without what Read does not need, each run is several times faster.
	for _, name := range []string{"xl/theme/theme1.xml", "xl/styles.xml", "docProps/app.xml", "docProps/core.xml"} {
		delete(parts, name)
	}
	sheet, strs := parts["xl/worksheets/sheet1.xml"], parts["xl/sharedStrings.xml"]
	if hhs, err := register.Read("register.xlsx", bytes.NewReader(rezip(f, parts)), programme.Seed()); len(hhs) != 3 || err != nil {
		f.Fatalf("the template workbook reads as %d households, %v", len(hhs), err)
	}
	f.Add(sheet, strs)
	for _, s := range []string{
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
			`<row r="1"><c r="A1" t="inlineStr"><is><t>小区</t></is></c><c r="B1" t="inlineStr"><is><t>楼栋</t></is></c><c r="C1" t="inlineStr"><is><t>房号</t></is></c><c r="D1" t="inlineStr"><is><t>面积</t></is></c></row>` +
			`<row r="2"><c r="A2" t="inlineStr"><is><t>粮贸小区</t></is></c><c r="B2"><v>1</v></c><c r="C2"><v>1.01E2</v></c><c r="D2"><v>85.099999999999994</v></c></row>` +
			`</sheetData></worksheet>`,
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="20"><c r="XFD20" t="s"><v>0</v></c></row><row r="1048577"><c r="A1048577"><v>1</v></c></row></sheetData></worksheet>`,
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="0"><c r="A0" t="s"><v>99</v></c><c r="-1" t="s"><v>-1</v></c></row></sheetData></worksheet>`,
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row><c t="e"><v>#N/A</v></c><c t="b"><v>1</v></c><c t="d"><v>2020-05-01T00:00:00</v></c><c><f>1+1</f><v>2</v></c></row></sheetData></worksheet>`,
		`<worksheet><sheetData><row r="2"><c r="A1"/></row><row r="1"/></sheetData></worksheet>`,
		``, `<`, `<worksheet>`,
	} {
		f.Add([]byte(s), strs)
	}
	f.Add(sheet, []byte(`<sst><si><t>小区</t></si><si><r><t>楼</t></r><r><t>栋</t></r></si></sst>`))
	f.Add(sheet, []byte{})
	p := programme.Seed()
	f.Fuzz(func(t *testing.T, sheetXML, sharedXML []byte) {
		parts["xl/worksheets/sheet1.xml"], parts["xl/sharedStrings.xml"] = sheetXML, sharedXML
		data := rezip(t, parts)
		hhs, err := register.Read("register.xlsx", bytes.NewReader(data), p)
		checkRead(t, p, hhs, err)
	})
}

// unzip returns the files of a zip archive by name.
func unzip(tb testing.TB, data []byte) map[string][]byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			tb.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatal(err)
		}
		out[zf.Name] = b
	}
	return out
}

// rezip writes the files as a zip archive (stored, in name order).
func rezip(tb testing.TB, files map[string][]byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write(files[name]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
