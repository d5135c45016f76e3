package store

import "strings"

// NaturalCompare compares two strings, taking runs of ASCII digits as numbers:
// "2" < "10", "3栋" < "12栋", "101" < "1001". Equal numbers with different
// leading zeros order by the shorter first. It returns -1, 0 or +1.
func NaturalCompare(a, b string) int {
	for a != "" && b != "" {
		if isDigit(a[0]) && isDigit(b[0]) {
			da, ra := digitRun(a)
			db, rb := digitRun(b)
			ta, tb := strings.TrimLeft(da, "0"), strings.TrimLeft(db, "0")
			if len(ta) != len(tb) {
				return sign(len(ta) - len(tb))
			}
			if c := strings.Compare(ta, tb); c != 0 {
				return c
			}
			if len(da) != len(db) {
				return sign(len(da) - len(db))
			}
			a, b = ra, rb
			continue
		}
		// Compare up to the next digit in either string, byte by byte (UTF-8
		// byte order is code point order).
		if a[0] != b[0] {
			return sign(int(a[0]) - int(b[0]))
		}
		a, b = a[1:], b[1:]
	}
	return sign(len(a) - len(b))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digitRun(s string) (run, rest string) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
