package renovote

import (
	"errors"
	"testing"
)

func TestParseArea(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Area
		ok   bool
	}{
		{"85", 8500, true}, {"85.5", 8550, true}, {"85.25", 8525, true}, {" 60.00 ", 6000, true},
		{"８５．５", 8550, true}, {"72.3㎡", 7230, true}, {"72.3平方米", 7230, true},
		{"0", 0, false}, {"0.00", 0, false}, {"-5", 0, false}, {"abc", 0, false}, {"", 0, false},
		{"85.123", 0, false}, {"1e3", 0, false}, {".5", 0, false}, {"5.", 0, false}, {"1,000", 0, false},
	} {
		got, err := ParseArea(tc.in)
		if tc.ok && (err != nil || got != tc.want) {
			t.Errorf("ParseArea(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if !tc.ok && (err == nil || !errors.Is(err, ErrInvalid)) {
			t.Errorf("ParseArea(%q) = %v, %v; want ErrInvalid", tc.in, got, err)
		}
	}
	if s := Area(8550).String(); s != "85.50" {
		t.Errorf("String = %q", s)
	}
}

func TestRecountOwners(t *testing.T) {
	hh := []Household{
		{CompoundID: "c", ID: "1-1-101", Owner: "甲", Phone: "13800000001", Area: 5000},
		{CompoundID: "c", ID: "1-1-102", Owner: "甲", Phone: "13800000001", Area: 6000}, // same owner
		{CompoundID: "c", ID: "1-1-201", Owner: "乙", Area: 7000},
		{CompoundID: "c", ID: "1-1-202", Owner: "丙", Area: 8000, Removed: true},
	}
	votes := map[string]Choice{"1-1-101": ChoiceAgree, "1-1-102": ChoiceDisagree, "1-1-201": ChoiceAgree, "1-1-202": ChoiceAgree}
	got := Recount("c", hh, votes, map[string]bool{"1-1-101": true})
	want := Tally{CompoundID: "c", Households: 3, Area: 18000, Owners: 2, Bound: 1, Voted: 3, Agree: 2, Disagree: 1,
		VotedArea: 18000, AgreeArea: 12000, VotedOwners: 2, AgreeOwners: 1}
	if got != want {
		t.Fatalf("Recount = %+v\nwant %+v", got, want)
	}
}

func TestInviteCode(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c := NewInviteCode()
		if !ValidInviteCode(c) || seen[c] {
			t.Fatalf("bad or repeated code %q", c)
		}
		seen[c] = true
	}
	for _, bad := range []string{"", "short", "AAAAAAAAAAAAAAAAAAAAA!", "AAAAAAAAAAAAAAAAAAAAAAA"} {
		if ValidInviteCode(bad) {
			t.Errorf("ValidInviteCode(%q) = true", bad)
		}
	}
}

func TestHouseholdID(t *testing.T) {
	for _, tc := range [][4]string{
		{"1栋", "1单元", "101", "1-1-101"},
		{"1", "1", "101室", "1-1-101"},
		{"１号楼", "２单元", "３０１", "1-2-301"},
		{" A座 ", "", "5号", "A-" + "-5"},
		{"栋", "单元", "室", "栋-单元-室"},
	} {
		if got := HouseholdID(tc[0], tc[1], tc[2]); got != tc[3] {
			t.Errorf("HouseholdID(%q,%q,%q) = %q, want %q", tc[0], tc[1], tc[2], got, tc[3])
		}
	}
}
