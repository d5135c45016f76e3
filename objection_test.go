package renovote

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestObjectionValidate(t *testing.T) {
	ref := HouseholdRef{"c", "3-2-301"}
	ok := Objection{CompoundID: "c", Household: ref, UserID: 7, Text: "我家投的是同意，记录成了不同意。"}
	for _, tc := range []struct {
		name string
		edit func(*Objection)
		want string // the problem's path, "" for none
	}{
		{"fine", func(*Objection) {}, ""},
		{"at the limit", func(o *Objection) { o.Text = strings.Repeat("异", MaxObjectionRunes) }, ""},
		{"too long", func(o *Objection) { o.Text = strings.Repeat("异", MaxObjectionRunes+1) }, "text"},
		{"blank", func(o *Objection) { o.Text = " \n\t" }, "text"},
		{"bad utf-8", func(o *Objection) { o.Text = "a\xffb" }, "text"},
		{"other compound", func(o *Objection) { o.CompoundID = "d" }, "household"},
		{"no household", func(o *Objection) { o.Household.HouseholdID = "" }, "household"},
		{"no user", func(o *Objection) { o.UserID = 0 }, "user"},
		{"odd status", func(o *Objection) { o.Status = "lost" }, "status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := ok
			tc.edit(&o)
			err := o.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			var v *ValidationError
			if !errors.As(err, &v) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate = %v, want a validation error", err)
			}
			if len(v.Problems) != 1 || v.Problems[0].Path != tc.want {
				t.Fatalf("problems %v, want one at %q", v.Problems, tc.want)
			}
		})
	}
}

func TestObjectionAnswer(t *testing.T) {
	at := time.Date(2020, 5, 22, 9, 0, 0, 0, time.UTC)
	o := Objection{ID: "O1", Status: ObjectionOpen}
	got, err := o.Answer("tg:900", "已核对纸质票，记录无误。", at)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != ObjectionAnswered || got.AnsweredBy != "tg:900" || !got.Answered.Equal(at) || got.Note == "" {
		t.Fatalf("answered = %+v", got)
	}
	if o.Status != ObjectionOpen {
		t.Fatal("Answer changed its receiver")
	}
	if _, err := got.Answer("tg:901", "", at); !errors.Is(err, ErrConflict) {
		t.Errorf("answering again: %v, want ErrConflict", err)
	}
	if _, err := o.Answer("", "", at); !errors.Is(err, ErrInvalid) {
		t.Errorf("no actor: %v, want ErrInvalid", err)
	}
	if _, err := o.Answer("tg:900", "", time.Time{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("no time: %v, want ErrInvalid", err)
	}
	if _, err := o.Answer("tg:900", strings.Repeat("注", MaxObjectionNoteRunes+1), at); !errors.Is(err, ErrInvalid) {
		t.Errorf("long note: %v, want ErrInvalid", err)
	}
}

// The publicity window is optional, needs both bounds, closes after it opens
// and cannot open before the ballot does.
func TestPublicityWindowValidate(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2020, 5, d, 0, 0, 0, 0, time.UTC) }
	base := Programme{ID: "p", Name: "P", Compounds: []Compound{{ID: "c", Name: "C", Rule: DefaultRule(),
		Ballot: Window{Opens: day(1), Closes: day(21)}}}}
	for _, tc := range []struct {
		name string
		w    Window
		want string
	}{
		{"none", Window{}, ""},
		{"after the ballot", Window{Opens: day(21), Closes: day(28)}, ""},
		{"during the ballot", Window{Opens: day(10), Closes: day(28)}, ""},
		{"only opens", Window{Opens: day(21)}, "opens and closes are both required"},
		{"only closes", Window{Closes: day(28)}, "opens and closes are both required"},
		{"backwards", Window{Opens: day(28), Closes: day(21)}, "closes must be after opens"},
		{"before the ballot", Window{Opens: day(1).Add(-time.Hour), Closes: day(28)}, "opens before the ballot opens"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := base
			p.Compounds = []Compound{base.Compounds[0]}
			p.Compounds[0].Publicity = tc.w
			err := p.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := p.Compounds[0].HasPublicity(); got != (tc.w != Window{}) {
					t.Errorf("HasPublicity = %v", got)
				}
				return
			}
			var v *ValidationError
			if !errors.As(err, &v) || len(v.Problems) != 1 || v.Problems[0].Path != "compounds[0].publicity" ||
				!strings.Contains(v.Problems[0].Msg, tc.want) {
				t.Fatalf("Validate = %v, want %q at compounds[0].publicity", err, tc.want)
			}
		})
	}
}
