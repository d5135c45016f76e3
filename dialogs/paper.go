package dialogs

import (
	"errors"
	"strings"

	"github.com/renovote/renovote"
)

// /paper: a community worker enters a paper ballot (纸质表决票) or a proxy
// (委托书) for a household, step by step:
//
//	compound  "p:c:<compound id>" (or the name typed)
//	household typed: "3-2-301", "3 2 301", "3栋2单元301"
//	choice    "p:v:paper:a" "p:v:paper:d" "p:v:proxy:a" "p:v:proxy:d"
//	evidence  a photo, or "p:skip"
//	confirm   "p:ok" records, "p:x" cancels (at any step)
//
// The shortcut "/paper <compound> <building-unit-room> <agree|disagree> [paper|proxy]"
// jumps to the evidence step.

// maxCompoundButtons is how many compounds are offered as buttons; with more,
// the worker types the compound's name or id.
const maxCompoundButtons = 24

func (t *turn) paperCommand() (Response, error) {
	m, p, resp, done, err := t.staffAct(renovote.ActPaper)
	if done {
		return resp, err
	}
	if args := strings.TrimSpace(t.in.Args); args != "" {
		return t.paperShortcut(p, m, args)
	}
	scope := inScope(p, m)
	if len(scope) == 0 {
		return t.say(mNoticeNoCompounds.s(t.l)), nil
	}
	if len(scope) == 1 { // a worker of one compound: no need to choose
		return t.selectCompound(p, scope[0]), nil
	}
	t.s = Session{Flow: flowPaper, Step: stepCompound}
	if len(scope) > maxCompoundButtons {
		return t.say(mPaperTypeCompound.s(t.l)), nil
	}
	var buttons [][]Button
	for _, c := range scope {
		buttons = append(buttons, []Button{{Label: c.Name, Data: "p:c:" + c.ID}})
	}
	return t.sayButtons(mPaperChooseCompound.s(t.l), buttons), nil
}

// paperAllowed checks, at every step of the paper flow, that the sender may
// still record paper ballots.
func (t *turn) paperAllowed() (renovote.StaffMember, *Response, error) {
	m, ok, err := t.may(renovote.ActPaper)
	if err != nil || ok {
		return m, nil, err
	}
	r := t.denied(m)
	return m, &r, nil
}

// paperShortcut reads "<compound> <building-unit-room> <agree|disagree> [paper|proxy]".
func (t *turn) paperShortcut(p renovote.Programme, m renovote.StaffMember, args string) (Response, error) {
	f := strings.Fields(args)
	ch := renovote.ChannelPaper
	if len(f) > 0 {
		if c, ok := parsePaperChannel(f[len(f)-1]); ok {
			ch, f = c, f[:len(f)-1]
		}
	}
	if len(f) < 3 {
		return t.say(mPaperUsage.s(t.l)), nil
	}
	choice, err := renovote.ParseChoice(strings.ToLower(f[len(f)-1]))
	if err != nil {
		return t.say(mPaperUsage.s(t.l)), nil
	}
	c, ok := p.CompoundByName(f[0])
	if !ok {
		return t.say(mPaperUnknownCompound.s(t.l) + "\n\n" + mPaperUsage.s(t.l)), nil
	}
	if !m.Covers(c.ID) {
		return t.outOfScope(m, c.ID), nil
	}
	if r, closed := t.paperWindow(p, c); closed {
		return r, nil
	}
	h, found, err := t.findHousehold(c.ID, strings.Join(f[1:len(f)-1], " "))
	if err != nil {
		return t.fail("find household", err)
	}
	if !found {
		return t.say(mPaperNoSuchHousehold.f(t.l, c.Name)), nil
	}
	head, err := t.paperHouseholdText(p, c, h)
	if err != nil {
		return t.fail("current vote", err)
	}
	t.s = Session{Flow: flowPaper, Step: stepEvidence, CompoundID: c.ID, HouseholdID: h.ID, Choice: choice, Channel: ch}
	text := head + "\n\n" + mPaperWillRecord.f(t.l, channelLabel(t.l, ch), choiceLabel(t.l, choice)) + "\n" + mPaperAskEvidence.s(t.l)
	return t.sayButtons(text, t.skipButtons()), nil
}

func parsePaperChannel(s string) (renovote.Channel, bool) {
	switch strings.ToLower(s) {
	case "paper", "纸质", "纸质票":
		return renovote.ChannelPaper, true
	case "proxy", "委托", "委托书":
		return renovote.ChannelProxy, true
	}
	return "", false
}

// paperWindow ends the flow when the compound's ballot is not open now.
func (t *turn) paperWindow(p renovote.Programme, c renovote.Compound) (Response, bool) {
	if c.Ballot.State(t.now) == renovote.Open {
		return Response{}, false
	}
	t.s = Session{}
	text := c.Name + "\n" + windowStateLine(t.l, location(p), c.Ballot, t.now)
	return t.answer(text, nil), true
}

// answer edits the pressed button's message, or sends a message for typed input.
func (t *turn) answer(text string, buttons [][]Button) Response {
	if t.in.Callback != "" && t.in.MessageID > 0 {
		return Response{Replies: []Reply{t.edit(text, buttons)}}
	}
	return t.sayButtons(text, buttons)
}

func (t *turn) paperCallback(d string) (Response, error) {
	m, refused, err := t.paperAllowed()
	if err != nil {
		if isVoteAction(t.in) {
			return t.failVote("staff member", err)
		}
		return t.fail("staff member", err)
	}
	if refused != nil {
		return *refused, nil
	}
	rest := strings.TrimPrefix(d, "p:")
	if id, ok := strings.CutPrefix(rest, "c:"); ok && !m.Covers(id) { // forged: whatever the flow
		return t.outOfScope(m, id), nil
	}
	if t.s.Flow != flowPaper {
		return t.paperExpired(), nil
	}
	switch {
	case rest == "x":
		t.s = Session{}
		return t.answer(mPaperCancelled.s(t.l), nil), nil
	case strings.HasPrefix(rest, "c:"):
		id := strings.TrimPrefix(rest, "c:")
		p, err := t.e.store.Programme(t.ctx)
		if err != nil {
			return t.fail("programme", err)
		}
		c, ok := p.Compound(id)
		if !ok || t.s.Step != stepCompound {
			return t.paperExpired(), nil
		}
		return t.selectCompound(p, c), nil
	case strings.HasPrefix(rest, "v:") && t.s.Step == stepChoice:
		return t.paperChoice(rest)
	case rest == "skip" && t.s.Step == stepEvidence:
		t.s.Step = stepConfirm
		return t.paperSummary()
	case rest == "ok" && t.s.Step == stepConfirm:
		return t.paperConfirm(m)
	case rest == "ok" && t.s.DoneUpdate != 0 && t.s.DoneUpdate == t.in.UpdateID:
		return t.paperConfirm(m) // the same confirmation again: the store replays it
	}
	return t.paperExpired(), nil
}

func (t *turn) paperExpired() Response {
	return Response{CallbackText: mPaperButtonExpired.s(t.l)}
}

func (t *turn) selectCompound(p renovote.Programme, c renovote.Compound) Response {
	if r, closed := t.paperWindow(p, c); closed {
		return r
	}
	t.s = Session{Flow: flowPaper, Step: stepHousehold, CompoundID: c.ID}
	return t.answer(mPaperAskHousehold.f(t.l, c.Name), nil)
}

// paperText is typed text during the paper flow.
func (t *turn) paperText() (Response, error) {
	m, refused, err := t.paperAllowed()
	if err != nil {
		return t.fail("staff member", err)
	}
	if refused != nil {
		return *refused, nil
	}
	text := strings.TrimSpace(t.in.Text)
	switch t.s.Step {
	case stepCompound:
		p, err := t.e.store.Programme(t.ctx)
		if err != nil {
			return t.fail("programme", err)
		}
		c, ok := p.CompoundByName(text)
		if !ok {
			return t.paperReminder(), nil
		}
		if !m.Covers(c.ID) {
			return t.outOfScope(m, c.ID), nil
		}
		return t.selectCompound(p, c), nil
	case stepHousehold:
		return t.paperHousehold(text)
	}
	return t.paperReminder(), nil
}

// paperPhoto is a photo during the paper flow: the evidence, or out of place.
func (t *turn) paperPhoto() (Response, error) {
	if _, refused, err := t.paperAllowed(); err != nil {
		return t.fail("staff member", err)
	} else if refused != nil {
		return *refused, nil
	}
	if t.s.Step != stepEvidence {
		return t.paperReminder(), nil
	}
	t.s.Evidence = t.in.PhotoFileID
	t.s.Step = stepConfirm
	return t.paperSummary()
}

// paperReminder says what the current step expects; nothing changes.
func (t *turn) paperReminder() Response {
	switch t.s.Step {
	case stepCompound:
		return t.say(mPaperExpectCompound.s(t.l))
	case stepHousehold:
		return t.say(mPaperExpectHousehold.s(t.l))
	case stepChoice:
		return t.sayButtons(mPaperExpectChoice.s(t.l), t.choiceButtons())
	case stepEvidence:
		return t.sayButtons(mPaperExpectEvidence.s(t.l), t.skipButtons())
	}
	return t.sayButtons(mPaperExpectConfirm.s(t.l), t.confirmButtons())
}

func (t *turn) choiceButtons() [][]Button {
	l := t.l
	return [][]Button{
		{{Label: mBtnPaperAgree.s(l), Data: "p:v:paper:a"}, {Label: mBtnPaperDisagree.s(l), Data: "p:v:paper:d"}},
		{{Label: mBtnProxyAgree.s(l), Data: "p:v:proxy:a"}, {Label: mBtnProxyDisagree.s(l), Data: "p:v:proxy:d"}},
		{{Label: mBtnCancel.s(l), Data: "p:x"}},
	}
}

func (t *turn) skipButtons() [][]Button {
	return [][]Button{{{Label: mBtnSkip.s(t.l), Data: "p:skip"}}, {{Label: mBtnCancel.s(t.l), Data: "p:x"}}}
}

func (t *turn) confirmButtons() [][]Button {
	return [][]Button{{{Label: mBtnConfirm.s(t.l), Data: "p:ok"}}, {{Label: mBtnCancel.s(t.l), Data: "p:x"}}}
}

// paperHousehold finds the typed household and asks for the choice.
func (t *turn) paperHousehold(text string) (Response, error) {
	p, err := t.e.store.Programme(t.ctx)
	if err != nil {
		return t.fail("programme", err)
	}
	c, ok := p.Compound(t.s.CompoundID)
	if !ok {
		t.s = Session{}
		return t.say(mPaperButtonExpired.s(t.l)), nil
	}
	h, found, err := t.findHousehold(c.ID, text)
	if err != nil {
		return t.fail("find household", err)
	}
	if !found {
		return t.say(mPaperNoSuchHousehold.f(t.l, c.Name)), nil
	}
	head, err := t.paperHouseholdText(p, c, h)
	if err != nil {
		return t.fail("current vote", err)
	}
	t.s = Session{Flow: flowPaper, Step: stepChoice, CompoundID: c.ID, HouseholdID: h.ID}
	return t.sayButtons(head+"\n\n"+mPaperAskChoice.s(t.l), t.choiceButtons()), nil
}

// paperHouseholdText shows staff the household: address, owner, current vote.
func (t *turn) paperHouseholdText(p renovote.Programme, c renovote.Compound, h renovote.Household) (string, error) {
	cur, has, err := t.e.store.CurrentVote(t.ctx, h.Ref())
	if err != nil {
		return "", err
	}
	s := "🏠 " + place(t.l, c, h)
	if h.Owner != "" {
		s += "\n" + mOwner.f(t.l, h.Owner)
	}
	return s + "\n" + currentVoteLine(t.l, location(p), cur, has), nil
}

// findHousehold finds a household of the compound, not removed, by a typed address.
func (t *turn) findHousehold(compoundID, text string) (renovote.Household, bool, error) {
	parts := addressParts(text)
	if len(parts) < 2 || len(parts) > 3 {
		return renovote.Household{}, false, nil
	}
	st := t.e.store
	id := renovote.HouseholdID(parts[0], "", parts[len(parts)-1])
	if len(parts) == 3 {
		id = renovote.HouseholdID(parts[0], parts[1], parts[2])
	}
	h, err := st.Household(t.ctx, renovote.HouseholdRef{CompoundID: compoundID, HouseholdID: id})
	switch {
	case err == nil && !h.Removed && matchAddress(parts, h):
		return h, true, nil
	case err != nil && !errors.Is(err, renovote.ErrNotFound):
		return h, false, err
	}
	all, err := st.Households(t.ctx, compoundID)
	if err != nil {
		return renovote.Household{}, false, err
	}
	for _, h := range all {
		if !h.Removed && matchAddress(parts, h) {
			return h, true, nil
		}
	}
	return renovote.Household{}, false, nil
}

// paperChoice reads "v:<paper|proxy>:<a|d>" and asks for the evidence.
func (t *turn) paperChoice(rest string) (Response, error) {
	parts := strings.Split(rest, ":")
	if len(parts) != 3 {
		return t.paperExpired(), nil
	}
	ch, ok := parsePaperChannel(parts[1])
	var choice renovote.Choice
	switch parts[2] {
	case "a":
		choice = renovote.ChoiceAgree
	case "d":
		choice = renovote.ChoiceDisagree
	default:
		ok = false
	}
	if !ok {
		return t.paperExpired(), nil
	}
	t.s.Channel, t.s.Choice, t.s.Step = ch, choice, stepEvidence
	text := mPaperWillRecord.f(t.l, channelLabel(t.l, ch), choiceLabel(t.l, choice)) + "\n" + mPaperAskEvidence.s(t.l)
	return t.answer(text, t.skipButtons()), nil
}

// paperSummary shows what will be recorded and asks to confirm.
func (t *turn) paperSummary() (Response, error) {
	_, c, h, err := t.household(t.s.ref())
	if err != nil {
		return t.fail("load household", err)
	}
	ev := mEvidenceNone.s(t.l)
	if t.s.Evidence != "" {
		ev = mEvidencePhoto.s(t.l)
	}
	text := mPaperSummary.f(t.l, place(t.l, c, h), channelLabel(t.l, t.s.Channel), choiceLabel(t.l, t.s.Choice), ev)
	return t.answer(text, t.confirmButtons()), nil
}

// paperConfirm records the ballot, if the member covers its compound.
func (t *turn) paperConfirm(m renovote.StaffMember) (Response, error) {
	if !m.Covers(t.s.CompoundID) {
		return t.outOfScope(m, t.s.CompoundID), nil
	}
	p, c, h, err := t.household(t.s.ref())
	if err != nil {
		return t.failVote("load household", err)
	}
	loc := location(p)
	rc, err := t.e.store.CastVote(t.ctx, renovote.VoteCmd{
		Ref:       t.s.ref(),
		Choice:    t.s.Choice,
		Channel:   t.s.Channel,
		Actor:     t.actor(),
		OpID:      t.opID(),
		ReceiptID: t.e.receiptID(),
		At:        t.now,
		Evidence:  t.s.Evidence,
		UpdateID:  t.in.UpdateID,
	})
	if r, handled := t.refused(err, loc, c); handled {
		t.s = Session{}
		return r, nil
	}
	if err != nil {
		return t.failVote("cast vote", err)
	}
	// Ready for the next household of the same compound; the ballot's fields
	// stay until then for a replay of this update.
	t.s.Step, t.s.DoneUpdate = stepHousehold, t.in.UpdateID
	text := "🏠 " + place(t.l, c, h) + "\n" + t.receiptText(loc, rc) + "\n\n" + mPaperNext.s(t.l)
	resp := Response{Replies: []Reply{t.edit(text, nil)}, CallbackText: t.voteToast(rc)}
	resp.Replies = append(resp.Replies, t.notifyMembers(loc, rc)...)
	return resp, nil
}
