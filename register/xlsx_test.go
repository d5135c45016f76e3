package register

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestWriteXLSX(t *testing.T) {
	header := []string{"小区", "楼栋", "房号", "电话"}
	rows := [][]string{{"粮贸小区", "3栋", "0301", "13800000001"}, {"粮贸小区", "3栋", "302", ""}}
	data, err := WriteXLSX("未投票", header, rows)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows("未投票")
	if err != nil {
		t.Fatal(err)
	}
	want := append([][]string{header}, rows...)
	want[2] = want[2][:3] // trailing empty cells are not returned
	if len(got) != len(want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Errorf("cell %d,%d = %q, want %q (text kept exactly)", i, j, got[i][j], want[i][j])
			}
		}
	}
	panes, err := f.GetPanes("未投票")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header not frozen: %+v %v", panes, err)
	}
}

func TestSheetName(t *testing.T) {
	for in, want := range map[string]string{"粮贸小区": "粮贸小区", "a/b:c": "a_b_c", "": "Sheet1",
		"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二": "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一"} {
		if got := sheetName(in); got != want {
			t.Errorf("sheetName(%q) = %q, want %q", in, got, want)
		}
	}
}
