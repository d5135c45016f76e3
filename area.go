package renovote

import (
	"fmt"
	"strconv"
	"strings"
)

// Area is a floor area in hundredths of a square metre (0.01 m²), so sums and
// comparisons are exact.
type Area int64

// ParseArea reads a decimal number of square metres with at most two decimals,
// such as "85", "85.5" or "85.25". It rejects negative, zero, non-numeric input and
// more than two decimals. Full-width digits and a trailing "m²"/"平方米"/"㎡" are accepted.
func ParseArea(s string) (Area, error) {
	s = normalizeDigits(strings.TrimSpace(s))
	for _, suf := range []string{"平方米", "m²", "m2", "㎡"} {
		s = strings.TrimSpace(strings.TrimSuffix(s, suf))
	}
	if s == "" {
		return 0, fmt.Errorf("area %q: empty: %w", s, ErrInvalid)
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || (hasDot && frac == "") || len(frac) > 2 || !allDigits(whole) || !allDigits(frac) {
		return 0, fmt.Errorf("area %q: not a number with at most two decimals: %w", s, ErrInvalid)
	}
	if len(whole) > 9 {
		return 0, fmt.Errorf("area %q: too large: %w", s, ErrInvalid)
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	a := Area(w*100 + f)
	if a <= 0 {
		return 0, fmt.Errorf("area %q: must be positive: %w", s, ErrInvalid)
	}
	return a, nil
}

// String formats the area in m² with two decimals, e.g. "85.50".
func (a Area) String() string {
	sign := ""
	if a < 0 {
		sign, a = "-", -a
	}
	return fmt.Sprintf("%s%d.%02d", sign, int64(a)/100, int64(a)%100)
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// normalizeDigits turns full-width digits and the full-width full stop into ASCII.
func normalizeDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == '．':
			return '.'
		}
		return r
	}, s)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
