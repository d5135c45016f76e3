package programme_test

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/programme"
)

// The seed's publicity window (公示期) opens the morning after its ballot
// closes and runs seven days.
func TestSeedPublicity(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	opens := time.Date(2020, 5, 21, 8, 0, 0, 0, sh)
	closes := time.Date(2020, 5, 28, 0, 0, 0, 0, sh) // 27 May 24:00
	for _, c := range programme.Seed().Compounds {
		if !c.HasPublicity() || !c.Publicity.Opens.Equal(opens) || !c.Publicity.Closes.Equal(closes) {
			t.Errorf("%s: publicity %v – %v, want %v – %v", c.ID, c.Publicity.Opens, c.Publicity.Closes, opens, closes)
		}
		if c.Publicity.Opens.Before(c.Ballot.Closes) {
			t.Errorf("%s: publicity opens before the ballot closes", c.ID)
		}
	}
}

// A compound inherits the programme's publicity window bound by bound, like
// the survey's; none at all means no window.
func TestPublicityInherited(t *testing.T) {
	y := strings.Replace(minimal, "compounds:\n", `publicity:
  opens: 2020-05-21 08:00
  closes: 2020-05-27
compounds:
  - id: b
    name: B
    publicity: {closes: 2020-05-30}
  - id: c
    name: C
    publicity: {opens: 2020-05-22, closes: 2020-05-25 18:00}
  - id: d
    name: D
    publicity: {}
`, 1)
	p, err := programme.Parse([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	day := func(d, h int) time.Time { return time.Date(2020, 5, d, h, 0, 0, 0, sh) }
	want := map[string][2]time.Time{
		"a": {day(21, 8), day(28, 0)},
		"b": {day(21, 8), day(31, 0)},
		"c": {day(22, 0), day(25, 18)},
		"d": {day(21, 8), day(28, 0)},
	}
	for _, c := range p.Compounds {
		w := want[c.ID]
		if !c.Publicity.Opens.Equal(w[0]) || !c.Publicity.Closes.Equal(w[1]) {
			t.Errorf("%s: publicity %v – %v, want %v – %v", c.ID, c.Publicity.Opens, c.Publicity.Closes, w[0], w[1])
		}
	}

	none, err := programme.Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if c := none.Compounds[0]; c.HasPublicity() || c.Publicity != (renovote.Window{}) {
		t.Errorf("no publicity in the file, got %+v", c.Publicity)
	}
}

func TestPublicityProblems(t *testing.T) {
	type want struct {
		path, msg string
		line      int
	}
	for _, tc := range []struct {
		name string
		yaml string
		want []want
	}{
		{
			name: "compound publicity closes before opens",
			yaml: strings.Replace(minimal, "    name: A\n", "    name: A\n    publicity: {opens: 2020-06-01 08:00, closes: 2020-05-31}\n", 1),
			want: []want{{"compounds[0].publicity", "closes must be after opens", 9}},
		},
		{
			name: "programme publicity with one bound, inherited by two compounds",
			yaml: strings.Replace(minimal, "compounds:\n", "publicity:\n  opens: 2020-05-21\ncompounds:\n  - {id: b, name: B}\n", 1),
			want: []want{{"publicity", "opens and closes are both required", 6}},
		},
		{
			name: "publicity before the ballot",
			yaml: strings.Replace(minimal, "    name: A\n", "    name: A\n    publicity: {opens: 2020-04-30, closes: 2020-05-27}\n", 1),
			want: []want{{"compounds[0].publicity", "opens before the ballot opens", 9}},
		},
		{
			name: "bad dates and fields",
			yaml: strings.Replace(strings.Replace(minimal, "    name: A\n", "    name: A\n    publicity: {opens: 2020-05-32, until: 2020-06-01}\n", 1),
				"compounds:\n", "publicity: {opens: 2020-05-21, closes: 27 May}\ncompounds:\n", 1),
			want: []want{
				{"publicity.closes", `not a date-time "27 May"`, 6},
				{"compounds[0].publicity.opens", `not a date-time "2020-05-32": day out of range`, 10},
				{"compounds[0].publicity.until", `unknown field "until" (known: opens, closes)`, 10},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := programme.Parse([]byte(tc.yaml))
			var v *renovote.ValidationError
			if !errors.As(err, &v) {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			if len(v.Problems) != len(tc.want) {
				t.Errorf("%d problems, want %d:\n%v", len(v.Problems), len(tc.want), err)
			}
			for _, w := range tc.want {
				i := slices.IndexFunc(v.Problems, func(p renovote.Problem) bool {
					return p.Path == w.path && strings.Contains(p.Msg, w.msg)
				})
				if i < 0 {
					t.Errorf("no problem %s: …%s…\n%v", w.path, w.msg, err)
					continue
				}
				if !strings.HasSuffix(v.Problems[i].Msg, "(line "+strconv.Itoa(w.line)+")") {
					t.Errorf("%s: message %q lacks (line %d)", w.path, v.Problems[i].Msg, w.line)
				}
			}
		})
	}
}
