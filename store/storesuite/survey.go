package storesuite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

// answer builds a survey answer of the fixture menu.
func answer(ref renovote.HouseholdRef, at time.Time, building, public []string, upgrades []string, band string) renovote.SurveyAnswer {
	a := renovote.SurveyAnswer{Ref: ref, Upgrades: upgrades, Actor: "tg:1", At: at}
	if len(building)+len(public) > 0 {
		a.Urgent = map[string][]string{}
		if len(building) > 0 {
			a.Urgent["building"] = building
		}
		if len(public) > 0 {
			a.Urgent["public"] = public
		}
	}
	if band != "" {
		a.Contribute, a.Band = true, band
	}
	return a
}

// randomAnswer returns a random valid answer of the fixture menu.
func randomAnswer(rng *rand.Rand, ref renovote.HouseholdRef, at time.Time) renovote.SurveyAnswer {
	menu := testMenu()
	a := renovote.SurveyAnswer{Ref: ref, Actor: "tg:1", At: at}
	for _, part := range menu.Parts {
		var must []string
		for _, it := range part.Items {
			if it.Class == "must" {
				must = append(must, it.ID)
			} else if rng.IntN(3) == 0 {
				a.Upgrades = append(a.Upgrades, it.ID)
			}
		}
		rng.Shuffle(len(must), func(i, j int) { must[i], must[j] = must[j], must[i] })
		if n := rng.IntN(renovote.MaxUrgent + 1); n > 0 {
			if a.Urgent == nil {
				a.Urgent = map[string][]string{}
			}
			a.Urgent[part.ID] = must[:n]
		}
	}
	if rng.IntN(2) == 0 {
		a.Contribute = true
		a.Band = renovote.DefaultContributionBands[rng.IntN(len(renovote.DefaultContributionBands))].ID
	}
	if rng.IntN(3) == 0 {
		a.Comment = fmt.Sprintf("楼道灯坏了 %d", rng.IntN(100))
	}
	for range rng.IntN(3) {
		a.Photos = append(a.Photos, renovote.Photo{FileID: fmt.Sprintf("photo%d", rng.IntN(1000))})
	}
	return a
}

var surveyOps atomic.Int64

func newOp() string { return fmt.Sprintf("test:survey:%d", surveyOps.Add(1)) }

// checkSurvey asserts that the survey counters equal the recount from scratch.
func checkSurvey(t testing.TB, s Store, compoundID string) renovote.SurveyCounts {
	t.Helper()
	ctx := context.Background()
	got, err := s.SurveyCounts(ctx, compoundID)
	must(t, err)
	want, err := s.RecountSurvey(ctx, compoundID)
	must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: survey counters differ from recount:\n got %+v\nwant %+v", compoundID, got, want)
	}
	return got
}

type surveyState struct {
	counts  renovote.SurveyCounts
	answers []renovote.SurveyAnswer
	audit   int
}

func surveySnapshot(t testing.TB, s Store, compoundID string) surveyState {
	t.Helper()
	ctx := context.Background()
	c, err := s.SurveyCounts(ctx, compoundID)
	must(t, err)
	as, err := s.SurveyAnswers(ctx, compoundID)
	must(t, err)
	au, err := s.SurveyAudit(ctx, compoundID)
	must(t, err)
	return surveyState{c, as, len(au)}
}

func TestSurveyCounters(t *testing.T) {
	type step struct {
		hh int
		a  func(ref renovote.HouseholdRef, at time.Time) renovote.SurveyAnswer
	}
	roofFirst := func(ref renovote.HouseholdRef, at time.Time) renovote.SurveyAnswer {
		return answer(ref, at, []string{"roof_repair", "facade_leaks"}, []string{"parking"}, []string{"energy_saving"}, "lt500")
	}
	roofSecond := func(ref renovote.HouseholdRef, at time.Time) renovote.SurveyAnswer {
		return answer(ref, at, []string{"facade_leaks", "roof_repair", "stairwell_repair"}, nil, nil, "")
	}
	full := func(ref renovote.HouseholdRef, at time.Time) renovote.SurveyAnswer {
		a := answer(ref, at, []string{"roof_repair", "facade_leaks", "fire_safety_building"},
			[]string{"parking", "roads", "greening"}, []string{"security_doors", "ev_charging", "parcel_lockers"}, "gt2000")
		a.Comment = "希望尽快改造"
		a.Photos = []renovote.Photo{{FileID: "a"}, {FileID: "b", Caption: "屋顶漏水"}}
		return a
	}
	empty := func(ref renovote.HouseholdRef, at time.Time) renovote.SurveyAnswer {
		return answer(ref, at, nil, nil, nil, "")
	}
	cases := []struct {
		name  string
		steps []step
		// expectations on the final counters
		respondents, contribute, comments, photos int64
		roof                                      [renovote.MaxUrgent]int64
	}{
		{"one answer", []step{{0, roofFirst}}, 1, 1, 0, 0, [3]int64{1, 0, 0}},
		{"empty answer counts as a respondent", []step{{0, empty}}, 1, 0, 0, 0, [3]int64{}},
		{"changed answer moves the ranks", []step{{0, roofFirst}, {0, roofSecond}}, 1, 0, 0, 0, [3]int64{0, 1, 0}},
		{"changed back", []step{{0, roofFirst}, {0, roofSecond}, {0, roofFirst}}, 1, 1, 0, 0, [3]int64{1, 0, 0}},
		{"same answer again", []step{{1, full}, {1, full}, {1, full}}, 1, 1, 1, 2, [3]int64{1, 0, 0}},
		{"full then empty", []step{{1, full}, {1, empty}}, 1, 0, 0, 0, [3]int64{}},
		{"two households", []step{{0, roofFirst}, {1, roofSecond}}, 2, 1, 0, 0, [3]int64{1, 1, 0}},
		{"everyone", []step{{0, full}, {1, roofFirst}, {2, roofSecond}, {3, empty}, {4, full}, {5, roofFirst},
			{6, roofSecond}, {7, full}, {3, full}}, 8, 6, 4, 8, [3]int64{6, 2, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, regs := setup(t)
			ctx := context.Background()
			hhs := regs[small]
			last := map[int]renovote.SurveyAnswer{}
			for i, st := range tc.steps {
				a := st.a(hhs[st.hh].Ref(), surveyDuring.Add(time.Duration(i)*time.Minute))
				must(t, s.SubmitSurvey(ctx, a, newOp()))
				last[st.hh] = a
				checkSurvey(t, s, small)
				got, ok, err := s.SurveyAnswer(ctx, a.Ref)
				must(t, err)
				if !ok || !reflect.DeepEqual(got, normalized(a)) {
					t.Fatalf("step %d: stored answer %+v, want %+v", i, got, a)
				}
			}
			got := checkSurvey(t, s, small)
			if got.Households != 8 || got.Respondents != tc.respondents || got.Contribute != tc.contribute ||
				got.Comments != tc.comments || got.Photos != tc.photos || got.Urgent["roof_repair"] != tc.roof {
				t.Fatalf("counters %+v", got)
			}
			answers, err := s.SurveyAnswers(ctx, small)
			must(t, err)
			if len(answers) != len(last) {
				t.Fatalf("%d answers, want %d", len(answers), len(last))
			}
			au, err := s.SurveyAudit(ctx, small)
			must(t, err)
			if len(au) != len(tc.steps) {
				t.Fatalf("%d audit entries, want %d", len(au), len(tc.steps))
			}
			for i, e := range au {
				st := tc.steps[i]
				replaced := slices.ContainsFunc(tc.steps[:i], func(p step) bool { return p.hh == st.hh })
				if e.Ref != hhs[st.hh].Ref() || e.Actor != "tg:1" || e.Replaced != replaced || e.OpID == "" ||
					!e.At.Equal(surveyDuring.Add(time.Duration(i)*time.Minute)) {
					t.Fatalf("audit entry %d: %+v", i, e)
				}
			}
		})
	}
}

// normalized is an answer as the store keeps it (time in UTC).
func normalized(a renovote.SurveyAnswer) renovote.SurveyAnswer {
	a.At = a.At.UTC()
	return a
}

// The results computed from the stored counters rank the items as expected.
func TestSurveyResultsFromCounters(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	hhs := regs[lm]
	for i := range 10 {
		b := []string{"roof_repair", "stairwell_repair"}
		if i%2 == 0 {
			b = []string{"stairwell_repair", "roof_repair"}
		}
		if i < 3 {
			b = []string{"fire_safety_building"}
		}
		must(t, s.SubmitSurvey(ctx, answer(hhs[i].Ref(), surveyDuring, b, nil, []string{"ev_charging"}, "500_2000"), newOp()))
	}
	c := checkSurvey(t, s, lm)
	p, err := s.Programme(ctx)
	must(t, err)
	r := p.SurveyResults(c)
	if r.Households != 55 || r.Respondents != 10 || r.ResponseRate.String() != "18.2%" {
		t.Fatalf("results %+v", r)
	}
	// roof_repair: first for i = 3, 5, 7, 9, second for 4, 6, 8: 4*3 + 3*2 = 18;
	// stairwell_repair: 3*3 + 4*2 = 17; fire_safety_building: 3*3 = 9.
	for i, w := range []struct {
		id        string
		score, hh int64
		ranks     [renovote.MaxUrgent]int64
	}{{"roof_repair", 18, 7, [3]int64{4, 3, 0}}, {"stairwell_repair", 17, 7, [3]int64{3, 4, 0}}, {"fire_safety_building", 9, 3, [3]int64{3, 0, 0}}} {
		if u := r.Urgent[i]; u.Item.ID != w.id || u.Score != w.score || u.Households != w.hh || u.Ranks != w.ranks {
			t.Fatalf("urgent[%d] = %+v, want %+v", i, u, w)
		}
	}
	if r.Upgrades[0].Item.ID != "ev_charging" || r.Upgrades[0].Households != 10 {
		t.Fatalf("upgrades %+v", r.Upgrades[0])
	}
	if r.Contribute != (renovote.Share{Num: 10, Den: 10}) || r.Bands[1].Households != 10 {
		t.Fatalf("contribution %+v %+v", r.Contribute, r.Bands)
	}
}

func TestSurveyReplay(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	ref := regs[lm][5].Ref()
	a := answer(ref, surveyDuring, []string{"roof_repair"}, nil, nil, "lt500")
	must(t, s.SubmitSurvey(ctx, a, "tg:upd:1"))
	before := surveySnapshot(t, s, lm)
	must(t, s.SubmitSurvey(ctx, a, "tg:upd:1"))
	// Even another answer under the same op id changes nothing.
	b := answer(ref, surveyDuring.Add(time.Minute), []string{"facade_leaks"}, nil, nil, "")
	must(t, s.SubmitSurvey(ctx, b, "tg:upd:1"))
	if after := surveySnapshot(t, s, lm); !reflect.DeepEqual(after, before) {
		t.Fatalf("replay changed the survey:\n%+v\n%+v", before, after)
	}
	// A vote op id and a survey op id of the same value do not collide.
	_, err := s.CastVote(ctx, renovote.VoteCmd{Ref: ref, Choice: A, Channel: renovote.ChannelChat, Actor: "tg:1",
		OpID: "tg:upd:2", ReceiptID: "R", At: during})
	must(t, err)
	must(t, s.SubmitSurvey(ctx, b, "tg:upd:2"))
	got, _, err := s.SurveyAnswer(ctx, ref)
	must(t, err)
	if !reflect.DeepEqual(got, normalized(b)) {
		t.Fatalf("answer %+v", got)
	}
	checkSurvey(t, s, lm)
}

func TestSurveyWindow(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	ref := regs[lm][0].Ref()
	submit := func(at time.Time) error {
		return s.SubmitSurvey(ctx, answer(ref, at, []string{"roof_repair"}, nil, nil, ""), newOp())
	}
	wantErr(t, submit(surveyOpens.Add(-time.Nanosecond)), renovote.ErrSurveyNotOpen)
	wantErr(t, submit(surveyCloses), renovote.ErrSurveyClosed)
	wantErr(t, submit(surveyCloses.Add(time.Hour)), renovote.ErrSurveyClosed)
	if st := surveySnapshot(t, s, lm); st.counts.Respondents != 0 || len(st.answers) != 0 || st.audit != 0 {
		t.Fatalf("a refused answer changed the survey: %+v", st)
	}
	must(t, submit(surveyOpens))
	must(t, submit(surveyCloses.Add(-time.Nanosecond)))
	// The same instants in another zone are the same instants.
	must(t, submit(surveyCloses.Add(-time.Nanosecond).UTC()))
	wantErr(t, submit(surveyCloses.UTC()), renovote.ErrSurveyClosed)
	if st := surveySnapshot(t, s, lm); st.counts.Respondents != 1 || st.audit != 3 {
		t.Fatalf("survey %+v", st)
	}

	// A programme without a survey window for the compound: not open.
	p := testProgramme()
	p.Compounds[1].Survey = renovote.Window{}
	must(t, s.ApplyProgramme(ctx, p))
	err := submit(surveyDuring)
	wantErr(t, err, renovote.ErrSurveyNotOpen)
	if !strings.Contains(err.Error(), "no survey window") {
		t.Fatalf("error %v", err)
	}
	must(t, s.SubmitSurvey(ctx, answer(regs[lzy][0].Ref(), surveyDuring, nil, nil, nil, ""), newOp()))
	// A later window, then the original one again.
	p.Compounds[1].Survey = renovote.Window{Opens: surveyCloses, Closes: surveyCloses.Add(24 * time.Hour)}
	must(t, s.ApplyProgramme(ctx, p))
	wantErr(t, submit(surveyDuring), renovote.ErrSurveyNotOpen)
	must(t, submit(surveyCloses))
	must(t, s.ApplyProgramme(ctx, testProgramme()))
	must(t, submit(surveyDuring))
	checkSurvey(t, s, lm)

	// A retired compound refuses answers.
	p = testProgramme()
	p.Compounds = p.Compounds[:2]
	must(t, s.ApplyProgramme(ctx, p))
	wantErr(t, s.SubmitSurvey(ctx, answer(regs[lzy][1].Ref(), surveyDuring, nil, nil, nil, ""), newOp()), renovote.ErrNotFound)
}

func TestSurveyInvalid(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	ref := regs[lm][2].Ref()
	must(t, s.SubmitSurvey(ctx, answer(ref, surveyDuring, []string{"roof_repair"}, []string{"parking"}, []string{"fitness"}, "gt2000"), newOp()))
	before := surveySnapshot(t, s, lm)
	ok := func() renovote.SurveyAnswer {
		return answer(ref, surveyDuring, []string{"roof_repair"}, nil, nil, "")
	}
	cases := []struct {
		name string
		edit func(a *renovote.SurveyAnswer)
		op   string
		kind error
	}{
		{"unknown part", func(a *renovote.SurveyAnswer) { a.Urgent["garden"] = []string{"roof_repair"} }, "", renovote.ErrInvalid},
		{"item of another part", func(a *renovote.SurveyAnswer) { a.Urgent["building"] = []string{"parking"} }, "", renovote.ErrInvalid},
		{"upgrade ranked urgent", func(a *renovote.SurveyAnswer) { a.Urgent["building"] = []string{"energy_saving"} }, "", renovote.ErrInvalid},
		{"four urgent", func(a *renovote.SurveyAnswer) {
			a.Urgent["building"] = []string{"roof_repair", "facade_leaks", "stairwell_repair", "rain_sewage_pipes"}
		}, "", renovote.ErrInvalid},
		{"urgent twice", func(a *renovote.SurveyAnswer) { a.Urgent["building"] = []string{"roof_repair", "roof_repair"} }, "", renovote.ErrInvalid},
		{"must-do as upgrade", func(a *renovote.SurveyAnswer) { a.Upgrades = []string{"roof_repair"} }, "", renovote.ErrInvalid},
		{"unknown upgrade", func(a *renovote.SurveyAnswer) { a.Upgrades = []string{"swimming_pool"} }, "", renovote.ErrInvalid},
		{"unknown band", func(a *renovote.SurveyAnswer) { a.Contribute, a.Band = true, "gt10000" }, "", renovote.ErrInvalid},
		{"band without contribution", func(a *renovote.SurveyAnswer) { a.Band = "lt500" }, "", renovote.ErrInvalid},
		{"comment too long", func(a *renovote.SurveyAnswer) { a.Comment = strings.Repeat("漏", renovote.MaxCommentRunes+1) }, "", renovote.ErrInvalid},
		{"too many photos", func(a *renovote.SurveyAnswer) {
			a.Photos = slices.Repeat([]renovote.Photo{{FileID: "x"}}, renovote.MaxSurveyPhotos+1)
		}, "", renovote.ErrInvalid},
		{"photo without file", func(a *renovote.SurveyAnswer) { a.Photos = []renovote.Photo{{Caption: "?"}} }, "", renovote.ErrInvalid},
		{"no actor", func(a *renovote.SurveyAnswer) { a.Actor = "" }, "", renovote.ErrInvalid},
		{"no time", func(a *renovote.SurveyAnswer) { a.At = time.Time{} }, "", renovote.ErrInvalid},
		{"no op id", func(a *renovote.SurveyAnswer) {}, "-", renovote.ErrInvalid},
		{"op id too long", func(a *renovote.SurveyAnswer) {}, strings.Repeat("x", 300), renovote.ErrInvalid},
		{"bad compound id", func(a *renovote.SurveyAnswer) { a.Ref.CompoundID = "{lm}" }, "", renovote.ErrInvalid},
		{"no household", func(a *renovote.SurveyAnswer) { a.Ref.HouseholdID = "" }, "", renovote.ErrInvalid},
		{"unknown household", func(a *renovote.SurveyAnswer) { a.Ref.HouseholdID = "99-9-999" }, "", renovote.ErrNotFound},
		{"unknown compound", func(a *renovote.SurveyAnswer) { a.Ref.CompoundID = "nowhere" }, "", renovote.ErrNotFound},
	}
	for _, tc := range cases {
		a := ok()
		tc.edit(&a)
		op := tc.op
		switch op {
		case "":
			op = newOp()
		case "-":
			op = ""
		}
		err := s.SubmitSurvey(ctx, a, op)
		if err == nil {
			t.Fatalf("%s: accepted", tc.name)
		}
		wantErr(t, err, tc.kind)
		if !strings.HasPrefix(err.Error(), "submit survey ") {
			t.Fatalf("%s: error %q not wrapped with the operation", tc.name, err)
		}
		if after := surveySnapshot(t, s, lm); !reflect.DeepEqual(after, before) {
			t.Fatalf("%s: a refused answer changed the survey", tc.name)
		}
	}

	// Bands come from the programme.
	p := testProgramme()
	p.ContributionBands = []renovote.ContributionBand{{ID: "any", Name: "愿意出资"}}
	must(t, s.ApplyProgramme(ctx, p))
	wantErr(t, s.SubmitSurvey(ctx, answer(ref, surveyDuring, nil, nil, nil, "gt2000"), newOp()), renovote.ErrInvalid)
	must(t, s.SubmitSurvey(ctx, answer(ref, surveyDuring, nil, nil, nil, "any"), newOp()))
	c := checkSurvey(t, s, lm)
	if !reflect.DeepEqual(c.Bands, map[string]int64{"any": 1}) {
		t.Fatalf("bands %v", c.Bands)
	}

	// Without a programme, nothing can be validated.
	bare := newStore(t)
	wantErr(t, bare.SubmitSurvey(ctx, ok(), newOp()), renovote.ErrNotFound)
	_, _, err := s.SurveyAnswer(ctx, renovote.HouseholdRef{CompoundID: lm, HouseholdID: "nope"})
	wantErr(t, err, renovote.ErrNotFound)
	_, err = s.SurveyCounts(ctx, "nowhere")
	wantErr(t, err, renovote.ErrNotFound)
	_, err = s.RecountSurvey(ctx, "nowhere")
	wantErr(t, err, renovote.ErrNotFound)
	_, err = s.SurveyAnswers(ctx, "Bad")
	wantErr(t, err, renovote.ErrInvalid)
}

// A household removed from the register no longer counts in the survey; its
// answer is kept and counts again when it is restored.
func TestSurveyRemovedHousehold(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	hhs := regs[lm]
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 20 {
		must(t, s.SubmitSurvey(ctx, randomAnswer(rng, hhs[i].Ref(), surveyDuring), newOp()))
	}
	full := checkSurvey(t, s, lm)
	if full.Respondents != 20 || full.Households != 55 {
		t.Fatalf("counters %+v", full)
	}
	fullAnswers, err := s.SurveyAnswers(ctx, lm)
	must(t, err)

	// Re-import without households 3, 4 (answered) and 40 (not answered).
	var kept []renovote.Household
	for i, h := range hhs {
		if i != 3 && i != 4 && i != 40 {
			kept = append(kept, h)
		}
	}
	diff, err := s.ImportRegister(ctx, lm, kept, store.ImportOptions{RemoveMissing: true, Actor: "cli:test", Now: surveyDuring})
	must(t, err)
	if len(diff.Removed) != 3 {
		t.Fatalf("diff %+v", diff)
	}
	c := checkSurvey(t, s, lm)
	if c.Respondents != 18 || c.Households != 52 {
		t.Fatalf("after removal: %+v", c)
	}
	answers, err := s.SurveyAnswers(ctx, lm)
	must(t, err)
	if len(answers) != 18 || slices.ContainsFunc(answers, func(a renovote.SurveyAnswer) bool {
		return a.Ref == hhs[3].Ref() || a.Ref == hhs[4].Ref()
	}) {
		t.Fatalf("answers of removed households listed: %d", len(answers))
	}
	// Its answer is kept, and it cannot answer again while removed.
	if _, ok, err := s.SurveyAnswer(ctx, hhs[3].Ref()); err != nil || !ok {
		t.Fatalf("removed household's answer: %v %v", ok, err)
	}
	wantErr(t, s.SubmitSurvey(ctx, randomAnswer(rng, hhs[3].Ref(), surveyDuring), newOp()), renovote.ErrRemoved)
	// Answers of the others still move the counters exactly.
	must(t, s.SubmitSurvey(ctx, randomAnswer(rng, hhs[5].Ref(), surveyDuring), newOp()))
	must(t, s.SubmitSurvey(ctx, randomAnswer(rng, hhs[30].Ref(), surveyDuring), newOp()))
	checkSurvey(t, s, lm)
	// A rebuild changes nothing.
	before := checkSurvey(t, s, lm)
	_, err = s.RebuildCounters(ctx, lm)
	must(t, err)
	if after := checkSurvey(t, s, lm); !reflect.DeepEqual(after, before) {
		t.Fatalf("rebuild changed the survey counters:\n%+v\n%+v", before, after)
	}

	// Restored: it counts again, with its answer.
	_, err = s.ImportRegister(ctx, lm, hhs, store.ImportOptions{RemoveMissing: true, Actor: "cli:test", Now: surveyDuring})
	must(t, err)
	c = checkSurvey(t, s, lm)
	if c.Respondents != 21 || c.Households != 55 {
		t.Fatalf("after restore: %+v", c)
	}
	answers, err = s.SurveyAnswers(ctx, lm)
	must(t, err)
	if len(answers) != 21 {
		t.Fatalf("%d answers", len(answers))
	}
	for _, a := range fullAnswers {
		if a.Ref == hhs[5].Ref() || a.Ref == hhs[30].Ref() {
			continue
		}
		if !slices.ContainsFunc(answers, func(b renovote.SurveyAnswer) bool { return reflect.DeepEqual(a, b) }) {
			t.Fatalf("answer of %s lost", a.Ref)
		}
	}
	must(t, s.SubmitSurvey(ctx, randomAnswer(rng, hhs[3].Ref(), surveyDuring), newOp()))
	checkSurvey(t, s, lm)
}

// Every household of the largest compound, with several members each, submits
// random answers from many goroutines; some submissions are retried with the
// same op id (one after the other or at once), some arrive after the survey
// closed, and the register is re-imported (removing and restoring a few
// households) meanwhile. The counters equal the recount at the end, the audit
// holds exactly the accepted submissions, and each household's stored answer
// is the one of its last audit entry.
func TestConcurrentSurvey(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	hhs := regs[lzy]
	rng := rand.New(rand.NewPCG(220, 9))
	const perHH, rounds = 3, 3
	type sub struct {
		a  renovote.SurveyAnswer
		op string
	}
	var subs []sub
	for i, h := range hhs {
		for m := range perHH {
			for r := range rounds {
				at := surveyDuring.Add(time.Duration(rng.IntN(100000)) * time.Second)
				if rng.IntN(60) == 0 {
					at = surveyCloses
				}
				a := randomAnswer(rng, h.Ref(), at)
				a.Actor = fmt.Sprintf("tg:%d", 10000+i*10+m)
				subs = append(subs, sub{a, fmt.Sprintf("tg:upd:%d:%d:%d", i, m, r)})
			}
		}
	}
	rng.Shuffle(len(subs), func(i, j int) { subs[i], subs[j] = subs[j], subs[i] })
	byOp := map[string]renovote.SurveyAnswer{}
	for _, sb := range subs {
		byOp[sb.op] = sb.a
	}

	removedAtTimes := map[string]bool{} // households removed at some point
	for _, i := range []int{7, 77, 177} {
		removedAtTimes[hhs[i].ID] = true
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for k := range 6 {
			reg := slices.Clone(hhs)
			if k%2 == 0 {
				reg = slices.DeleteFunc(reg, func(h renovote.Household) bool { return removedAtTimes[h.ID] })
			}
			if _, err := s.ImportRegister(ctx, lzy, reg, store.ImportOptions{RemoveMissing: true, Actor: "cli:test", Now: surveyDuring}); err != nil {
				t.Error(err)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	var accepted, refused atomic.Int64
	var acceptedOps sync.Map
	submit := func(sb sub) error {
		err := s.SubmitSurvey(ctx, sb.a, sb.op)
		switch {
		case err == nil:
			accepted.Add(1)
			acceptedOps.Store(sb.op, true)
		case sb.a.At.Equal(surveyCloses) && errorsIs(err, renovote.ErrSurveyClosed),
			removedAtTimes[sb.a.Ref.HouseholdID] && errorsIs(err, renovote.ErrRemoved):
			refused.Add(1)
		default:
			return err
		}
		return nil
	}
	run(t, 32, len(subs), func(i int) error {
		sb := subs[i]
		switch i % 10 {
		case 0: // a retry after a lost reply
			if err := submit(sb); err != nil {
				return err
			}
			return submit(sb)
		case 1: // the same submission twice at once
			errs := make(chan error, 2)
			for range 2 {
				go func() { errs <- submit(sb) }()
			}
			return joinErr(<-errs, <-errs)
		}
		return submit(sb)
	})
	wg.Wait()
	// The last import restored everyone.
	c := checkSurvey(t, s, lzy)
	if c.Households != 220 || c.Respondents == 0 {
		t.Fatalf("counters %+v", c)
	}
	audit, err := s.SurveyAudit(ctx, lzy)
	must(t, err)
	applied := map[string]bool{}
	last := map[string]store.SurveyChange{}
	for _, e := range audit {
		if applied[e.OpID] {
			t.Fatalf("op %s applied twice", e.OpID)
		}
		applied[e.OpID] = true
		if e.Replaced != (last[e.Ref.HouseholdID].OpID != "") {
			t.Fatalf("audit entry %+v: replaced flag wrong", e)
		}
		last[e.Ref.HouseholdID] = e
	}
	nAccepted := 0
	acceptedOps.Range(func(k, _ any) bool {
		nAccepted++
		if !applied[k.(string)] {
			t.Errorf("accepted op %s not in the audit", k)
		}
		return true
	})
	if len(audit) != nAccepted {
		t.Fatalf("%d audit entries, %d ops accepted", len(audit), nAccepted)
	}
	for _, sb := range subs {
		if sb.a.At.Equal(surveyCloses) && applied[sb.op] {
			t.Fatalf("a submission after the close was applied: %s", sb.op)
		}
	}
	answers, err := s.SurveyAnswers(ctx, lzy)
	must(t, err)
	if int64(len(answers)) != c.Respondents || len(answers) != len(last) {
		t.Fatalf("%d answers, %d respondents, %d households audited", len(answers), c.Respondents, len(last))
	}
	for _, a := range answers {
		e := last[a.Ref.HouseholdID]
		if !reflect.DeepEqual(a, normalized(byOp[e.OpID])) {
			t.Fatalf("answer of %s is not that of its last audit entry %s", a.Ref, e.OpID)
		}
	}
	t.Logf("%d submissions, %d accepted (replays included), %d refused, %d applied; %d respondents",
		len(subs), accepted.Load(), refused.Load(), len(audit), c.Respondents)
}

func BenchmarkSubmitSurvey(b *testing.B) {
	s, regs := setup(b)
	ctx := context.Background()
	hhs := regs[lzy]
	rng := rand.New(rand.NewPCG(5, 6))
	answers := make([]renovote.SurveyAnswer, 1024)
	for i := range answers {
		answers[i] = randomAnswer(rng, hhs[i%len(hhs)].Ref(), surveyDuring)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := s.SubmitSurvey(ctx, answers[i%len(answers)], fmt.Sprintf("bench:%d", i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.StopTimer()
	checkSurvey(b, s, lzy)
}

func BenchmarkSubmitSurveyParallel(b *testing.B) {
	s, regs := setup(b)
	ctx := context.Background()
	hhs := regs[lzy]
	var seq atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(uint64(seq.Add(1)), 7))
		for pb.Next() {
			i := seq.Add(1)
			a := randomAnswer(rng, hhs[int(i)%len(hhs)].Ref(), surveyDuring)
			if err := s.SubmitSurvey(ctx, a, fmt.Sprintf("bench:%d", i)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	checkSurvey(b, s, lzy)
}
