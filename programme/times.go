package programme

import (
	"errors"
	"fmt"
	"strings"
	"time"

	// Time zone data is embedded so that time_zone works on machines (and
	// containers) without a zoneinfo database.
	_ "time/tzdata"

	"github.com/renovote/renovote"
)

// DefaultTimeZone is the time zone of a programme file without time_zone.
const DefaultTimeZone = "Asia/Shanghai"

// TimeError is the error of ParseTime. It matches renovote.ErrInvalid.
type TimeError struct {
	Value  string
	Reason string
}

func (e *TimeError) Error() string {
	return fmt.Sprintf("not a date-time %q: %s", e.Value, e.Reason)
}

func (e *TimeError) Is(target error) bool { return target == renovote.ErrInvalid }

const formatsHint = "want 2020-05-01, 2020-05-01 08:00, 2020-05-01T08:00:00 or RFC 3339 with an offset"

// ParseTime reads a date-time of a programme file in loc. It accepts
// "2006-01-02", "2006-01-02 15:04", "2006-01-02 15:04:05", the same with "T"
// instead of the space, and RFC 3339 with an offset ("Z", "+08:00"), which
// ignores loc. A date alone is the start of that day, or when end is true the
// end of it, i.e. the next day at 00:00 in loc (an exclusive bound).
func ParseTime(s string, loc *time.Location, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	orig := s
	if len(s) > 10 && s[10] == ' ' {
		s = s[:10] + "T" + s[11:]
	}
	if loc == nil {
		loc = time.UTC
	}
	fail := func(err error) (time.Time, error) {
		reason := formatsHint
		var pe *time.ParseError
		if errors.As(err, &pe) && pe.Message != "" {
			reason = strings.TrimPrefix(pe.Message, ": ")
		}
		return time.Time{}, &TimeError{Value: orig, Reason: reason}
	}
	if len(s) == len("2006-01-02") {
		t, err := time.ParseInLocation(time.DateOnly, s, loc)
		if err != nil {
			return fail(err)
		}
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return inRange(t, orig)
	}
	if len(s) > 19 && (strings.HasSuffix(s, "Z") || strings.HasSuffix(s, "z") || strings.ContainsAny(s[19:], "+-")) {
		t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s))
		if err != nil {
			return fail(err)
		}
		return inRange(t, orig)
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if len(s) == len(layout) {
			t, err := time.ParseInLocation(layout, s, loc)
			if err != nil {
				return fail(err)
			}
			return inRange(t, orig)
		}
	}
	return time.Time{}, &TimeError{Value: orig, Reason: formatsHint}
}

// inRange refuses a time the store cannot keep exactly: programmes are
// stored as JSON, whose times are RFC 3339 (a year of four digits, an offset
// in whole minutes, which local mean time before 1901 is not). A programme's
// dates lie between 1970 and 9999.
func inRange(t time.Time, orig string) (time.Time, error) {
	if y := t.Year(); y < 1970 || y > 9999 {
		return time.Time{}, &TimeError{Value: orig, Reason: fmt.Sprintf("year %d out of range (1970 to 9999)", y)}
	}
	if _, off := t.Zone(); off%60 != 0 {
		return time.Time{}, &TimeError{Value: orig, Reason: "the time zone's offset on that day is not in whole minutes"}
	}
	return t, nil
}
