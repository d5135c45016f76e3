package main

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/report"
)

// TestReportCompound: `renovote report -compound` reports one compound (by
// id or name) with its households; an unknown one is refused.
func TestReportCompound(t *testing.T) {
	setNow(t, inWindow)
	s := newStaff(t)
	s.seed()
	for _, name := range []string{"liangmao", "粮贸小区"} {
		var tb report.Tables
		if err := json.Unmarshal([]byte(s.ok("report", "-json", "-compound", name)), &tb); err != nil {
			t.Fatal(err)
		}
		if len(tb.Summary) != 1 || tb.Summary[0].CompoundID != "liangmao" || len(tb.Households) != 55 || tb.LeftOut != nil {
			t.Fatalf("-compound %s: %d summary rows, %d households, left out %+v", name, len(tb.Summary), len(tb.Households), tb.LeftOut)
		}
	}
	var tb report.Tables
	if err := json.Unmarshal([]byte(s.ok("report", "-json", "-detail")), &tb); err != nil {
		t.Fatal(err)
	}
	if len(tb.Households) != 808 || tb.LeftOut != nil {
		t.Fatalf("-detail: %d households, left out %+v", len(tb.Households), tb.LeftOut)
	}
	if err := s.fails("report", "-compound", "nosuch"); !errors.Is(err, renovote.ErrNotFound) {
		t.Fatalf("unknown compound: %v", err)
	}
}
