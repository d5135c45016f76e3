package e2e

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/bot/bottest"
)

// surveyPlan is what one household answers, as menu indexes.
type surveyPlan struct {
	urgent   [][]int // per part: indexes into the part's items (required ones), in order
	upgrades []int   // indexes into all non-required items in menu order
	band     int     // 0: no contribution, i: p.Bands()[i-1]
	comment  string
	photos   int
}

// answer is the SurveyAnswer the plan should be stored as (without photos).
func (sp surveyPlan) answer(p renovote.Programme, ref renovote.HouseholdRef) renovote.SurveyAnswer {
	a := renovote.SurveyAnswer{Ref: ref, Comment: sp.comment}
	for pi, idx := range sp.urgent {
		for _, i := range idx {
			if a.Urgent == nil {
				a.Urgent = map[string][]string{}
			}
			part := p.Menu.Parts[pi]
			a.Urgent[part.ID] = append(a.Urgent[part.ID], part.Items[i].ID)
		}
	}
	ups := p.Menu.Upgrades()
	for _, i := range slices.Sorted(slices.Values(sp.upgrades)) {
		a.Upgrades = append(a.Upgrades, ups[i].ID)
	}
	if sp.band > 0 {
		a.Contribute, a.Band = true, p.Bands()[sp.band-1].ID
	}
	return a
}

// randomPlan draws a valid answer.
func randomPlan(p renovote.Programme, rng *rand.Rand) surveyPlan {
	req := p.Menu.RequiredClasses()
	var sp surveyPlan
	for _, part := range p.Menu.Parts {
		var idx []int
		for i, it := range part.Items {
			if req[it.Class] {
				idx = append(idx, i)
			}
		}
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		sp.urgent = append(sp.urgent, idx[:rng.IntN(renovote.MaxUrgent+1)])
	}
	ups := p.Menu.Upgrades()
	for i := range ups {
		if rng.IntN(3) == 0 {
			sp.upgrades = append(sp.upgrades, i)
		}
	}
	sp.band = rng.IntN(len(p.Bands()) + 1)
	if rng.IntN(2) == 0 {
		sp.comment = fmt.Sprintf("意见 %d：楼道灯 <b>坏了</b> *急* 👍", rng.IntN(1000))
	}
	sp.photos = rng.IntN(3)
	return sp
}

// surveyor drives one resident through the survey in chat.
type surveyor struct {
	w *world
	u *bottest.User
	m bottest.Message // the current survey message
}

// find returns the data of m's button whose data ends in suffix.
func find(m bottest.Message, suffix string) (string, bool) {
	for _, b := range m.Buttons() {
		if b.CallbackData != nil && strings.HasPrefix(*b.CallbackData, "s:") && strings.HasSuffix(*b.CallbackData, suffix) {
			return *b.CallbackData, true
		}
	}
	return "", false
}

// press presses the button ending in suffix on the current survey message and
// waits for the message (that one edited, or a newer one) that satisfies want.
func (s *surveyor) press(suffix string, want func(bottest.Message) bool) {
	s.w.t.Helper()
	data, ok := find(s.m, suffix)
	if !ok {
		s.w.t.Fatalf("user %d: no survey button %q on:\n%s", s.u.ID, suffix, s.m)
	}
	edits := s.m.Edits
	cb := s.w.press(s.u, s.m, data)
	if cb.ShowAlert {
		s.w.t.Fatalf("user %d: %q refused: %s", s.u.ID, suffix, cb.AnswerText)
	}
	s.wait(func(x bottest.Message) bool {
		return (x.ID > s.m.ID || (x.ID == s.m.ID && x.Edits > edits)) && want(x)
	})
}

func (s *surveyor) wait(match func(bottest.Message) bool) {
	s.w.t.Helper()
	m, err := s.w.srv.WaitForMessage(s.w.ctx, s.u.ID, func(x bottest.Message) bool { return x.FromBot && match(x) })
	if err != nil {
		var cbs []string
		for _, cb := range s.w.srv.Callbacks() {
			if cb.UserID == s.u.ID {
				cbs = append(cbs, fmt.Sprintf("%s→%q", cb.Data, cb.AnswerText))
			}
		}
		s.w.t.Fatalf("user %d: survey stuck: %v\n%s\npresses: %v", s.u.ID, err, transcript(s.u), cbs[max(0, len(cbs)-6):])
	}
	s.m = m
}

func step(n int) func(bottest.Message) bool { return contains(fmt.Sprintf("第 %d/6 步", n)) }
func anyMsg(bottest.Message) bool           { return true }

// open starts (or resumes) the survey with /survey.
func (s *surveyor) open(want func(bottest.Message) bool) {
	s.w.t.Helper()
	s.m = s.w.say(s.u, "/survey", want)
}

// fill answers from step from to the review, following the plan. The urgent
// and upgrade steps are toggled from what is already chosen to the plan.
func (s *surveyor) fill(sp surveyPlan, from int) {
	s.w.t.Helper()
	for pi := from - 1; pi < len(sp.urgent); pi++ {
		for _, i := range sp.urgent[pi] {
			s.press(fmt.Sprintf(":u:%d:%d", pi, i), anyMsg)
		}
		s.press(":n", step(pi+2))
	}
	if from <= 3 {
		for _, i := range sp.upgrades {
			s.press(fmt.Sprintf(":g:%d", i), anyMsg)
		}
		s.press(":n", step(4))
	}
	s.press(fmt.Sprintf(":c:%d", sp.band), step(5))
	if sp.comment == "" {
		s.press(":k", step(6))
	} else {
		s.m = s.w.say(s.u, sp.comment, step(6))
	}
	for i := 1; i <= sp.photos; i++ {
		s.m = s.w.say2photo(s.u, i)
	}
	s.press(":d", func(x bottest.Message) bool { _, ok := find(x, ":ok"); return ok })
}

// submit presses 提交 on the review.
func (s *surveyor) submit() {
	s.w.t.Helper()
	s.press(":ok", contains("已提交"))
}

// say2photo sends the i-th photo and waits for its acknowledgement.
func (w *world) say2photo(u *bottest.User, i int) bottest.Message {
	w.t.Helper()
	last, _ := u.LastBotMessage()
	u.SendPhoto([]byte(fmt.Sprintf("jpeg of user %d photo %d", u.ID, i)), fmt.Sprintf("第%d处", i))
	m, err := w.srv.WaitForBotMessage(w.ctx, u.ID, last.ID, contains(fmt.Sprintf("第 %d 张照片", i)))
	if err != nil {
		w.t.Fatalf("photo %d not acknowledged: %v\n%s", i, err, transcript(u))
	}
	return m
}

// TestSurveyThroughTelegram: 40 households of 武装部小区 answer the survey in
// chat. Some abandon it half way and resume days later, some change their
// answers; a second member of one household changes the household's answer.
// The stored counters equal a recount from the stored answers and equal the
// answers the residents gave; photos are linked to their households.
func TestSurveyThroughTelegram(t *testing.T) {
	w := newWorld(t)
	const compound = "wuzhuangbu"
	hhs := w.hhs[compound][:40]
	codes := w.invites(compound)
	rng := rand.New(rand.NewPCG(2020, 5))
	truth := map[string]surveyPlan{}
	users := map[string]*bottest.User{}

	for i, h := range hhs {
		u := w.srv.User(int64(100000+i), "居民", "zh-hans")
		w.bind(u, codes[h.ID])
		users[h.ID] = u
		sp := randomPlan(w.p, rng)
		s := &surveyor{w: w, u: u}
		s.open(step(1))
		if i%5 == 0 {
			// Abandons after the first part; a vote in between keeps the draft.
			for _, k := range sp.urgent[0] {
				s.press(fmt.Sprintf(":u:0:%d", k), anyMsg)
			}
			s.press(":n", step(2))
			w.say(u, "/vote", anyMsg)
			s.open(contains("还没提交"))
			s.press(":r", step(2))
			s.fill(sp, 2)
		} else {
			s.fill(sp, 1)
		}
		s.submit()
		truth[h.ID] = sp
	}

	// Some change their minds: /survey shows the household's answer for review.
	for _, h := range hhs[30:36] {
		old := truth[h.ID]
		sp := randomPlan(w.p, rng)
		s := &surveyor{w: w, u: users[h.ID]}
		s.open(contains("已提交过"))
		s.press(":e", step(1))
		// Untoggle the old choices, then toggle the new ones: fill toggles
		// from the old answer, so give it the symmetric difference.
		diff := surveyPlan{band: sp.band, comment: sp.comment, photos: sp.photos}
		for pi := range sp.urgent {
			var seq []int
			for _, k := range slices.Backward(old.urgent[pi]) {
				seq = append(seq, k) // unchoose, last first
			}
			diff.urgent = append(diff.urgent, append(seq, sp.urgent[pi]...))
		}
		diff.upgrades = append(slices.Clone(old.upgrades), sp.upgrades...)
		s.fillKeepingPhotos(diff, old.photos)
		s.submit()
		truth[h.ID] = sp
	}

	// A second member of a household changes the household's answer.
	h := hhs[1]
	second := w.srv.User(200001, "家属", "en")
	w.bind(second, codes[h.ID])
	sp := truth[h.ID]
	sp.band = 0
	s := &surveyor{w: w, u: second}
	s.open(contains("already"))
	s.press(":b", anyMsg) // back from the review to the photos step
	s.press(":b", anyMsg) // the comment step
	s.press(":b", contains("Step 4 of 6"))
	s.press(":c:0", contains("Step 5 of 6"))
	s.press(":k", contains("Step 6 of 6")) // keep the comment, if any, as it is
	s.press(":d", func(x bottest.Message) bool { _, ok := find(x, ":ok"); return ok })
	s.press(":ok", contains("ubmitted"))
	truth[h.ID] = sp

	// Ground truth: the counters, a recount from the stored answers, and the
	// answers the residents gave, all agree.
	counts, err := w.st.SurveyCounts(w.ctx, compound)
	if err != nil {
		t.Fatal(err)
	}
	recount, err := w.st.RecountSurvey(w.ctx, compound)
	if err != nil {
		t.Fatal(err)
	}
	var want []renovote.SurveyAnswer
	photos := 0
	for _, h := range hhs {
		a := truth[h.ID].answer(w.p, h.Ref())
		a.Photos = make([]renovote.Photo, truth[h.ID].photos)
		photos += truth[h.ID].photos
		want = append(want, a)
	}
	given := renovote.CountSurvey(compound, 107, want)
	if !reflect.DeepEqual(counts, recount) {
		t.Fatalf("counters differ from recount:\n%+v\n%+v", counts, recount)
	}
	if !reflect.DeepEqual(counts, given) {
		t.Fatalf("counters differ from what residents answered:\n%+v\n%+v", counts, given)
	}
	if counts.Respondents != 40 || counts.Households != 107 || counts.Photos != int64(photos) {
		t.Fatalf("respondents %d of %d, photos %d (want %d)", counts.Respondents, counts.Households, counts.Photos, photos)
	}

	// Photos are linked to their household: each stored file id is a photo the
	// household's member sent.
	for _, hh := range hhs {
		a, ok, err := w.st.SurveyAnswer(w.ctx, hh.Ref())
		if err != nil || !ok {
			t.Fatalf("%s: no answer (%v)", hh.ID, err)
		}
		sent := map[string]bool{}
		for _, u := range []*bottest.User{users[hh.ID], second} {
			for _, m := range u.Messages() {
				if !m.FromBot && m.FileID != "" && (u == users[hh.ID] || hh.ID == h.ID) {
					sent[m.FileID] = true
				}
			}
		}
		for _, ph := range a.Photos {
			if !sent[ph.FileID] {
				t.Errorf("%s: stored photo %s was not sent by its household", hh.ID, ph.FileID)
			}
		}
		if wantC := truth[hh.ID].comment; a.Comment != wantC {
			t.Errorf("%s: comment %q, want byte-exact %q", hh.ID, a.Comment, wantC)
		}
	}
}

// fillKeepingPhotos is fill for a prefilled draft that already holds photos:
// they are removed first so the new plan's photos replace them.
func (s *surveyor) fillKeepingPhotos(sp surveyPlan, had int) {
	s.w.t.Helper()
	for pi := range sp.urgent {
		for _, i := range sp.urgent[pi] {
			s.press(fmt.Sprintf(":u:%d:%d", pi, i), anyMsg)
		}
		s.press(":n", step(pi+2))
	}
	for _, i := range sp.upgrades {
		s.press(fmt.Sprintf(":g:%d", i), anyMsg)
	}
	s.press(":n", step(4))
	s.press(fmt.Sprintf(":c:%d", sp.band), step(5))
	if sp.comment == "" {
		if _, ok := find(s.m, ":kc"); ok {
			s.press(":kc", step(5)) // clear the old comment
		}
		s.press(":k", step(6))
	} else {
		s.m = s.w.say(s.u, sp.comment, step(6))
	}
	if had > 0 {
		s.press(":pc", step(6)) // remove the old photos
	}
	for i := 1; i <= sp.photos; i++ {
		s.m = s.w.say2photo(s.u, i)
	}
	s.press(":d", func(x bottest.Message) bool { _, ok := find(x, ":ok"); return ok })
}
