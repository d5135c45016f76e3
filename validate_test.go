package renovote

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Photos are checked alike for survey answers and problem reports.
func TestPhotoValidation(t *testing.T) {
	long := strings.Repeat("长", MaxCaptionRunes+1)
	for _, tc := range []struct {
		name   string
		photos []Photo
		want   []string // problem paths
	}{
		{"none", nil, nil},
		{"five", make5(), nil},
		{"six", append(make5(), Photo{FileID: "f6"}), []string{"photos"}},
		{"no file", []Photo{{Caption: "x"}}, []string{"photos[0]"}},
		{"long caption", []Photo{{FileID: "f", Caption: long}}, []string{"photos[0].caption"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref := HouseholdRef{"c", "1-1-101"}
			r := Report{CompoundID: "c", Household: ref, Where: PublicArea, Text: "灯坏了", Photos: tc.photos}
			a := SurveyAnswer{Ref: ref, Photos: tc.photos, Actor: "tg:1", At: time.Unix(1, 0)}
			for what, err := range map[string]error{"report": r.Validate(), "survey": a.Validate(Programme{})} {
				var v *ValidationError
				if len(tc.want) == 0 {
					if err != nil {
						t.Errorf("%s: %v", what, err)
					}
					continue
				}
				if !errors.As(err, &v) || !errors.Is(err, ErrInvalid) {
					t.Fatalf("%s: %v, want a validation error", what, err)
				}
				var got []string
				for _, p := range v.Problems {
					got = append(got, p.Path)
				}
				if strings.Join(got, ",") != strings.Join(tc.want, ",") {
					t.Errorf("%s: problems at %v, want %v", what, got, tc.want)
				}
			}
		})
	}
}

func make5() []Photo {
	out := make([]Photo, 5)
	for i := range out {
		out[i] = Photo{FileID: "f" + itoa(int64(i))}
	}
	return out
}
