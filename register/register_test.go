package register_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/programme"
	"github.com/renovote/renovote/register"
)

var update = flag.Bool("update", false, "rewrite examples/fenggang-2020-register.csv")

const examplePath = "../examples/fenggang-2020-register.csv"

// exampleSeed is the seed of the shipped example register.
const exampleSeed = 2020

func TestExampleRegister(t *testing.T) {
	p := programme.Seed()
	gen := register.GenerateSeed(p, exampleSeed)
	var buf bytes.Buffer
	if err := register.WriteCSV(&buf, p, gen); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(examplePath, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatalf("%v (run go test ./register -run TestExampleRegister -update)", err)
	}
	if !bytes.Equal(data, buf.Bytes()) {
		t.Errorf("%s is not GenerateSeed(seed programme, %d): run go test ./register -run TestExampleRegister -update", examplePath, exampleSeed)
	}
	if lines := bytes.Count(data, []byte("\n")); lines != 809 {
		t.Errorf("%d lines, want header + 808", lines)
	}

	hhs, err := register.Read(filepath.Base(examplePath), bytes.NewReader(data), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(hhs) != 808 {
		t.Fatalf("%d households, want 808", len(hhs))
	}
	if !slices.Equal(hhs, gen) {
		t.Error("the example register does not read back as generated")
	}
	for _, c := range p.Compounds {
		var n int64
		owners := map[string]bool{}
		for _, h := range hhs {
			if h.CompoundID == c.ID {
				n++
				owners[h.OwnerKey()] = true
			}
		}
		if n != c.PlannedHouseholds {
			t.Errorf("%s: %d households, want %d", c.ID, n, c.PlannedHouseholds)
		}
		if int64(len(owners)) >= n {
			t.Errorf("%s: %d owners for %d households, want some owners of two units", c.ID, len(owners), n)
		}
	}
}

func TestGenerateSeed(t *testing.T) {
	p := programme.Seed()
	a, b := register.GenerateSeed(p, 7), register.GenerateSeed(p, 7)
	if !slices.Equal(a, b) {
		t.Fatal("GenerateSeed is not deterministic")
	}
	if slices.Equal(a, register.GenerateSeed(p, 8)) {
		t.Error("another seed gives the same register")
	}
	ids := map[string]bool{}
	room := regexp.MustCompile(`^[1-7]0[12]$`)
	phone := regexp.MustCompile(`^1380000[0-9]{4}$`)
	noPhone := 0
	for _, h := range a {
		key := h.CompoundID + "/" + h.ID
		if ids[key] {
			t.Errorf("duplicate unit %s", key)
		}
		ids[key] = true
		if h.ID != renovote.HouseholdID(h.Building, h.Unit, h.Room) || !room.MatchString(h.Room) {
			t.Errorf("bad address %+v", h)
		}
		if h.Area < 4500 || h.Area > 12000 {
			t.Errorf("area %v out of 45.00-120.00", h.Area)
		}
		if h.Phone == "" {
			noPhone++
		} else if !phone.MatchString(h.Phone) {
			t.Errorf("phone %q", h.Phone)
		}
		if !strings.HasPrefix(h.Owner, "住户") {
			t.Errorf("owner %q", h.Owner)
		}
	}
	if len(a) != 808 || noPhone == 0 || noPhone > 100 {
		t.Errorf("%d households, %d without phone", len(a), noPhone)
	}
}

// prog is a small programme for the row tests.
func prog(t *testing.T) renovote.Programme {
	t.Helper()
	return programme.Seed()
}

const header = "小区,楼栋,单元,房号,户主,电话,面积\n"

// problem is one expected problem: its path and a piece of its message.
type problem struct{ path, msg string }

func checkProblems(t *testing.T, hhs []renovote.Household, err error, want []problem) {
	t.Helper()
	var v *renovote.ValidationError
	if !errors.As(err, &v) || v.What != "register" || !errors.Is(err, renovote.ErrInvalid) {
		t.Fatalf("err = %v, want a register ValidationError", err)
	}
	if hhs != nil {
		t.Errorf("%d households returned with the error", len(hhs))
	}
	if len(v.Problems) != len(want) {
		t.Errorf("%d problems, want %d:\n%v", len(v.Problems), len(want), err)
	}
	for _, w := range want {
		if !slices.ContainsFunc(v.Problems, func(p renovote.Problem) bool {
			return p.Path == w.path && strings.Contains(p.Msg, w.msg)
		}) {
			t.Errorf("no problem %s: …%s…\n%v", w.path, w.msg, err)
		}
	}
}

func TestBadRows(t *testing.T) {
	good := "粮贸小区,1栋,1单元,101,张三,13800000001,85.50\n"
	cases := []struct {
		name string
		csv  string
		want []problem
	}{
		{
			name: "unknown compound",
			csv:  header + good + "幸福小区,1栋,1单元,102,李四,,70\n",
			want: []problem{{"line 3", `unknown compound "幸福小区"`}},
		},
		{
			name: "missing compound, building and room",
			csv:  header + good + ",1栋,1单元,102,李四,,70\n粮贸小区,,1单元,,王五,,70\n",
			want: []problem{
				{"line 3", "missing compound (小区)"},
				{"line 4", "missing building (楼栋)"},
				{"line 4", "missing room (房号)"},
			},
		},
		{
			name: "duplicate room, three times",
			csv:  header + good + "粮贸小区,1栋,1单元,102,李四,,70\n liangmao , 1栋 ,1单元,１０１,王五,,70\n粮贸,1栋,1单元,101,赵六,,70\n",
			want: []problem{
				{"line 2", "duplicate unit 粮贸小区 1栋 1单元 101, also on line 4, 5"},
				{"line 4", "duplicate unit 粮贸小区 1栋 1单元 101, also on line 2, 5"},
				{"line 5", "also on line 2, 4"},
			},
		},
		{
			name: "same room in another unit or compound is fine, another building too",
			csv:  header + good + "粮贸小区,1栋,2单元,101,李四,,70\n金融小区,1栋,1单元,101,王五,,70\n粮贸小区,2栋,1单元,101,赵六,,70\n粮贸小区,1栋,x,101\n",
			want: []problem{{"line 6", "missing area"}},
		},
		{
			name: "areas",
			csv: header + good +
				"粮贸小区,1栋,1单元,102,李四,,\n" +
				"粮贸小区,1栋,1单元,201,李四,,八十\n" +
				"粮贸小区,1栋,1单元,202,李四,,0\n" +
				"粮贸小区,1栋,1单元,301,李四,,-60\n" +
				"粮贸小区,1栋,1单元,302,李四,,85.555\n",
			want: []problem{
				{"line 3", "missing area (面积)"},
				{"line 4", `area "八十" is not a positive number`},
				{"line 5", `area "0"`},
				{"line 6", `area "-60"`},
				{"line 7", `area "85.555"`},
			},
		},
		{
			name: "phones",
			csv: header + good +
				"粮贸小区,1栋,1单元,102,李四,1380000000,70\n" +
				"粮贸小区,1栋,1单元,201,李四,12800000001,70\n" +
				"粮贸小区,1栋,1单元,202,李四,12345678,70\n" +
				"粮贸小区,1栋,1单元,301,李四,电话,70\n" +
				"粮贸小区,1栋,1单元,302,李四,+86 138 0000 0001,70\n" +
				"粮贸小区,1栋,1单元,401,李四,0851-12345678,70\n",
			want: []problem{
				{"line 3", "phone (电话): not a mainland mobile number"},
				{"line 4", "phone (电话): not a mainland mobile number"},
				{"line 5", "phone (电话)"},
				{"line 6", "phone (电话)"},
			},
		},
		{
			name: "several problems on one row, quoted field over two lines before it",
			csv:  header + "粮贸小区,1栋,1单元,101,\"张\n三\",13800000001,85.50\n" + "火星小区,,1单元,,李四,123,abc\n",
			want: []problem{
				{"line 4", "unknown compound"},
				{"line 4", "missing building"},
				{"line 4", "missing room"},
				{"line 4", `area "abc"`},
				{"line 4", "phone"},
			},
		},
		{
			name: "missing header columns",
			csv:  "小区,楼栋,单元,户主,电话\n" + "粮贸小区,1栋,1单元,张三,13800000001\n",
			want: []problem{
				{"header", "line 1: missing column 房号 (room)"},
				{"header", "line 1: missing column 面积 (area)"},
			},
		},
		{
			name: "duplicate header column",
			csv:  "小区,楼栋,单元,房号,面积,建筑面积\n粮贸小区,1栋,1单元,101,80,80\n",
			want: []problem{{"header", "line 1: columns E and F both give 面积 (area)"}},
		},
		{
			name: "no rows",
			csv:  header + ",,,\n",
			want: []problem{{"header", "line 1: no household below the header"}},
		},
		{
			name: "empty file",
			csv:  "",
			want: []problem{{"header", "the file is empty"}},
		},
		{
			name: "broken CSV",
			csv:  header + good + "粮贸小区,1栋,\"1单元,102\n",
			want: []problem{{"line 3", "not valid CSV"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hhs, err := register.Read("register.csv", strings.NewReader(tc.csv), prog(t))
			checkProblems(t, hhs, err, tc.want)
		})
	}
}

func TestProblemsSortedByLine(t *testing.T) {
	csv := header + "粮贸小区,1栋,1单元,101,,,80\nx,1栋,1单元,102,,,80\n粮贸小区,1栋,1单元,101,,,80\n"
	_, err := register.Read("r.csv", strings.NewReader(csv), prog(t))
	var v *renovote.ValidationError
	if !errors.As(err, &v) {
		t.Fatal(err)
	}
	var paths []string
	for _, p := range v.Problems {
		paths = append(paths, p.Path)
	}
	if want := []string{"line 2", "line 3", "line 4"}; !slices.Equal(paths, want) {
		t.Fatalf("paths %v, want %v", paths, want)
	}
}

func TestReadCSVVariants(t *testing.T) {
	p := prog(t)
	want := []renovote.Household{
		{CompoundID: "liangmao", ID: "1-1-101", Building: "1栋", Unit: "1单元", Room: "101", Owner: "张三", Phone: "13800000001", Area: 8550},
		{CompoundID: "jinrong", ID: "A-2-301", Building: "A", Unit: "2", Room: "301", Owner: "李四", Phone: "0851-12345678", Area: 6000},
		{CompoundID: "wuzhuangbu", ID: "3--12", Building: "3", Unit: "", Room: "12", Owner: "", Phone: "", Area: 4525},
	}
	zh := "小区,楼栋,单元,房号,户主,电话,面积\n" +
		"粮贸小区,1栋,1单元,101,张三,13800000001,85.50\n" +
		"金融小区,Ａ,2,３０１,李四,0851 1234 5678,60\n" +
		"\n" +
		"wuzhuangbu,3,,12,,,45.25\n"
	en := " Room , Building,UNIT, compound ,Owner, Phone,Area (m2),notes\n" +
		"101,1栋,1单元,粮贸小区,张三,+86 138-0000-0001,85.5,x\n" +
		"３０１,Ａ,2,jinrong,李四,(0851)12345678,60.00,\n" +
		",,,,,,,\n" +
		"12,3,,武装部,,,45.25,\n"
	aliases := "凤冈县老旧小区摸底调查表,,,,,,\n" +
		"序号,小区名称,楼号,单元号,房间号,业主姓名,联系电话,建筑面积（㎡）\n" +
		"1,粮贸小区,1栋,1单元,101,张三,8613800000001,85.50\n" +
		"2,金融小区,A,2,301,李四,+86 851 12345678,60\n" +
		"3,武装部小区,3,,12,,,45.25\n"
	tab := strings.ReplaceAll(zh, ",", "\t")
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(zh)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"chinese":           zh,
		"chinese with BOM":  "\ufeff" + zh,
		"english":           en,
		"english with BOM":  "\ufeff" + en,
		"aliases and title": aliases,
		"tab separated":     tab,
		"GBK":               gbk,
		"CRLF":              strings.ReplaceAll(zh, "\n", "\r\n"),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := register.Read("Register.CSV", strings.NewReader(data), p)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestCSVRoundTrip(t *testing.T) {
	p := prog(t)
	hhs := register.GenerateSeed(p, 1)
	hhs[0].Owner = "=HYPERLINK(\"http://evil\")" // a formula is defused and comes back
	hhs[1].Owner = "@me"
	var buf bytes.Buffer
	if err := register.WriteCSV(&buf, p, hhs); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\ufeff小区,楼栋,单元,房号,户主,电话,面积\n")) {
		t.Fatalf("header: %q", buf.String()[:60])
	}
	if !strings.Contains(buf.String(), `"'=HYPERLINK(""http://evil"")"`) {
		t.Error("formula not defused")
	}
	got, err := register.Read("r.csv", &buf, p)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, hhs) {
		t.Fatal("CSV round trip changed the register")
	}
}

func TestWriteCSVSkipsRemoved(t *testing.T) {
	p := prog(t)
	hhs := register.GenerateSeed(p, 1)[:3]
	hhs[1].Removed = true
	var buf bytes.Buffer
	if err := register.WriteCSV(&buf, p, hhs); err != nil {
		t.Fatal(err)
	}
	got, err := register.Read("r.csv", &buf, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != hhs[0] || got[1] != hhs[2] {
		t.Fatalf("got %+v", got)
	}
}

// xlsx builds a workbook whose first sheet holds rows from A1.
func xlsx(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	// A second sheet, created first in the list of names but placed after:
	// only the first sheet is read.
	if _, err := f.NewSheet("其他"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetRow("其他", "A1", &[]any{"not", "the", "register"}); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestXLSXRoundTrip(t *testing.T) {
	p := prog(t)
	hhs := register.GenerateSeed(p, 3)
	rows := [][]any{{"小区", "楼栋", "单元", "房号", "户主", "电话", "面积(㎡)"}}
	for _, h := range hhs {
		c, _ := p.Compound(h.CompoundID)
		rows = append(rows, []any{c.Name, h.Building, h.Unit, h.Room, h.Owner, h.Phone, h.Area.String()})
	}
	got, err := register.Read("register.xlsx", bytes.NewReader(xlsx(t, rows)), p)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, hhs) {
		t.Fatal("XLSX round trip changed the register")
	}
}

func TestXLSXNumbersAndRows(t *testing.T) {
	p := prog(t)
	data := xlsx(t, [][]any{
		{"凤冈县2020年老旧小区改造摸底调查表"},
		{},
		{"Compound", "Building", "Unit", "Room", "Owner", "Phone", "Area"},
		{"粮贸小区", 1, 1, 101, "张三", 13800000001, 85.1},
		{"粮贸小区", 1, 1, 102, "李四", nil, 85.10000000000001},
		nil,
		{"粮贸小区", 1, 2, 301, "王五", "", 60},
	})
	got, err := register.Read("r.XLSX", bytes.NewReader(data), p)
	if err != nil {
		t.Fatal(err)
	}
	want := []renovote.Household{
		{CompoundID: "liangmao", ID: "1-1-101", Building: "1", Unit: "1", Room: "101", Owner: "张三", Phone: "13800000001", Area: 8510},
		{CompoundID: "liangmao", ID: "1-1-102", Building: "1", Unit: "1", Room: "102", Owner: "李四", Area: 8510},
		{CompoundID: "liangmao", ID: "1-2-301", Building: "1", Unit: "2", Room: "301", Owner: "王五", Area: 6000},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}

	// Problems name the row numbers of the sheet.
	data = xlsx(t, [][]any{
		{"标题"},
		{"小区", "楼栋", "单元", "房号", "户主", "电话", "面积"},
		{"粮贸小区", 1, 1, 101, "张三", 13800000001, 85.123},
		{},
		{"粮贸小区", 1, 1, 101, "李四", "", 80},
		{"月球小区", 1, 1, 102, "", "", 80},
	})
	hhs, err := register.Read("r.xlsx", bytes.NewReader(data), p)
	checkProblems(t, hhs, err, []problem{
		{"line 3", `area "85.123"`},
		{"line 3", "also on line 5"},
		{"line 5", "also on line 3"},
		{"line 6", `unknown compound "月球小区"`},
	})
}

func TestReadBadFiles(t *testing.T) {
	p := prog(t)
	for _, tc := range []struct{ name, data, msg string }{
		{"register.xls", "whatever", ".xls is not supported"},
		{"register.ods", "whatever", `unsupported file type ".ods"`},
		{"register", "whatever", `unsupported file type ""`},
		{"register.xlsx", "not a zip", "not a readable .xlsx workbook"},
		{"register.csv", "\xff\xfe\x00\x00\xff", "neither UTF-8 nor GBK"},
	} {
		hhs, err := register.Read(tc.name, strings.NewReader(tc.data), p)
		checkProblems(t, hhs, err, []problem{{"file", tc.msg}})
	}
}

func TestWriteInvitesCSV(t *testing.T) {
	var buf bytes.Buffer
	rows := []register.InviteRow{
		{Compound: "粮贸小区", Building: "1栋", Unit: "1单元", Room: "101", Link: "https://t.me/renovote_bot?start=abc"},
		{Compound: "金融小区", Building: "2栋", Unit: "", Room: "-1", Link: "https://t.me/renovote_bot?start=def"},
	}
	if err := register.WriteInvitesCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	want := "\ufeff小区,楼栋,单元,房号,链接\n" +
		"粮贸小区,1栋,1单元,101,https://t.me/renovote_bot?start=abc\n" +
		"金融小区,2栋,,'-1,https://t.me/renovote_bot?start=def\n"
	if buf.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrors(t *testing.T) {
	if err := register.WriteInvitesCSV(failWriter{}, nil); err == nil {
		t.Error("WriteInvitesCSV: no error")
	}
	p := prog(t)
	if err := register.WriteCSV(failWriter{}, p, register.GenerateSeed(p, 1)); err == nil {
		t.Error("WriteCSV: no error")
	}
}

func TestPhones(t *testing.T) {
	p := prog(t)
	cases := map[string]string{
		"13800000001":       "13800000001",
		"138 0000 0001":     "13800000001",
		"138-0000-0001":     "13800000001",
		"+8613800000001":    "13800000001",
		"+86 138 0000 0001": "13800000001",
		"8613800000001":     "13800000001",
		"008613800000001":   "13800000001",
		"１３８００００００01":       "13800000001",
		"19912345678":       "19912345678",
		"0851-12345678":     "0851-12345678",
		"085112345678":      "0851-12345678",
		"(0851) 2234567":    "0851-2234567",
		"010-12345678":      "010-12345678",
		"021 1234 5678":     "021-12345678",
		"+86 10 12345678":   "010-12345678",
		"":                  "",
	}
	var b strings.Builder
	b.WriteString(header)
	var ins []string
	for in := range cases {
		ins = append(ins, in)
	}
	slices.Sort(ins)
	for i, in := range ins {
		fmt.Fprintf(&b, "粮贸小区,1栋,1单元,%d,x,%q,80\n", 101+i, in)
	}
	hhs, err := register.Read("r.csv", strings.NewReader(b.String()), p)
	if err != nil {
		t.Fatal(err)
	}
	for i, in := range ins {
		if got := hhs[i].Phone; got != cases[in] {
			t.Errorf("%q -> %q, want %q", in, got, cases[in])
		}
	}

	bad := []string{"1380000000", "138000000011", "12800000001", "23800000001", "12345678", "0851-123456", "0851-123456789", "110", "+1 415 555 0100", "138000000O1", "13800000001/13900000002"}
	b.Reset()
	b.WriteString(header)
	var want []problem
	for i, in := range bad {
		fmt.Fprintf(&b, "粮贸小区,1栋,1单元,%d,x,%q,80\n", 101+i, in)
		want = append(want, problem{fmt.Sprintf("line %d", i+2), "phone (电话)"})
	}
	hhs, err = register.Read("r.csv", strings.NewReader(b.String()), p)
	checkProblems(t, hhs, err, want)
	// Phone problems never quote the number (personal data).
	for _, in := range bad {
		if strings.Contains(err.Error(), fmt.Sprintf("%q", in)) {
			t.Errorf("problem quotes the phone %q", in)
		}
	}
}
