package dialogs

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote"
)

// markup is free text that must stay data: Markdown and HTML characters,
// emoji and right-to-left text, byte for byte.
const markup = "楼道灯坏了 <b>*_[x](y)</b> مرحبا 👍"

// answer is the household's current survey answer (zero if none).
func (w *world) answer(r renovote.HouseholdRef) (renovote.SurveyAnswer, bool) {
	w.t.Helper()
	a, ok, err := w.be.SurveyAnswer(context.Background(), r)
	if err != nil {
		w.t.Fatal(err)
	}
	return a, ok
}

// checkCounts checks that the compound's stored counters equal those counted
// from scratch from the households' current answers.
func (w *world) checkCounts(compoundID string) renovote.SurveyCounts {
	w.t.Helper()
	ctx := context.Background()
	hhs, err := w.be.Households(ctx, compoundID)
	if err != nil {
		w.t.Fatal(err)
	}
	var answers []renovote.SurveyAnswer
	var n int64
	for _, h := range hhs {
		if h.Removed {
			continue
		}
		n++
		if a, ok := w.answer(h.Ref()); ok {
			answers = append(answers, a)
		}
	}
	got, err := w.be.SurveyCounts(ctx, compoundID)
	if err != nil {
		w.t.Fatal(err)
	}
	want := renovote.CountSurvey(compoundID, n, answers)
	if !sameCounts(got, want) {
		w.t.Errorf("counts of %s = %+v, want %+v", compoundID, got, want)
	}
	return got
}

// sameCounts compares counters, a key with zero counts being no key.
func sameCounts(a, b renovote.SurveyCounts) bool {
	nz := func(m map[string]int64) map[string]int64 {
		out := map[string]int64{}
		for k, v := range m {
			if v != 0 {
				out[k] = v
			}
		}
		return out
	}
	nzr := func(m map[string][renovote.MaxUrgent]int64) map[string][renovote.MaxUrgent]int64 {
		out := map[string][renovote.MaxUrgent]int64{}
		for k, v := range m {
			if v != ([renovote.MaxUrgent]int64{}) {
				out[k] = v
			}
		}
		return out
	}
	return a.CompoundID == b.CompoundID && a.Households == b.Households && a.Respondents == b.Respondents &&
		a.Contribute == b.Contribute && a.Comments == b.Comments && a.Photos == b.Photos &&
		maps.Equal(nz(a.Upgrades), nz(b.Upgrades)) && maps.Equal(nz(a.Bands), nz(b.Bands)) &&
		maps.Equal(nzr(a.Urgent), nzr(b.Urgent))
}

// text is the text of message id.
func (w *world) text(id int) string {
	w.t.Helper()
	m, ok := w.msgs[id]
	if !ok {
		w.t.Fatalf("no message #%d", id)
	}
	return m.text
}

// lastMsg is the latest message of the chat.
func (w *world) lastMsg(chat int64) int {
	for i := len(w.order) - 1; i >= 0; i-- {
		if w.msgs[w.order[i]].chat == chat {
			return w.order[i]
		}
	}
	w.t.Fatalf("no message in chat %d", chat)
	return 0
}

// The whole survey in Chinese, from the button under a vote receipt to the
// stored answer; free text comes back byte for byte.
func TestSurveyZh(t *testing.T) { transcript(t, "survey_zh", surveyZh) }

func surveyZh(w *world) {
	w.bind(zhang, ref301)
	w.at(duringSurvey)
	w.note("After a vote, the receipt offers the survey while it is open.")
	w.send(zhang, "/vote")
	w.tap(zhang, "同意改造")
	w.tap(zhang, "填写改造需求调查")

	w.note("Step 1: the most urgent must-do items of the buildings, in order.")
	w.tap(zhang, "屋面修缮")
	w.tap(zhang, "雨污管线")
	w.tap(zhang, "防雷设施")
	w.note("A 4th item: an alert, nothing changes.")
	w.tap(zhang, "消防设施")
	w.note("Unchoosing the 2nd renumbers the 3rd; then another one is 3rd.")
	w.tap(zhang, "② 雨污管线")
	w.tap(zhang, "单元楼道整修")
	w.tap(zhang, "下一步")

	w.note("Step 2: the public areas; text where a button is expected changes nothing.")
	w.send(zhang, "停车位最要紧")
	w.tap(zhang, "停车设施")
	w.tap(zhang, "下一步")

	w.note("Step 3: upgrades, any number, toggled in place.")
	w.tap(zhang, "充电设施")
	w.tap(zhang, "单元防盗门及门禁")
	w.tap(zhang, "✅ 充电设施")
	w.tap(zhang, "充电设施")
	w.tap(zhang, "下一步")

	w.note("Step 4: money; a photo now is refused.")
	w.photo(zhang, "AgADearly")
	w.tap(zhang, "500元以下")

	w.note("Step 5: a comment too long, then one with markup, emoji and RTL text.")
	w.send(zhang, strings.Repeat("长", renovote.MaxCommentRunes+1))
	w.send(zhang, markup)

	w.note("Step 6: photos; too big, caption too long, a 6th: refused.")
	w.photoWith(zhang, "AgADroof", "屋顶漏水 <i>", 2<<20)
	w.photoWith(zhang, "AgADhuge", "", maxPhotoBytes+1)
	w.photoWith(zhang, "AgADlong", strings.Repeat("说", renovote.MaxCaptionRunes+1), 0)
	w.photo(zhang, "AgADp2")
	w.photo(zhang, "AgADp3")
	w.photo(zhang, "AgADp4")
	w.photoWith(zhang, "AgADp5", "楼道", maxPhotoBytes)
	w.photo(zhang, "AgADp6")
	w.tap(zhang, "完成")
	review := w.lastMsg(zhang.id)
	if !strings.Contains(w.text(review), "其他意见："+markup+"\n") {
		w.t.Errorf("the review does not show the comment byte for byte:\n%s", w.text(review))
	}

	w.note("Submit.")
	_, submit := w.lastData(zhang.id, "提交")
	w.tap(zhang, "提交")
	a, ok := w.answer(ref301)
	want := renovote.SurveyAnswer{Ref: ref301,
		Urgent:   map[string][]string{"building": {"roof_repair", "lightning_protection", "stairwell_repair"}, "public": {"parking"}},
		Upgrades: []string{"security_doors", "ev_charging"}, Contribute: true, Band: "lt500", Comment: markup,
		Photos: []renovote.Photo{{FileID: "AgADroof", Caption: "屋顶漏水 <i>"}, {FileID: "AgADp2"}, {FileID: "AgADp3"},
			{FileID: "AgADp4"}, {FileID: "AgADp5", Caption: "楼道"}},
		Actor: "tg:101", At: duringSurvey}
	if !ok || !sameAnswer(a, want) {
		w.t.Fatalf("answer = %+v\nwant %+v", a, want)
	}
	if c := w.checkCounts("liangmao"); c.Respondents != 1 || c.Photos != 5 {
		w.t.Errorf("counts = %+v", c)
	}
	w.note("The session keeps no draft; an old button of the survey is stale.")
	w.press(zhang, review, submit)
	if s := w.session(zhang.id); s.Survey != nil || s.Flow != "" {
		w.t.Errorf("session after submit: %+v", s)
	}
}

func sameAnswer(a, b renovote.SurveyAnswer) bool {
	if len(a.Urgent) != len(b.Urgent) {
		return false
	}
	for k, v := range a.Urgent {
		if !slices.Equal(v, b.Urgent[k]) {
			return false
		}
	}
	return a.Ref == b.Ref && slices.Equal(a.Upgrades, b.Upgrades) && a.Contribute == b.Contribute &&
		a.Band == b.Band && a.Comment == b.Comment && slices.Equal(a.Photos, b.Photos) &&
		a.Actor == b.Actor && a.At.Equal(b.At)
}

// The survey in English with Back, then the household's answer changed by
// the other member (prefilled), and the latest answer counts.
func TestSurveyEn(t *testing.T) { transcript(t, "survey_en", surveyEn) }

func surveyEn(w *world) {
	w.bind(li, ref302)
	w.bind(zhang, ref302)
	w.at(duringSurvey)
	w.send(li, "/survey")
	w.tap(li, "单元楼道整修")
	w.tap(li, "Next")
	w.note("Back keeps what was chosen.")
	w.tap(li, "Back")
	w.tap(li, "Next")
	w.tap(li, "Next")
	w.tap(li, "Next")
	w.tap(li, "No")
	w.tap(li, "Skip")
	w.note("Text at the photo step is not a photo; Back to the comment, type one, clear it, Skip.")
	w.send(li, "here it comes")
	w.tap(li, "Back")
	w.send(li, "no comment")
	w.tap(li, "Back")
	w.tap(li, "Clear comment")
	w.tap(li, "Skip")
	w.tap(li, "Done")
	w.tap(li, "Submit")
	a, _ := w.answer(ref302)
	if a.Contribute || a.Band != "" || len(a.Upgrades) != 0 || !slices.Equal(a.Urgent["building"], []string{"stairwell_repair"}) || a.Actor != "tg:201" {
		w.t.Fatalf("answer = %+v", a)
	}

	w.note("The other member opens the survey: prefilled from the household's answer, at the review.")
	w.at(duringSurvey.Add(26 * time.Hour))
	w.send(zhang, "/survey")
	w.tap(zhang, "从头修改")
	w.tap(zhang, "① 单元楼道整修")
	w.tap(zhang, "消防设施")
	w.tap(zhang, "下一步")
	w.tap(zhang, "下一步")
	w.tap(zhang, "下一步")
	w.tap(zhang, "2000元以上")
	w.send(zhang, "谢谢")
	w.tap(zhang, "完成")
	w.tap(zhang, "提交")
	a, _ = w.answer(ref302)
	if !a.Contribute || a.Band != "gt2000" || a.Comment != "谢谢" || !slices.Equal(a.Urgent["building"], []string{"fire_safety_building"}) || a.Actor != "tg:101" {
		w.t.Fatalf("answer = %+v", a)
	}
	if c := w.checkCounts("liangmao"); c.Respondents != 1 || c.Urgent["stairwell_repair"] != ([3]int64{}) {
		w.t.Errorf("counts = %+v", c)
	}

	w.note("Li looks again and cancels: the household's answer stands.")
	w.send(li, "/survey")
	w.tap(li, "Cancel")
	if a2, _ := w.answer(ref302); !sameAnswer(a, a2) {
		w.t.Fatalf("cancel changed the answer: %+v", a2)
	}
}

// A draft survives other commands and days; /survey offers to continue or to
// start over; buttons of an older survey message, or of a past step, change
// nothing; cancel drops the draft.
func TestSurveyResume(t *testing.T) { transcript(t, "survey_resume", surveyResume) }

func surveyResume(w *world) {
	w.bind(zhang, ref301)
	w.at(duringSurvey)
	w.send(zhang, "/survey")
	first := w.lastMsg(zhang.id)
	w.tap(zhang, "屋面修缮")
	_, oldToggle := w.lastData(zhang.id, "雨污管线")
	w.tap(zhang, "下一步")

	w.note("A button of a past step of the same survey: nothing changes.")
	w.press(zhang, first, oldToggle)

	w.note("The resident goes away, votes, and comes back three days later.")
	w.send(zhang, "/vote")
	w.tap(zhang, "同意改造")
	w.at(duringSurvey.Add(72 * time.Hour))
	w.send(zhang, "你好")
	w.send(zhang, "/survey")
	w.tap(zhang, "继续上次的调查")
	w.note("The first survey message lost its buttons; the draft went on where it was.")
	w.tap(zhang, "道路整治")
	w.tap(zhang, "下一步")

	w.note("The survey button of the receipt while a draft exists: continue or start over.")
	w.tap(zhang, "填写改造需求调查")
	_, staleData := w.lastData(zhang.id, "充电设施")
	w.tap(zhang, "重新开始")
	w.note("A button of the survey before it started over: stale.")
	w.press(zhang, w.lastMsg(zhang.id), staleData)

	w.note("Cancel drops the draft; its buttons are stale afterwards.")
	_, next := w.lastData(zhang.id, "下一步")
	w.tap(zhang, "取消")
	w.press(zhang, w.lastMsg(zhang.id), next)
	w.send(zhang, "/survey")
	w.note("/cancel in the middle of a survey drops it too.")
	w.send(zhang, "/cancel")
	w.send(zhang, "/survey")

	w.note("A worker's paper entry in the middle keeps a worker's own draft.")
	w.bind(worker, ref401)
	w.send(worker, "/survey")
	w.tap(worker, "屋面修缮")
	w.send(worker, "/paper 粮贸小区 3-2-302 同意")
	w.tap(worker, "跳过")
	w.tap(worker, "确认")
	w.send(worker, "/cancel")
	w.send(worker, "/survey")
	w.tap(worker, "继续上次的调查")

	w.note("The same Submit handled twice (after a crash): submitted once, the same answer.")
	w.at(duringSurvey.Add(96 * time.Hour))
	w.send(zhang, "/survey")
	w.tap(zhang, "继续上次的调查")
	for range 3 {
		w.tap(zhang, "下一步")
	}
	w.tap(zhang, "不愿意出资")
	w.tap(zhang, "跳过")
	w.tap(zhang, "完成")
	w.tap(zhang, "提交")
	w.again()
	if a, ok := w.answer(ref301); !ok || a.Actor != "tg:101" {
		w.t.Fatalf("answer = %+v", a)
	}
	w.checkCounts("liangmao")

	w.note("Eight days without touching it: the draft is gone.")
	w.at(duringSurvey.Add(72*time.Hour + 8*24*time.Hour))
	w.send(worker, "/survey")
}

// The survey's window: not yet open, closed, no survey for the compound, not
// bound; a draft whose window closes before Submit stores nothing.
func TestSurveyWindow(t *testing.T) { transcript(t, "survey_window", surveyWindow) }

func surveyWindow(w *world) {
	w.bind(zhang, ref301)
	w.bind(wang, refJin)
	w.note("Before the survey opens: the dates; a vote receipt offers no survey.")
	w.at(duringBallot)
	w.send(zhang, "/survey")
	w.send(zhang, "/vote")
	w.tap(zhang, "同意改造")
	w.note("A compound without a survey; someone not bound.")
	w.send(wang, "/survey")
	w.send(nobody, "/survey")
	w.press(nobody, 1, "s:go")

	w.note("A draft whose window closes before Submit: refused, nothing stored.")
	w.at(surveyCloses.Add(-time.Minute))
	w.send(zhang, "/survey")
	for range 3 {
		w.tap(zhang, "下一步")
	}
	w.tap(zhang, "不愿意出资")
	w.tap(zhang, "跳过")
	w.tap(zhang, "完成")
	w.at(surveyCloses)
	w.tap(zhang, "提交")
	if a, ok := w.answer(ref301); ok {
		w.t.Fatalf("answer stored after the close: %+v", a)
	}
	w.note("After the close.")
	w.send(zhang, "/survey")
	w.send(zhang, "/vote")
}

func TestParseSurveyData(t *testing.T) {
	for _, c := range []struct {
		data string
		ok   bool
	}{
		{"s:a1b2c3:0:u:0:9", true}, {"s:a1b2c3:12:g:10", true}, {"s:a1b2c3:3:c:0", true}, {"s:a1b2c3:6:ok", true},
		{"s:a1b2c3:0:r", true}, {"s:a1b2c3:0:new", true},
		{"s:a1b2c3:0:u:0", false}, {"s:a1b2c3:0:u:0:9:1", false}, {"s:a1b2c3:01:n", false}, {"s:a1b2c3:-1:n", false},
		{"s:a1b2c3:0:u:+1:2", false}, {"s:a1b2c:0:n", false}, {"s:zzzzzz:0:n", false}, {"s:a1b2c3:0:zap", false},
		{"s:a1b2c3:0:g:1000", false}, {"s:a1b2c3:x:n", false}, {"s:go:x", false}, {"x:a1b2c3:0:n", false},
	} {
		if _, ok := parseSurveyData(c.data); ok != c.ok {
			t.Errorf("%q: ok = %v, want %v", c.data, ok, c.ok)
		}
	}
}

// Forged survey buttons with indexes out of range, or of another step, change
// nothing; every button's data fits in 64 bytes (the harness checks).
func TestSurveyForgedIndexes(t *testing.T) {
	w := newWorld(t, newFakeStore(testProgramme(), testRegister()))
	w.bind(zhang, ref301)
	w.at(duringSurvey)
	w.send(zhang, "/survey")
	w.tap(zhang, "屋面修缮")
	msg, data := w.lastData(zhang.id, "下一步")
	id := strings.Split(data, ":")[1]
	for _, d := range []string{
		"s:" + id + ":0:u:0:10", // a building upgrade, not a must-do item
		"s:" + id + ":0:u:0:99", // no such item
		"s:" + id + ":0:u:1:0",  // another part than the step's
		"s:" + id + ":0:g:0",    // not the upgrade step
		"s:" + id + ":0:c:1",    // not the money step
		"s:" + id + ":0:ok",     // not the review
		"s:" + id + ":5:n",      // another step
		"s:" + id + ":0:b",      // no step before the first
		"s:000000:0:u:0:1",      // another draft
	} {
		resp := w.press(zhang, msg, d)
		if len(resp.Replies) != 0 || resp.CallbackText == "" {
			t.Errorf("%q: %+v", d, resp)
		}
	}
	s := w.session(zhang.id)
	if s.Survey == nil || s.Survey.Step != 0 || !slices.Equal(s.Survey.Urgent["building"], []string{"roof_repair"}) {
		t.Fatalf("draft = %+v", s.Survey)
	}
}

// session is the chat's stored session.
func (w *world) session(chat int64) Session {
	w.t.Helper()
	data, err := w.be.GetSession(context.Background(), SessionKey(chat))
	if err != nil {
		w.t.Fatal(err)
	}
	s, err := decodeSession(data)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

// A survey draft is stored with the survey TTL; a session without one with
// the session TTL.
func TestSurveyDraftTTL(t *testing.T) {
	f := newFakeStore(testProgramme(), testRegister())
	rec := &ttlRecorder{Store: f}
	e := New(Config{Store: rec, SessionTTL: time.Hour, SurveyTTL: 50 * time.Hour})
	ctx := context.Background()
	if err := f.Bind(ctx, zhang.id, ref301, 2, duringSurvey); err != nil {
		t.Fatal(err)
	}
	in := Input{UpdateID: 1, UserID: zhang.id, ChatID: zhang.id, Command: "survey", Text: "/survey"}
	if _, err := e.Handle(ctx, in, duringSurvey); err != nil {
		t.Fatal(err)
	}
	if rec.ttl != 50*time.Hour {
		t.Errorf("ttl with a draft = %v", rec.ttl)
	}
	s := Session{Flow: flowPaper, Step: stepHousehold, CompoundID: "liangmao", Updated: duringSurvey}
	// A paper flow expires with the session TTL, the draft with its own.
	d := &SurveyDraft{ID: "abcdef", CompoundID: "liangmao", HouseholdID: "3-2-301", Updated: duringSurvey}
	s.Survey = d
	ns := e.expire(s, duringSurvey.Add(2*time.Hour))
	if ns.Flow != "" || ns.Survey == nil {
		t.Errorf("after 2h: %+v", ns)
	}
	ns = e.expire(s, duringSurvey.Add(51*time.Hour))
	if ns.Survey != nil {
		t.Errorf("after 51h: %+v", ns)
	}
}

type ttlRecorder struct {
	Store
	ttl time.Duration
}

func (r *ttlRecorder) PutSession(ctx context.Context, key string, data []byte, ttl time.Duration) error {
	r.ttl = ttl
	return r.Store.PutSession(ctx, key, data, ttl)
}

// A failed Submit keeps the draft: pressing again works.
func TestSurveySubmitFails(t *testing.T) {
	w := newWorld(t, newFakeStore(testProgramme(), testRegister()))
	w.bind(zhang, ref301)
	w.at(duringSurvey)
	w.send(zhang, "/survey")
	for range 3 {
		w.tap(zhang, "下一步")
	}
	w.tap(zhang, "不愿意出资")
	w.tap(zhang, "跳过")
	w.tap(zhang, "完成")
	w.fail("SubmitSurvey", errDown)
	resp := w.tap(zhang, "提交")
	if !resp.CallbackAlert || len(resp.Replies) != 0 {
		t.Errorf("response = %+v", resp)
	}
	w.fail("SubmitSurvey", nil)
	if _, ok := w.answer(ref301); ok {
		t.Fatal("answer stored")
	}
	w.tap(zhang, "提交")
	if _, ok := w.answer(ref301); !ok {
		t.Fatal("no answer after the second press")
	}
}
