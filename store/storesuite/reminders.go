package storesuite

import (
	"context"
	"slices"
	"testing"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/programme"
)

// TakeReminders counts below the cap only, once per op id.
func TestTakeRemindersCapAndReplay(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	if err := st.ApplyProgramme(ctx, programme.Seed()); err != nil {
		t.Fatal(err)
	}
	hh := []string{"a", "b"}
	for i, op := range []string{"op1", "op1", "op2", "op3"} {
		capAt := 2
		got, err := st.TakeReminders(ctx, "liangmao", renovote.BallotWindow, op, capAt, hh)
		if err != nil {
			t.Fatal(err)
		}
		want := hh
		if i == 3 {
			want = nil
		}
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("take %d (%s): %v, want %v", i, op, got, want)
		}
	}
	c, err := st.ReminderCounts(ctx, "liangmao", renovote.BallotWindow)
	if err != nil {
		t.Fatal(err)
	}
	if c["a"] != 2 || c["b"] != 2 {
		t.Errorf("counts %v", c)
	}
	if s, _ := st.ReminderCounts(ctx, "liangmao", renovote.SurveyWindow); len(s) != 0 {
		t.Errorf("survey counts %v", s)
	}
}
