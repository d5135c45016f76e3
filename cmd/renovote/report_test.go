package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/renovote/renovote/report"
)

// TestReport: `renovote report` after paper ballots in liangmao writes the
// bureau's tables as JSON, XLSX and CSV; names and phones only with -personal.
func TestReport(t *testing.T) {
	setNow(t, inWindow)
	s := newStaff(t)
	s.seed()
	hhs := seedHouseholds(t, "liangmao")
	for i, h := range hhs[:3] {
		choice := "agree"
		if i == 2 {
			choice = "disagree"
		}
		s.ok("paper", "liangmao", h.ID, choice, "-by", "王芳")
	}

	var tb report.Tables
	if err := json.Unmarshal([]byte(s.ok("report", "-json")), &tb); err != nil {
		t.Fatal(err)
	}
	if len(tb.Summary) != len(seedCompounds) {
		t.Fatalf("summary rows %d", len(tb.Summary))
	}
	lm := tb.Summary[0]
	if lm.CompoundID != "liangmao" || lm.Households != 55 || lm.Voted != 3 || lm.Agree != 2 || lm.Disagree != 1 || lm.Pass ||
		lm.Tests[0].Needed != seedCompounds[0].needed-2 {
		t.Fatalf("liangmao %+v", lm)
	}
	if len(tb.Households) != 808 || tb.Households[0].Owner != "" || tb.Personal {
		t.Fatalf("households %d, personal %v, first %+v", len(tb.Households), tb.Personal, tb.Households[0])
	}
	var paper int
	for _, h := range tb.Households {
		if h.Channel == "paper" {
			paper++
			if !strings.Contains(h.EnteredBy, "王芳") {
				t.Fatalf("paper ballot entered by %q", h.EnteredBy)
			}
		}
	}
	if paper != 3 {
		t.Fatalf("%d paper ballots in the report", paper)
	}

	text := s.ok("report")
	wantContains(t, "report text", text, "粮贸小区", "总户数 55", "未通过", "还需 35")

	dir := t.TempDir()
	xlsx := filepath.Join(dir, "report.xlsx")
	csvDir := filepath.Join(dir, "csv")
	s.ok("report", "-xlsx", xlsx, "-csv", csvDir, "-personal")
	data, err := os.ReadFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "汇总,楼栋,调查结果,住户明细" {
		t.Fatalf("sheets %s", got)
	}
	if v, _ := f.GetCellValue("住户明细", "I1"); v != "户主" {
		t.Fatalf("personal workbook: I1 %q", v)
	}
	if v, _ := f.GetCellValue("住户明细", "I2"); v == "" {
		t.Fatal("personal workbook without the owner")
	}
	for _, name := range []string{"summary.csv", "buildings.csv", "survey.csv", "households.csv"} {
		b, err := os.ReadFile(filepath.Join(csvDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("\uFEFF")) {
			t.Fatalf("%s: no BOM", name)
		}
	}
	if err := s.fails("report", "extra"); err == nil {
		t.Fatal("stray argument accepted")
	}
}
