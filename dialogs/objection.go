package dialogs

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/renovote/renovote"
)

// /objection (异议): while the compound's publicity window (公示期) is open, a
// bound resident objects to what was recorded for the household. The bot
// shows the record, asks for the text, shows it back for confirmation and
// stores it (Objections.FileObjection, idempotent by the update's op id, the
// window checked by the store at the objection's time); the resident gets the
// objection's number, and the compound's workers and every admin get it in
// their private chat, the way problem reports reach them (replies to other
// chats). Buttons:
//
//	o:new        start an objection (from /myvote)
//	o:ok:<tok>   send the objection being written
//	o:x:<tok>    cancel it
//
// tok is the draft's id (Session.Objection), so buttons of an older draft are
// stale. Staff get
//
//	o:h:<compound>:<id>   mark handled, on the objection's own message
//	o:hl:<compound>:<id>  mark handled, on a /objections list (re-listed in place)
//
// checked again on the server side: workers of the compound and admins (the
// roles that act on problem reports, renovote.ActReports); the bureau reads
// the lists only. The resident is told when their objection is handled.
// /objections [compound] lists the open objections of the member's scope.

// Objections keep residents' objections. store.Store implements it.
type Objections interface {
	// FileObjection stores a new objection with status open and a fresh
	// short ID; idempotent by opID (the same objection is returned). It
	// checks the compound's publicity window at o.Created:
	// renovote.ErrObjectionNotOpen (also when there is none),
	// renovote.ErrObjectionClosed.
	FileObjection(ctx context.Context, o renovote.Objection, opID string) (renovote.Objection, error)
	Objection(ctx context.Context, compoundID, id string) (renovote.Objection, error)
	// Objections lists every objection of the compound, OpenObjections those
	// not answered; oldest first.
	Objections(ctx context.Context, compoundID string) ([]renovote.Objection, error)
	OpenObjections(ctx context.Context, compoundID string) ([]renovote.Objection, error)
	// AnswerObjection marks an open objection answered (renovote.Objection.
	// Answer); renovote.ErrConflict when it is not open. Idempotent by opID.
	AnswerObjection(ctx context.Context, compoundID, id, actor, note string, at time.Time, opID string) (renovote.Objection, error)
}

// objectionsOf is Config.Objections, or the Store when it keeps objections.
func objectionsOf(cfg Config) Objections {
	if cfg.Objections != nil {
		return cfg.Objections
	}
	if o, ok := cfg.Store.(Objections); ok {
		return o
	}
	return nil
}

// ObjectionDraft is an objection being written (flow "objection").
type ObjectionDraft struct {
	ID          string `json:"id"` // put on its buttons, like SurveyDraft.ID
	CompoundID  string `json:"compound"`
	HouseholdID string `json:"household"`
	Text        string `json:"text,omitempty"`
}

func (d *ObjectionDraft) ref() renovote.HouseholdRef {
	return renovote.HouseholdRef{CompoundID: d.CompoundID, HouseholdID: d.HouseholdID}
}

// objectionIDPattern is what an objection id may look like ("O3").
var objectionIDPattern = regexp.MustCompile(`^O[0-9]{1,19}$`)

// maxListedObjections is how many objections one /objections message lists.
const maxListedObjections = 20

// objectionCommand answers /objection and the o:new button.
func (t *turn) objectionCommand() (Response, error) {
	if t.e.objections == nil {
		return t.say(mObjectionUnavailable.s(t.l)), nil
	}
	ref, bound, err := t.e.store.Binding(t.ctx, t.in.UserID)
	if err != nil {
		return t.fail("binding", err)
	}
	if !bound {
		return t.say(mObjectionNotBound.s(t.l)), nil
	}
	p, c, h, err := t.household(ref)
	if err != nil {
		return t.fail("load household", err)
	}
	if h.Removed {
		return t.say(mHouseholdRemoved.s(t.l)), nil
	}
	if _, ok := p.Compound(ref.CompoundID); !ok || !c.HasPublicity() {
		return t.say(mObjectionNoWindow.s(t.l)), nil
	}
	loc := location(p)
	if c.Publicity.State(t.now) != renovote.Open {
		return t.say(t.windowRefusal(p, c, c.Publicity.State(t.now))), nil
	}
	cur, has, err := t.e.store.CurrentVote(t.ctx, ref)
	if err != nil {
		return t.fail("current vote", err)
	}
	d := &ObjectionDraft{ID: newDraftID("objection", t.in, t.now), CompoundID: ref.CompoundID, HouseholdID: ref.HouseholdID}
	t.s = Session{Flow: flowObjection, Objection: d}
	text := strings.Join([]string{
		mObjectionStart.f(t.l, fmtEnd(t.l, loc, c.Publicity.Closes)),
		"🏠 " + place(t.l, c, h),
		mObjectionRecorded.f(t.l, recordLine(t.l, loc, cur, has)),
		"",
		mObjectionAsk.f(t.l, renovote.MaxObjectionRunes),
	}, "\n")
	return t.sayButtons(text, [][]Button{{{Label: mBtnCancel.s(t.l), Data: "o:x:" + d.ID}}}), nil
}

// windowRefusal says why no objection can be made now.
func (t *turn) windowRefusal(p renovote.Programme, c renovote.Compound, st renovote.WindowState) string {
	loc := location(p)
	w := c.Publicity
	switch {
	case !c.HasPublicity():
		return mObjectionNoWindow.s(t.l)
	case st == renovote.Closed:
		return mObjectionOver.f(t.l, fmtEnd(t.l, loc, w.Closes))
	}
	return mObjectionNotYet.f(t.l, fmtTime(t.l, loc, w.Opens), fmtEnd(t.l, loc, w.Closes))
}

// objectionText is typed text while an objection is written: its text,
// shown back for confirmation. Typing again replaces it.
func (t *turn) objectionText() (Response, error) {
	d := t.s.Objection
	if d == nil {
		t.s = Session{}
		return t.say(mHint.s(t.l)), nil
	}
	if strings.TrimSpace(t.in.Text) == "" {
		return t.say(mObjectionBlank.s(t.l)), nil
	}
	if n := utf8.RuneCountInString(t.in.Text); n > renovote.MaxObjectionRunes {
		return t.say(mTextTooLong.f(t.l, renovote.MaxObjectionRunes, n)), nil
	}
	nd := *d
	nd.Text = t.in.Text // exactly as typed: data, shown back as plain text
	t.s.Objection = &nd
	return t.sayButtons(mObjectionCheck.f(t.l, nd.Text), [][]Button{
		{{Label: mBtnSubmit.s(t.l), Data: "o:ok:" + nd.ID}},
		{{Label: mBtnCancel.s(t.l), Data: "o:x:" + nd.ID}},
	}), nil
}

// objectionCallback handles the o: buttons of residents and of staff.
func (t *turn) objectionCallback(data string) (Response, error) {
	if data == "o:new" {
		return t.objectionCommand()
	}
	f := strings.Split(data, ":")
	if len(f) == 4 && (f[1] == "h" || f[1] == "hl") {
		return t.answerObjection(f)
	}
	if len(f) != 3 {
		return toast(mObjectionExpired.s(t.l)), nil
	}
	d := t.s.Objection
	if t.s.Flow != flowObjection || d == nil || d.ID != f[2] {
		if fin := t.finished; f[1] == "ok" && fin != nil && fin.Objection != "" && fin.Update == t.in.UpdateID {
			return t.objectionReplayed(fin)
		}
		return toast(mObjectionExpired.s(t.l)), nil
	}
	switch f[1] {
	case "x":
		t.s = Session{}
		return t.answer(mObjectionCancelled.s(t.l), nil), nil
	case "ok":
		if d.Text == "" {
			return alert(mObjectionBlank.s(t.l)), nil
		}
		return t.fileObjection(d)
	}
	return toast(mObjectionExpired.s(t.l)), nil
}

// fileObjection stores the objection and sends it to the compound's workers
// and the admins.
func (t *turn) fileObjection(d *ObjectionDraft) (Response, error) {
	notFiled := func(text string) (Response, error) {
		t.s = Session{}
		return t.answer(text+"\n"+mObjectionNotFiled.s(t.l), nil), nil
	}
	if t.e.objections == nil {
		return notFiled(mObjectionUnavailable.s(t.l))
	}
	ref, bound, err := t.e.store.Binding(t.ctx, t.in.UserID)
	if err != nil {
		return t.fail("binding", err)
	}
	if !bound || ref != d.ref() {
		return notFiled(mObjectionExpired.s(t.l))
	}
	o := renovote.Objection{CompoundID: ref.CompoundID, Household: ref, UserID: t.in.UserID, Text: d.Text,
		Status: renovote.ObjectionOpen, Created: t.now}
	if err := o.Validate(); err != nil {
		return notFiled(mObjectionExpired.s(t.l))
	}
	got, err := t.e.objections.FileObjection(t.ctx, o, t.opID())
	switch {
	case errors.Is(err, renovote.ErrObjectionClosed), errors.Is(err, renovote.ErrObjectionNotOpen):
		p, perr := t.e.store.Programme(t.ctx)
		if perr != nil {
			return t.fail("programme", perr)
		}
		c, _ := p.Compound(ref.CompoundID)
		st := renovote.NotOpen
		if errors.Is(err, renovote.ErrObjectionClosed) {
			st = renovote.Closed
		}
		return notFiled(t.windowRefusal(p, c, st))
	case errors.Is(err, renovote.ErrRemoved):
		return notFiled(mHouseholdRemoved.s(t.l))
	case errors.Is(err, renovote.ErrInvalid), errors.Is(err, renovote.ErrNotFound):
		return notFiled(mObjectionExpired.s(t.l))
	case err != nil:
		return t.fail("file objection", err)
	}
	t.s = Session{}
	t.finished = &Finished{Update: t.in.UpdateID, CompoundID: got.CompoundID, Objection: got.ID}
	return t.objectionFiled(got)
}

// objectionFiled tells the resident the objection's number and sends it to
// the staff who handle it.
func (t *turn) objectionFiled(o renovote.Objection) (Response, error) {
	p, err := t.e.store.Programme(t.ctx)
	if err != nil {
		return t.fail("programme", err)
	}
	resp := Response{Replies: []Reply{t.edit(mObjectionFiled.f(t.l, o.ID), nil)}, CallbackText: mObjectionFiledToast.s(t.l)}
	ids := slices.Clone(t.e.adminIDs)
	staff, err := t.e.store.StaffOf(t.ctx, o.CompoundID)
	if err != nil { // the objection is stored: the admins still get it, /objections lists it
		t.e.log.Warn("dialogs: list the compound's staff", "update", t.in.UpdateID, "err", err)
	}
	for _, m := range staff {
		if m.Role.Can(renovote.ActReports) { // not the bureau: it cannot act on objections
			ids = append(ids, m.UserID)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	text, err := t.staffObjectionText(p, o)
	if err != nil {
		return t.fail("objection for staff", err)
	}
	for _, id := range ids {
		resp.Replies = append(resp.Replies, Reply{ChatID: id, Text: text, Buttons: staffObjectionButtons(o, "h")})
	}
	return resp, nil
}

// objectionReplayed answers the same Submit update handled again: it was filed.
func (t *turn) objectionReplayed(f *Finished) (Response, error) {
	if t.e.objections == nil {
		return t.expired(), nil
	}
	o, err := t.e.objections.Objection(t.ctx, f.CompoundID, f.Objection)
	if err != nil {
		return t.fail("objection", err)
	}
	return t.objectionFiled(o)
}

// staffObjectionText is an objection as staff get it, in both languages:
// which household (an address, no name, no phone), when, what is recorded for
// it, the status, and the text exactly as typed.
func (t *turn) staffObjectionText(p renovote.Programme, o renovote.Objection) (string, error) {
	c, ok := p.Compound(o.CompoundID)
	if !ok {
		c = renovote.Compound{ID: o.CompoundID, Name: o.CompoundID}
	}
	loc := location(p)
	from := o.Household.HouseholdID
	if h, err := t.e.store.Household(t.ctx, o.Household); err == nil {
		from = householdLabel(zh, h)
	} else {
		t.e.log.Warn("dialogs: load the objecting household", "update", t.in.UpdateID, "err", err)
	}
	cur, has, err := t.e.store.CurrentVote(t.ctx, o.Household)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(mObjectionHead.f(zh, o.ID, c.Name) + "\n" + mObjectionHead.f(en, o.ID, c.Name) + "\n")
	b.WriteString(bi(mObjectionHousehold) + ": " + from + "\n")
	b.WriteString(bi(mObjectionFiledAt) + ": " + fmtTime(zh, loc, o.Created) + "\n")
	b.WriteString(bi(mObjectionRecord) + ": " + recordLine(zh, loc, cur, has) + "\n")
	status := objectionStatus(zh, loc, o) + " / " + objectionStatus(en, loc, o)
	if o.AnsweredBy != "" {
		status += " · " + o.AnsweredBy
	}
	b.WriteString(bi(mObjectionStatus) + ": " + status)
	if o.Note != "" {
		b.WriteString("\n" + mObjectionAnsweredNt.f(zh, o.Note))
	}
	b.WriteString("\n——\n" + o.Text)
	return b.String(), nil
}

// staffObjectionButtons is the button of an open objection ("h" on its own
// message, "hl" on a list).
func staffObjectionButtons(o renovote.Objection, kind string) [][]Button {
	if o.Status != renovote.ObjectionOpen {
		return nil
	}
	return [][]Button{{{Label: bi(mBtnObjectionHandled), Data: "o:" + kind + ":" + o.CompoundID + ":" + o.ID}}}
}

// answerObjection handles a staff button "o:h|hl:<compound>:<id>".
func (t *turn) answerObjection(f []string) (Response, error) {
	if t.e.objections == nil {
		return t.expired(), nil
	}
	if !renovote.ValidID(f[2]) || !objectionIDPattern.MatchString(f[3]) {
		return toast(mObjectionNotFound.s(t.l)), nil
	}
	m, ok, err := t.may(renovote.ActReports)
	if err != nil {
		return t.fail("staff member", err)
	}
	if !ok {
		return t.denied(m), nil
	}
	if !m.Covers(f[2]) {
		return t.outOfScope(m, f[2]), nil
	}
	p, err := t.e.store.Programme(t.ctx)
	if err != nil {
		return t.fail("programme", err)
	}
	o, err := t.e.objections.AnswerObjection(t.ctx, f[2], f[3], t.actor(), "", t.now, t.opID())
	toastText := mObjectionUpdated.s(t.l)
	switch {
	case errors.Is(err, renovote.ErrNotFound), errors.Is(err, renovote.ErrInvalid):
		return toast(mObjectionNotFound.s(t.l)), nil
	case errors.Is(err, renovote.ErrConflict):
		toastText = mObjectionAlready.s(t.l)
	case err != nil:
		return t.fail("answer objection", err)
	}
	var view Reply
	if f[1] == "hl" {
		c, ok := p.Compound(f[2])
		if !ok {
			c = renovote.Compound{ID: f[2], Name: f[2]}
		}
		open, err := t.e.objections.OpenObjections(t.ctx, c.ID)
		if err != nil {
			return t.fail("open objections", err)
		}
		text, buttons := t.objectionList(p, c, open, true)
		view = t.edit(text, buttons)
	} else {
		text, err := t.staffObjectionText(p, o)
		if err != nil {
			return t.fail("objection for staff", err)
		}
		view = t.edit(text, staffObjectionButtons(o, "h"))
	}
	resp := Response{Replies: []Reply{view}, CallbackText: toastText}
	if toastText == mObjectionUpdated.s(t.l) && o.UserID != 0 {
		told := mObjectionAnsweredTo.f(zh, o.ID) + "\n" + mObjectionAnsweredTo.f(en, o.ID)
		if o.Note != "" {
			told += "\n" + mObjectionAnsweredNt.f(zh, o.Note)
		}
		resp.Replies = append(resp.Replies, Reply{ChatID: o.UserID, Text: told})
	}
	return resp, nil
}

// listObjections answers /objections [compound] (staff, the bureau too): the
// open objections of one compound, or of every compound of the member's
// scope that has some, one message per compound, each with a button per
// objection for the roles that handle them.
func (t *turn) listObjections() (Response, error) {
	if t.e.objections == nil {
		return t.say(mObjectionUnavailable.s(t.l)), nil
	}
	m, p, resp, done, err := t.staffAct(renovote.ActResults)
	if done {
		return resp, err
	}
	compounds := inScope(p, m)
	if arg := strings.TrimSpace(t.in.Args); arg != "" {
		c, ok := p.CompoundByName(arg)
		if !ok {
			return t.say(mPaperUnknownCompound.s(t.l)), nil
		}
		if !m.Covers(c.ID) {
			return t.outOfScope(m, c.ID), nil
		}
		compounds = []renovote.Compound{c}
	}
	canAnswer := m.Role.Can(renovote.ActReports)
	var replies []Reply
	for _, c := range compounds {
		open, err := t.e.objections.OpenObjections(t.ctx, c.ID)
		if err != nil {
			return t.fail("open objections", err)
		}
		if len(open) == 0 && len(compounds) > 1 {
			continue
		}
		text, buttons := t.objectionList(p, c, open, canAnswer)
		replies = append(replies, Reply{Text: text, Buttons: buttons})
	}
	if len(replies) == 0 {
		return t.say(mObjectionsNone.f(t.l, fmtTime(t.l, location(p), t.now))), nil
	}
	return Response{Replies: replies}, nil
}

// objectionList is one compound's open objections: a line each (number,
// household, age, the start of the text) and, when buttons, one "handled"
// button each.
func (t *turn) objectionList(p renovote.Programme, c renovote.Compound, open []renovote.Objection, buttons bool) (string, [][]Button) {
	loc := location(p)
	lines := []string{mObjectionsHead.f(t.l, orID(c.Name, c.ID), len(open), fmtTime(t.l, loc, t.now))}
	var rows [][]Button
	for i, o := range open {
		if i == maxListedObjections {
			lines = append(lines, mObjectionsMore.f(t.l, len(open)-maxListedObjections))
			break
		}
		where := o.Household.HouseholdID
		if h, err := t.e.store.Household(t.ctx, o.Household); err == nil {
			where = householdLabel(t.l, h)
		}
		lines = append(lines, mObjectionLine.f(t.l, o.ID, where, age(t.l, t.now.Sub(o.Created))))
		if text := strings.Join(strings.Fields(o.Text), " "); text != "" {
			if rs := []rune(text); len(rs) > 60 {
				text = string(rs[:60]) + "…"
			}
			lines = append(lines, "   "+text)
		}
		if buttons {
			rows = append(rows, []Button{{Label: mObjectionHandledBtn.f(t.l, o.ID), Data: "o:hl:" + c.ID + ":" + o.ID}})
		}
	}
	return strings.Join(lines, "\n"), rows
}
