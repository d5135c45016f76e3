package renovote

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// The household parts one at a time, through the public HouseholdID: the
// other two parts empty normalise to "".
func buildingPart(s string) string { return strings.TrimSuffix(HouseholdID(s, "", ""), "--") }
func unitPart(s string) string {
	return strings.TrimSuffix(strings.TrimPrefix(HouseholdID("", s, ""), "-"), "-")
}
func roomPart(s string) string { return strings.TrimPrefix(HouseholdID("", "", s), "--") }

// asciiAlnum keeps the ASCII letters and digits of s.
func asciiAlnum(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return -1
	}, s)
}

// fullWidth writes the digits of s full-width (０-９), as some registers do.
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '０' + (r - '0')
		}
		return r
	}, s)
}

// FuzzHouseholdID checks the canonical household id (楼栋-单元-房号): it never
// panics, normalising a part twice gives what normalising it once gave, the
// id is the three normalised parts joined by "-", and an address written the
// usual ways (3栋2单元301室, ３号楼, 3 / 2 / 301) gives the id a worker types
// (3-2-301).
func FuzzHouseholdID(f *testing.F) {
	for _, s := range [][3]string{
		{"3", "2", "301"}, {"3栋", "2单元", "301室"}, {"１号楼", "１单元", "１０１"}, {" 5 幢 ", "", "102号"},
		{"A座", "", "1201"}, {"3楼", "", "2"}, {"", "", ""}, {"栋", "单元", "室"}, {"号楼", "单元单元", "号"},
		{"1栋栋", "2单元单元", "101号室"}, {"1号楼栋", "", "101室号"}, {"3-2", "1", "301"}, {"\u3000３\u3000栋", "２单元", "３０１\u3000室"},
		{"\xff栋", "\xe6\xa0", "3\xe5"}, {"西区3栋", "东单元", "地下室"}, {"12 号 楼", "3 单 元", "4 0 1"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, building, unit, room string) {
		id := HouseholdID(building, unit, room)
		b, u, r := buildingPart(building), unitPart(unit), roomPart(room)
		if want := b + "-" + u + "-" + r; id != want {
			t.Fatalf("HouseholdID(%q, %q, %q) = %q, not its parts joined %q", building, unit, room, id, want)
		}
		for _, c := range []struct {
			name     string
			part     func(string) string
			in, once string
		}{{"building", buildingPart, building, b}, {"unit", unitPart, unit, u}, {"room", roomPart, room, r}} {
			if twice := c.part(c.once); twice != c.once {
				t.Errorf("%s %q: normalised once %q, twice %q", c.name, c.in, c.once, twice)
			}
			if c.once != strings.TrimSpace(c.once) {
				t.Errorf("%s %q: normalised %q keeps surrounding space", c.name, c.in, c.once)
			}
			if utf8.ValidString(c.in) && !utf8.ValidString(c.once) {
				t.Errorf("%s %q: normalised %q is not valid UTF-8", c.name, c.in, c.once)
			}
		}
		if id != HouseholdID(b, u, r) {
			t.Errorf("HouseholdID of the normalised parts %q %q %q = %q, want %q", b, u, r, HouseholdID(b, u, r), id)
		}

		// Valid references round-trip: plain parts, with or without their
		// suffixes and full-width digits, give "building-unit-room".
		pb, pu, pr := asciiAlnum(building), asciiAlnum(unit), asciiAlnum(room)
		if pb == "" || pr == "" {
			return
		}
		want := pb + "-" + pu + "-" + pr
		for _, in := range [][3]string{
			{pb, pu, pr},
			{pb + "栋", pu + "单元", pr + "室"},
			{pb + "号楼", pu + "单元", pr + "号"},
			{" " + fullWidth(pb) + " 幢", fullWidth(pu), fullWidth(pr) + "室 "},
		} {
			if pu == "" {
				in[1] = ""
			}
			if got := HouseholdID(in[0], in[1], in[2]); got != want {
				t.Errorf("HouseholdID(%q, %q, %q) = %q, want %q", in[0], in[1], in[2], got, want)
			}
		}
	})
}
