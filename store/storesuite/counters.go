package storesuite

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/renovote/renovote"
)

// voteAndAnswer casts some votes and survey answers in every compound of the
// fixture, so that tallies and survey counters differ between compounds.
func voteAndAnswer(t testing.TB, s Store, regs map[string][]renovote.Household) {
	t.Helper()
	ctx := context.Background()
	for c, hhs := range regs {
		for i, h := range hhs {
			switch {
			case i%3 == 0:
				_, err := s.CastVote(ctx, cmd(h.Ref(), renovote.ChoiceAgree, during))
				must(t, err)
			case i%5 == 1:
				_, err := s.CastVote(ctx, cmd(h.Ref(), renovote.ChoiceDisagree, during))
				must(t, err)
			}
			if i%4 == 0 && c != small {
				building := []string{"roof_repair", "facade_leaks", "stairwell_repair"}[:1+i%3]
				must(t, s.SubmitSurvey(ctx, answer(h.Ref(), surveyDuring, building, []string{"roads"}, []string{"energy_saving"}, ""), nextOp()))
			}
		}
	}
}

// checkCounters compares Counters and Tallies of ids with Tally and
// SurveyCounts read one compound at a time.
func checkCounters(t *testing.T, s Store, ids []string) {
	t.Helper()
	ctx := context.Background()
	tallies, counts, err := s.Counters(ctx, ids)
	must(t, err)
	alone, err := s.Tallies(ctx, ids)
	must(t, err)
	if len(tallies) != len(ids) || len(counts) != len(ids) || len(alone) != len(ids) {
		t.Fatalf("%d ids: %d tallies, %d survey counts, %d tallies alone", len(ids), len(tallies), len(counts), len(alone))
	}
	want := map[string]renovote.Tally{}
	wantCounts := map[string]renovote.SurveyCounts{}
	for _, id := range ids {
		if _, ok := want[id]; ok {
			continue
		}
		want[id] = checkTally(t, s, id)
		c, err := s.SurveyCounts(ctx, id)
		must(t, err)
		wantCounts[id] = c
	}
	for i, id := range ids {
		if tallies[i] != want[id] || alone[i] != want[id] {
			t.Fatalf("ids[%d] %s: Counters %+v, Tallies %+v, want %+v", i, id, tallies[i], alone[i], want[id])
		}
		if !reflect.DeepEqual(counts[i], wantCounts[id]) {
			t.Fatalf("ids[%d] %s: survey counts %+v, want %+v", i, id, counts[i], wantCounts[id])
		}
	}
}

// TestCounters: the batch reads return, in the order asked, what Tally and
// SurveyCounts return one compound at a time, also across several pipelines
// and for a compound asked twice.
func TestCounters(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	voteAndAnswer(t, s, regs)
	checkCounters(t, s, []string{lm, small, lzy, lm})

	var many []string
	for i := range 2*counterBatch + 3 {
		many = append(many, []string{lzy, lm, small}[i%3])
	}
	checkCounters(t, s, many)

	tallies, counts, err := s.Counters(context.Background(), nil)
	if err != nil || len(tallies) != 0 || len(counts) != 0 {
		t.Fatalf("no ids: %v %v %v", tallies, counts, err)
	}
	if c, _, _ := s.Counters(context.Background(), []string{lzy}); c[0].Voted == 0 || c[0].Households != 220 {
		t.Fatalf("fixture without votes: %+v", c[0])
	}
}

// TestCountersErrors: an unknown compound is ErrNotFound and a malformed id
// ErrInvalid, anywhere in the list, and the error names the compound.
func TestCountersErrors(t *testing.T) {
	t.Parallel()
	s, _ := setup(t)
	ctx := context.Background()
	ids := make([]string, counterBatch+2)
	for i := range ids {
		ids[i] = lm
	}
	ids[len(ids)-1] = "nosuch"
	_, _, err := s.Counters(ctx, ids)
	wantErr(t, err, renovote.ErrNotFound)
	if !strings.Contains(err.Error(), "nosuch") {
		t.Fatalf("error %q does not name the compound", err)
	}
	_, err = s.Tallies(ctx, []string{"nosuch"})
	wantErr(t, err, renovote.ErrNotFound)
	_, err = s.Tallies(ctx, []string{lm, "bad{id}"})
	wantErr(t, err, renovote.ErrInvalid)
	_, _, err = s.Counters(ctx, []string{""})
	wantErr(t, err, renovote.ErrInvalid)
}
