package dialogs

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/renovote/renovote"
)

// /survey: the renovation survey (摸底调查), one question per step in one
// message that is edited as the resident moves on:
//
//	one step per menu part: up to renovote.MaxUrgent must-do items, in order
//	the upgrades of all parts, any number
//	the money question: no, or a contribution band
//	a comment, typed (or skipped)
//	photos, sent as messages, then Done
//	the review, then Submit
//
// Buttons carry "s:<draft id>:<step>:<action>[:<arg>...]":
//
//	u:<part>:<item>  toggle a must-do item (indexes in the menu's order)
//	g:<item>         toggle an upgrade (index among the menu's upgrades)
//	c:<band>         the money question: 0 no, 1.. the programme's bands
//	n next, b back, x cancel, k skip the comment, kc clear it, d photos done,
//	pc remove the photos, e change (back to step 1), ok submit,
//	r continue an unfinished draft, new start over
//
// and "s:go" (after a vote receipt) starts or continues the survey. A button
// of another draft (cancelled, or replaced by a newer one) or of another step
// changes nothing. The draft lives in the session (Session.Survey) for the
// survey TTL; the household comes from the sender's binding when submitting.

// maxPhotoBytes is the largest photo accepted (10 MB).
const maxPhotoBytes = 10 << 20

type stepKind int

const (
	stepUrgent stepKind = iota
	stepUpgrades
	stepContribute
	stepComment
	stepPhotos
	stepReview
)

// surveyStep is one step of a programme's survey; part is a menu part index
// for stepUrgent.
type surveyStep struct {
	kind stepKind
	part int
}

// surveySteps lists the steps of the programme's survey: one per menu part
// with must-do items, the upgrades if there are any, the money question, the
// comment, the photos and the review (always last).
func surveySteps(p renovote.Programme) []surveyStep {
	req := p.Menu.RequiredClasses()
	var out []surveyStep
	for i, part := range p.Menu.Parts {
		if slices.ContainsFunc(part.Items, func(it renovote.MenuItem) bool { return req[it.Class] }) {
			out = append(out, surveyStep{kind: stepUrgent, part: i})
		}
	}
	if len(p.Menu.Upgrades()) > 0 {
		out = append(out, surveyStep{kind: stepUpgrades})
	}
	return append(out, surveyStep{kind: stepContribute}, surveyStep{kind: stepComment},
		surveyStep{kind: stepPhotos}, surveyStep{kind: stepReview})
}

// surveyEnv is what a survey step is drawn from.
type surveyEnv struct {
	p     renovote.Programme
	c     renovote.Compound
	h     renovote.Household
	steps []surveyStep
	loc   *time.Location
}

func (t *turn) surveyEnv(ref renovote.HouseholdRef) (surveyEnv, error) {
	p, c, h, err := t.household(ref)
	if err != nil {
		return surveyEnv{}, err
	}
	return surveyEnv{p: p, c: c, h: h, steps: surveySteps(p), loc: location(p)}, nil
}

// cur is the draft's step, clamped to the steps of the programme (which may
// have changed since the draft began).
func (env surveyEnv) cur(d *SurveyDraft) surveyStep {
	if d.Step < 0 || d.Step >= len(env.steps) {
		d.Step = len(env.steps) - 1
	}
	return env.steps[d.Step]
}

func hasSurvey(c renovote.Compound) bool {
	return !c.Survey.Opens.IsZero() || !c.Survey.Closes.IsZero()
}

// newDraftID makes a short id (6 hex digits) for a new draft's buttons.
func newDraftID(kind string, in Input, now time.Time) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "renovote/%s\x00%d\x00%d\x00%d", kind, in.UserID, in.UpdateID, now.UnixNano()))
	return hex.EncodeToString(sum[:3])
}

// surveyCommand answers /survey and the survey button of a vote receipt.
func (t *turn) surveyCommand() (Response, error) {
	st := t.e.store
	ref, bound, err := st.Binding(t.ctx, t.in.UserID)
	if err != nil {
		return t.fail("binding", err)
	}
	if !bound {
		return t.say(mSurveyNotBound.s(t.l)), nil
	}
	env, err := t.surveyEnv(ref)
	if err != nil {
		return t.fail("load household", err)
	}
	if env.h.Removed {
		t.dropSurvey()
		return t.say(mHouseholdRemoved.s(t.l)), nil
	}
	c, ok := env.p.Compound(ref.CompoundID)
	if !ok || !hasSurvey(c) {
		t.dropSurvey()
		return t.say(mSurveyNone.s(t.l)), nil
	}
	if c.Survey.State(t.now) != renovote.Open {
		t.dropSurvey()
		return t.say(t.surveyWindowText(env)), nil
	}
	if d := t.survey; d != nil && d.ref() == ref {
		t.s = Session{Flow: flowSurvey}
		env.cur(d)
		tok := "s:" + d.ID + ":" + strconv.Itoa(d.Step) + ":"
		return t.sayButtons(mSurveyResume.s(t.l), [][]Button{
			{{Label: mBtnSurveyContinue.s(t.l), Data: tok + "r"}},
			{{Label: mBtnSurveyRestart.s(t.l), Data: tok + "new"}},
		}), nil
	}
	d, err := t.newSurveyDraft(env, ref)
	if err != nil {
		return t.fail("survey answer", err)
	}
	text, buttons := t.surveyView(env, d)
	return t.sayButtons(text, buttons), nil
}

// newSurveyDraft starts a draft for the household, prefilled from its
// current answer if it has one (then at the review).
func (t *turn) newSurveyDraft(env surveyEnv, ref renovote.HouseholdRef) (*SurveyDraft, error) {
	prev, has, err := t.e.store.SurveyAnswer(t.ctx, ref)
	if err != nil {
		return nil, err
	}
	d := &SurveyDraft{ID: newDraftID("survey", t.in, t.now), CompoundID: ref.CompoundID, HouseholdID: ref.HouseholdID}
	if d.ID == t.surveyID() {
		d.ID = newDraftID("survey", Input{UserID: t.in.UserID, UpdateID: t.in.UpdateID + 1}, t.now)
	}
	if has {
		d.Urgent = map[string][]string{}
		for k, v := range prev.Urgent {
			if len(v) > 0 {
				d.Urgent[k] = slices.Clone(v)
			}
		}
		d.Upgrades = slices.Clone(prev.Upgrades)
		d.Answered, d.Contribute, d.Band = true, prev.Contribute, prev.Band
		d.Comment, d.Photos = prev.Comment, slices.Clone(prev.Photos)
		d.Prefilled = prev.At
		if d.Prefilled.IsZero() {
			d.Prefilled = t.now
		}
		d.Step = len(env.steps) - 1
	}
	t.s = Session{Flow: flowSurvey}
	t.keepSurvey(d)
	return d, nil
}

func (t *turn) surveyID() string {
	if t.survey == nil {
		return ""
	}
	return t.survey.ID
}

// keepSurvey stores the changed draft in the session.
func (t *turn) keepSurvey(d *SurveyDraft) {
	d.Updated = t.now
	t.survey = d
}

// dropSurvey forgets the draft (and ends the survey flow).
func (t *turn) dropSurvey() {
	t.survey = nil
	if t.s.Flow == flowSurvey {
		t.s = Session{}
	}
}

// surveyWindowText says when the survey is open and why one cannot answer now.
func (t *turn) surveyWindowText(env surveyEnv) string {
	w := env.c.Survey
	line := mSurveyWindow.f(t.l, fmtTime(t.l, env.loc, w.Opens), fmtEnd(t.l, env.loc, w.Closes))
	if w.State(t.now) == renovote.NotOpen {
		return mSurveyNotOpen.f(t.l, fmtTime(t.l, env.loc, w.Opens)) + "\n" + line
	}
	return mSurveyClosed.f(t.l, fmtEnd(t.l, env.loc, w.Closes)) + "\n" + line
}

// surveyPress is a parsed survey button.
type surveyPress struct {
	id     string
	step   int
	action string
	args   []int
}

// surveyArgs is how many numbers each action takes.
var surveyArgs = map[string]int{"u": 2, "g": 1, "c": 1, "n": 0, "b": 0, "x": 0, "k": 0, "kc": 0,
	"d": 0, "pc": 0, "e": 0, "ok": 0, "r": 0, "new": 0}

// parseSurveyData reads "s:<id>:<step>:<action>[:<n>...]"; every number is
// canonical (no sign, no leading zero) and small.
func parseSurveyData(data string) (surveyPress, bool) {
	f := strings.Split(data, ":")
	if len(f) < 4 || f[0] != "s" || len(f[1]) != 6 {
		return surveyPress{}, false
	}
	if _, err := hex.DecodeString(f[1]); err != nil {
		return surveyPress{}, false
	}
	n, ok := surveyArgs[f[3]]
	if !ok || len(f) != 4+n {
		return surveyPress{}, false
	}
	nums := make([]int, 0, 1+n)
	for _, s := range append([]string{f[2]}, f[4:]...) {
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 || v > 999 || strconv.Itoa(v) != s {
			return surveyPress{}, false
		}
		nums = append(nums, v)
	}
	return surveyPress{id: f[1], step: nums[0], action: f[3], args: nums[1:]}, true
}

// surveyCallback handles the survey's buttons.
func (t *turn) surveyCallback(data string) (Response, error) {
	if data == "s:go" {
		return t.surveyCommand()
	}
	pr, ok := parseSurveyData(data)
	if !ok {
		return toast(mSurveyExpired.s(t.l)), nil
	}
	d := t.survey
	if d == nil || d.ID != pr.id {
		if f := t.finished; pr.action == "ok" && f != nil && f.Report == "" && f.Notice == "" && f.Update == t.in.UpdateID {
			return t.surveyReplayed(f)
		}
		return toast(mSurveyExpired.s(t.l)), nil
	}
	if pr.step != d.Step {
		return toast(mSurveyOldStep.s(t.l)), nil
	}
	env, err := t.surveyEnv(d.ref())
	if errors.Is(err, renovote.ErrNotFound) {
		t.dropSurvey()
		return toast(mSurveyExpired.s(t.l)), nil
	}
	if err != nil {
		return t.fail("load household", err)
	}
	cur := env.cur(d)
	if pr.step != d.Step { // the programme lost steps
		return t.surveyShow(env, d), nil
	}
	// A press on the survey is the conversation going on now.
	t.s = Session{Flow: flowSurvey}
	switch pr.action {
	case "x":
		return t.surveyCancel(true)
	case "r":
		return t.surveyShow(env, d), nil
	case "new":
		nd, err := t.newSurveyDraft(env, d.ref())
		if err != nil {
			return t.fail("survey answer", err)
		}
		nd.MessageID = d.MessageID
		return t.surveyShow(env, nd), nil
	case "b":
		if d.Step == 0 {
			return toast(mSurveyOldStep.s(t.l)), nil
		}
		d.Step--
		return t.surveyShow(env, d), nil
	}
	switch {
	case pr.action == "n" && (cur.kind == stepUrgent || cur.kind == stepUpgrades):
		d.Step++
	case pr.action == "u" && cur.kind == stepUrgent && pr.args[0] == cur.part:
		return t.toggleUrgent(env, d, pr.args[1])
	case pr.action == "g" && cur.kind == stepUpgrades:
		return t.toggleUpgrade(env, d, pr.args[0])
	case pr.action == "c" && cur.kind == stepContribute:
		bands := env.p.Bands()
		k := pr.args[0]
		if k > len(bands) {
			return toast(mSurveyOldStep.s(t.l)), nil
		}
		d.Answered, d.Contribute, d.Band = true, k > 0, ""
		if k > 0 {
			d.Band = bands[k-1].ID
		}
		d.Step++
	case pr.action == "k" && cur.kind == stepComment:
		d.Step++
	case pr.action == "kc" && cur.kind == stepComment:
		d.Comment = ""
	case pr.action == "d" && cur.kind == stepPhotos:
		d.Step++
	case pr.action == "pc" && cur.kind == stepPhotos:
		d.Photos = nil
	case pr.action == "e" && cur.kind == stepReview:
		d.Step = 0
	case pr.action == "ok" && cur.kind == stepReview:
		return t.surveySubmit(env, d)
	default:
		return toast(mSurveyOldStep.s(t.l)), nil
	}
	return t.surveyShow(env, d), nil
}

func (t *turn) toggleUrgent(env surveyEnv, d *SurveyDraft, i int) (Response, error) {
	part := env.p.Menu.Parts[env.cur(d).part]
	if i >= len(part.Items) || !env.p.Menu.RequiredClasses()[part.Items[i].Class] {
		return toast(mSurveyOldStep.s(t.l)), nil
	}
	id := part.Items[i].ID
	chosen := d.Urgent[part.ID]
	if k := slices.Index(chosen, id); k >= 0 {
		chosen = slices.Delete(slices.Clone(chosen), k, k+1)
	} else if len(chosen) >= renovote.MaxUrgent {
		return alert(mSurveyMaxUrgent.f(t.l, renovote.MaxUrgent)), nil
	} else {
		chosen = append(slices.Clone(chosen), id)
	}
	if d.Urgent == nil {
		d.Urgent = map[string][]string{}
	}
	d.Urgent[part.ID] = chosen
	if len(chosen) == 0 {
		delete(d.Urgent, part.ID)
	}
	return t.surveyShow(env, d), nil
}

func (t *turn) toggleUpgrade(env surveyEnv, d *SurveyDraft, i int) (Response, error) {
	items := env.p.Menu.Upgrades()
	if i >= len(items) {
		return toast(mSurveyOldStep.s(t.l)), nil
	}
	want := map[string]bool{}
	for _, id := range d.Upgrades {
		want[id] = true
	}
	want[items[i].ID] = !want[items[i].ID]
	d.Upgrades = nil // rebuilt in menu order
	for _, it := range items {
		if want[it.ID] {
			d.Upgrades = append(d.Upgrades, it.ID)
		}
	}
	return t.surveyShow(env, d), nil
}

// surveyEdit shows text in the message of the pressed button; the draft's
// earlier message, if another, loses its buttons, so that one message is live.
func (t *turn) surveyEdit(d *SurveyDraft, text string, buttons [][]Button) []Reply {
	var out []Reply
	if d != nil && d.MessageID != 0 && d.MessageID != t.in.MessageID {
		out = append(out, Reply{Text: mSurveyMoved.s(t.l), EditMessageID: d.MessageID})
	}
	if d != nil {
		d.MessageID = t.in.MessageID
	}
	return append(out, t.edit(text, buttons))
}

// surveyShow shows the draft's current step in the pressed button's message.
func (t *turn) surveyShow(env surveyEnv, d *SurveyDraft) Response {
	t.keepSurvey(d)
	text, buttons := t.surveyView(env, d)
	return Response{Replies: t.surveyEdit(d, text, buttons)}
}

// surveyNext shows the draft's current step as a new message after typed
// input; the draft's earlier message loses its buttons.
func (t *turn) surveyNext(env surveyEnv, d *SurveyDraft) Response {
	t.keepSurvey(d)
	var out []Reply
	if d.MessageID != 0 {
		out = append(out, Reply{Text: mSurveyMoved.s(t.l), EditMessageID: d.MessageID})
		d.MessageID = 0
	}
	text, buttons := t.surveyView(env, d)
	return Response{Replies: append(out, Reply{Text: text, Buttons: buttons})}
}

// surveyCancel drops the draft; pressed: the Cancel button of the survey.
func (t *turn) surveyCancel(pressed bool) (Response, error) {
	d := t.survey
	t.survey = nil
	t.s = Session{}
	text := mSurveyCancelled.s(t.l)
	if d != nil && !d.Prefilled.IsZero() {
		text = mSurveyCancelledKept.s(t.l)
	}
	if pressed {
		return Response{Replies: t.surveyEdit(d, text, nil)}, nil
	}
	return t.say(text), nil
}

// surveyText is typed text during the survey: the comment, or a reminder.
func (t *turn) surveyText() (Response, error) {
	d := t.survey
	if d == nil {
		t.s = Session{}
		return t.say(mHint.s(t.l)), nil
	}
	env, err := t.surveyEnv(d.ref())
	if err != nil {
		return t.fail("load household", err)
	}
	cur := env.cur(d)
	if cur.kind != stepComment || strings.TrimSpace(t.in.Text) == "" {
		return t.say(t.surveyReminder(env, cur)), nil
	}
	if n := utf8.RuneCountInString(t.in.Text); n > renovote.MaxCommentRunes {
		return t.say(mTextTooLong.f(t.l, renovote.MaxCommentRunes, n)), nil
	}
	d.Comment = t.in.Text // exactly as typed: it is data, shown back as plain text
	d.Step++
	return t.surveyNext(env, d), nil
}

// surveyReminder says what the current step expects; nothing changes.
func (t *turn) surveyReminder(env surveyEnv, cur surveyStep) string {
	var m msg
	switch cur.kind {
	case stepUrgent, stepUpgrades:
		m = mSurveyExpectItems
	case stepContribute:
		m = mSurveyExpectContribute
	case stepComment:
		m = mSurveyExpectComment
	case stepPhotos:
		m = mSurveyExpectPhoto
	default:
		m = mSurveyExpectSubmit
	}
	return m.s(t.l) + "\n" + mSurveyFindIt.s(t.l)
}

// surveyPhoto is a photo sent during the survey.
func (t *turn) surveyPhoto() (Response, error) {
	d := t.survey
	if d == nil {
		t.s = Session{}
		return t.say(mHint.s(t.l)), nil
	}
	env, err := t.surveyEnv(d.ref())
	if err != nil {
		return t.fail("load household", err)
	}
	cur := env.cur(d)
	if cur.kind != stepPhotos {
		return t.say(mSurveyPhotoNotNow.s(t.l) + "\n" + t.surveyReminder(env, cur)), nil
	}
	done := [][]Button{{{Label: mBtnDone.s(t.l), Data: "s:" + d.ID + ":" + strconv.Itoa(d.Step) + ":d"}}}
	ph, problem := t.checkPhoto(len(d.Photos), mBtnDone)
	if problem != "" {
		return t.sayButtons(problem, done), nil
	}
	d.Photos = append(d.Photos, ph)
	t.keepSurvey(d)
	return t.sayButtons(photoReceived(t.l, len(d.Photos), mBtnDone), done), nil
}

// checkPhoto checks the photo of the input against the limits, have being
// the photos kept so far; it returns the photo, or why it is refused.
func (t *turn) checkPhoto(have int, done msg) (renovote.Photo, string) {
	switch {
	case have >= renovote.MaxSurveyPhotos:
		return renovote.Photo{}, mPhotoTooMany.f(t.l, renovote.MaxSurveyPhotos, done.s(t.l))
	case t.in.PhotoSize > maxPhotoBytes:
		return renovote.Photo{}, mPhotoTooBig.f(t.l, maxPhotoBytes>>20)
	}
	if n := utf8.RuneCountInString(t.in.Text); n > renovote.MaxCaptionRunes {
		return renovote.Photo{}, mCaptionTooLong.f(t.l, renovote.MaxCaptionRunes, n)
	}
	return renovote.Photo{FileID: t.in.PhotoFileID, Caption: t.in.Text}, ""
}

func photoReceived(l lang, n int, done msg) string {
	if left := renovote.MaxSurveyPhotos - n; left > 0 {
		return mPhotoReceived.f(l, n, left, done.s(l))
	}
	return mPhotoReceivedFull.f(l, n, done.s(l))
}

// answer is the draft as a survey answer.
func (d *SurveyDraft) answer(actor string, at time.Time) renovote.SurveyAnswer {
	a := renovote.SurveyAnswer{Ref: d.ref(), Upgrades: slices.Clone(d.Upgrades), Contribute: d.Contribute,
		Band: d.Band, Comment: d.Comment, Photos: slices.Clone(d.Photos), Actor: actor, At: at}
	for k, v := range d.Urgent {
		if len(v) > 0 {
			if a.Urgent == nil {
				a.Urgent = map[string][]string{}
			}
			a.Urgent[k] = slices.Clone(v)
		}
	}
	if !d.Contribute {
		a.Band = ""
	}
	return a
}

// surveySubmit stores the draft as the household's answer.
func (t *turn) surveySubmit(env surveyEnv, d *SurveyDraft) (Response, error) {
	ref, bound, err := t.e.store.Binding(t.ctx, t.in.UserID)
	if err != nil {
		return t.fail("binding", err)
	}
	if !bound || ref != d.ref() {
		t.dropSurvey()
		text := mSurveyHouseholdChanged.s(t.l)
		return Response{Replies: t.surveyEdit(d, text, nil), CallbackText: text, CallbackAlert: true}, nil
	}
	a := d.answer(t.actor(), t.now)
	refuse := func(text string) (Response, error) {
		t.dropSurvey()
		text += "\n" + mSurveyNotSubmitted.s(t.l)
		return Response{Replies: t.surveyEdit(d, text, nil), CallbackText: text, CallbackAlert: true}, nil
	}
	if err := a.Validate(env.p); err != nil {
		return refuse(mSurveyStale.s(t.l))
	}
	err = t.e.store.SubmitSurvey(t.ctx, a, t.opID())
	switch {
	case errors.Is(err, renovote.ErrSurveyClosed), errors.Is(err, renovote.ErrSurveyNotOpen):
		return refuse(t.surveyWindowText(env))
	case errors.Is(err, renovote.ErrRemoved):
		return refuse(mHouseholdRemoved.s(t.l))
	case errors.Is(err, renovote.ErrInvalid):
		return refuse(mSurveyStale.s(t.l))
	case err != nil:
		return t.fail("submit survey", err)
	}
	t.survey, t.s = nil, Session{}
	t.finished = &Finished{Update: t.in.UpdateID, CompoundID: d.CompoundID}
	text := mSurveySubmitted.f(t.l, fmtEnd(t.l, env.loc, env.c.Survey.Closes))
	return Response{Replies: t.surveyEdit(d, text, nil), CallbackText: mSurveySubmittedToast.s(t.l)}, nil
}

// surveyReplayed answers the same Submit update handled again: it was submitted.
func (t *turn) surveyReplayed(f *Finished) (Response, error) {
	p, err := t.e.store.Programme(t.ctx)
	if err != nil {
		return t.fail("programme", err)
	}
	c, _ := p.Compound(f.CompoundID)
	text := mSurveySubmitted.f(t.l, fmtEnd(t.l, location(p), c.Survey.Closes))
	return Response{Replies: []Reply{t.edit(text, nil)}, CallbackText: mSurveySubmittedToast.s(t.l)}, nil
}

// surveyButton is offered under a vote receipt while the survey is open.
func (t *turn) surveyButton(c renovote.Compound) []Button {
	if !hasSurvey(c) || c.Survey.State(t.now) != renovote.Open {
		return nil
	}
	return []Button{{Label: mBtnSurvey.s(t.l), Data: "s:go"}}
}
