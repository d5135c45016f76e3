package dialogs

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/renovote/renovote"
)

// /notice: a worker (of their compounds) or an admin composes a notice in one
// message, edited in place as they go:
//
//	1 compounds  n:<tok>:c:<compound> toggles one, n:<tok>:ca all of the
//	             member's scope, n:<tok>:cn next (or the names typed)
//	2 buildings  when exactly one compound is chosen: n:<tok>:b:<i> toggles
//	             the i-th building of the register, n:<tok>:ba all (the whole
//	             compound), n:<tok>:bn next
//	3 content    typed text, or a photo or a document with its caption
//	4 when       n:<tok>:now, or a typed time "2020-05-20 09:00" (the
//	             programme's zone, in the future)
//	  preview    the exact text residents get and the recipient count:
//	             n:<tok>:ok sends (or schedules), n:<tok>:ed changes the text
//
// n:<tok>:x cancels at any step. tok is the draft's id (Session.Notice), so a
// button of another draft (an older one, another member's) is stale. On
// confirmation the notice is stored (Store.CreateNotice, idempotent by the
// draft and its content: noticeOpID) and, to be sent now, queued to its recipients (Store.NoticeRecipients,
// Store.EnqueueNotice); the reply is its progress message, tracked
// ("notice:<id>", Engine.Sent) so that the adapter can edit it as deliveries
// come in (NoticeProgress). A scheduled notice is answered with
// nx:<notice id> to cancel it until the scheduler sends it.
//
// The door-to-door reminder (doortodoor.go) is a draft of kind
// renovote.KindReminder that starts at the preview: same buttons, same path.
//
// /notices lists notices: a resident's compound's (sent ones, their building's
// and the whole compound's), or for staff those of their scope with status and
// delivery counts (the bureau: every notice; /notices_all is the same).

// NoticeDraft is a notice being composed (flow "notice").
type NoticeDraft struct {
	ID        string              `json:"id"`
	Kind      renovote.NoticeKind `json:"kind"`
	Step      string              `json:"step"`
	Compounds []string            `json:"compounds,omitempty"`
	Buildings []string            `json:"buildings,omitempty"`
	// Text as staff typed it (NoticeText adds the header when it is sent).
	Text     string `json:"text,omitempty"`
	Photo    string `json:"photo,omitempty"`
	Document string `json:"document,omitempty"`
	DocName  string `json:"doc_name,omitempty"`
	// SendAt is when to send it; zero: at once.
	SendAt time.Time `json:"send_at,omitzero"`
	// MessageID is the message showing the draft (0: not known yet).
	MessageID int `json:"message,omitempty"`
}

func (d *NoticeDraft) clone() *NoticeDraft {
	if d == nil {
		return nil
	}
	c := *d
	c.Compounds, c.Buildings = slices.Clone(d.Compounds), slices.Clone(d.Buildings)
	return &c
}

// notice is the draft as the notice to store, with NoticeText's text.
func (d *NoticeDraft) notice(p renovote.Programme) renovote.Notice {
	n := renovote.Notice{Kind: d.Kind, Compounds: slices.Clone(d.Compounds), Buildings: slices.Clone(d.Buildings),
		Text: d.Text, Photo: d.Photo, Document: d.Document}
	n.Text = NoticeText(p, n, "")
	return n
}

// act is what the draft's sender must be allowed.
func (d *NoticeDraft) act() renovote.Action {
	if d != nil && d.Kind == renovote.KindReminder {
		return renovote.ActDoorToDoor
	}
	return renovote.ActNotice
}

// Steps of the notice flow.
const (
	nStepCompounds = "compounds"
	nStepBuildings = "buildings"
	nStepText      = "text"
	nStepWhen      = "when"
	nStepPreview   = "preview"
)

const (
	// noticeSteps is how many steps the composer counts (the preview aside).
	noticeSteps = 4
	// maxBuildingButtons is how many buildings are offered; a compound with
	// more gets its notices as a whole.
	maxBuildingButtons = 48
	// maxCaptionRunes is the channel's limit on a photo's or document's caption.
	maxCaptionRunes = 1024
	// listNotices is how many notices /notices shows.
	listNotices = 15
	// maxCancelButtons is how many scheduled notices /notices offers to cancel.
	maxCancelButtons = 5
	// trackNotice prefixes the Track of a notice's progress message.
	trackNotice = "notice:"
)

// noticeIDPattern is what a notice id may look like ("N12").
var noticeIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,24}$`)

// NoticeText is what residents receive for a notice: a header naming the
// compound and, if any, the buildings ("【粮贸小区 3栋 通知】", "【粮贸小区 投票提醒】"),
// then n.Text as staff wrote it. compoundID names that compound only; empty
// names every compound of the notice (up to three, else the first and the
// count). The dialogs store its result as the notice's Text when they create
// it, and the outbox sends that Text to every recipient: apply it to a notice
// being created, never to a stored one.
func NoticeText(p renovote.Programme, n renovote.Notice, compoundID string) string {
	h := noticeHeader(p, n, compoundID)
	if n.Text == "" {
		return h
	}
	return h + "\n" + n.Text
}

func noticeHeader(p renovote.Programme, n renovote.Notice, compoundID string) string {
	ids := n.Compounds
	if compoundID != "" {
		ids = []string{compoundID}
	}
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		names = append(names, compoundName(p, id))
	}
	where := strings.Join(names, "、")
	if len(names) > 3 {
		where = fmt.Sprintf("%s等 %d 个小区", names[0], len(names))
	}
	if len(n.Buildings) > 0 && len(ids) == 1 {
		var bs []string
		for _, b := range n.Buildings {
			bs = append(bs, whereLabel(zh, b))
		}
		if len(bs) > 6 {
			bs = append(bs[:6:6], fmt.Sprintf("等 %d 栋", len(n.Buildings)))
		}
		where += " " + strings.Join(bs, "、")
	}
	kind := "通知"
	if n.Kind == renovote.KindReminder {
		kind = "投票提醒"
	}
	return "【" + where + " " + kind + "】"
}

// noticeBody is a stored notice's text without NoticeText's header.
func noticeBody(text string) string {
	if strings.HasPrefix(text, "【") {
		first, rest, _ := strings.Cut(text, "\n")
		if strings.HasSuffix(first, "】") {
			return rest
		}
	}
	return text
}

// noticeCommand answers /notice [compound,…].
func (t *turn) noticeCommand() (Response, error) {
	m, p, resp, done, err := t.staffAct(renovote.ActNotice)
	if done {
		return resp, err
	}
	scope := inScope(p, m)
	if len(scope) == 0 {
		return t.say(mNoticeNoCompounds.s(t.l)), nil
	}
	d := &NoticeDraft{ID: newDraftID("notice", t.in, t.now), Kind: renovote.KindNotice, Step: nStepCompounds}
	if args := strings.TrimSpace(t.in.Args); args != "" {
		ids, unknown := parseScope(p, args)
		if len(unknown) > 0 || len(ids) == 0 {
			return t.say(mUnknownCompounds.f(t.l, strings.Join(unknown, listSep(t.l)))), nil
		}
		if r, ok := t.chooseCompounds(p, m, d, ids); !ok {
			return r, nil
		}
	} else if len(scope) == 1 {
		d.Compounds = []string{scope[0].ID}
	}
	if len(d.Compounds) > 0 {
		if err := t.afterCompounds(d); err != nil {
			return t.fail("households", err)
		}
	}
	t.s = Session{Flow: flowNotice, Notice: d}
	text, buttons, err := t.noticeView(p, m, d)
	if err != nil {
		return t.fail("notice view", err)
	}
	return t.sayButtons(text, buttons), nil
}

// chooseCompounds sets the draft's compounds from ids (renovote.AllCompounds:
// every compound of the member's scope), refusing any out of scope.
func (t *turn) chooseCompounds(p renovote.Programme, m renovote.StaffMember, d *NoticeDraft, ids []string) (Response, bool) {
	if slices.Contains(ids, renovote.AllCompounds) {
		ids = nil
		for _, c := range inScope(p, m) {
			ids = append(ids, c.ID)
		}
	}
	for _, id := range ids {
		if !m.Covers(id) {
			return t.outOfScope(m, id), false
		}
	}
	d.Compounds = sortedCompounds(p, ids)
	return Response{}, true
}

// sortedCompounds puts compound ids in programme order, dropping unknown ones.
func sortedCompounds(p renovote.Programme, ids []string) []string {
	var out []string
	for _, c := range p.Compounds {
		if slices.Contains(ids, c.ID) {
			out = append(out, c.ID)
		}
	}
	return out
}

// afterCompounds moves the draft to the buildings step when one compound with
// several buildings is chosen, else to the text.
func (t *turn) afterCompounds(d *NoticeDraft) error {
	d.Step, d.Buildings = nStepText, nil
	if len(d.Compounds) != 1 {
		return nil
	}
	bs, err := t.buildings(d.Compounds[0])
	if err != nil {
		return err
	}
	if len(bs) > 1 && len(bs) <= maxBuildingButtons {
		d.Step = nStepBuildings
	}
	return nil
}

// buildings lists the compound's buildings on the register, in natural order.
func (t *turn) buildings(compoundID string) ([]string, error) {
	hs, err := t.e.store.Households(t.ctx, compoundID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, h := range hs {
		if !h.Removed && strings.TrimSpace(h.Building) != "" && !slices.Contains(out, h.Building) {
			out = append(out, h.Building)
		}
	}
	slices.SortFunc(out, naturalCompare)
	return out, nil
}

// naturalCompare orders strings with their runs of digits as numbers: "2栋" < "10栋".
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digitsPrefix(a), digitsPrefix(b)
		if da != "" && db != "" {
			x, y := strings.TrimLeft(da, "0"), strings.TrimLeft(db, "0")
			if len(x) != len(y) {
				return len(x) - len(y)
			}
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			return int(ra) - int(rb)
		}
		a, b = a[na:], b[nb:]
	}
	return len(a) - len(b)
}

func digitsPrefix(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// textLimit is how long the text staff write may be: the notice's limit (or
// a caption's, with an attachment) less the header.
func textLimit(p renovote.Programme, d *NoticeDraft, attachment bool) int {
	n := renovote.Notice{Kind: d.Kind, Compounds: d.Compounds, Buildings: d.Buildings}
	head := utf8.RuneCountInString(noticeHeader(p, n, "")) + 1
	if attachment {
		return maxCaptionRunes - head
	}
	return renovote.MaxNoticeRunes - head
}

// exampleTime is a time to show as an example: tomorrow 09:00.
func exampleTime(loc *time.Location, now time.Time) string {
	n := now.In(loc).AddDate(0, 0, 1)
	return time.Date(n.Year(), n.Month(), n.Day(), 9, 0, 0, 0, loc).Format("2006-01-02 15:04")
}

// noticeView shows the draft's current step.
func (t *turn) noticeView(p renovote.Programme, m renovote.StaffMember, d *NoticeDraft) (string, [][]Button, error) {
	l := t.l
	pre := "n:" + d.ID + ":"
	cancel := []Button{{Label: mBtnCancel.s(l), Data: pre + "x"}}
	to := mNoticeNoneChosen.s(l)
	if len(d.Compounds) > 0 {
		to = scopeLabel(l, p, d.Compounds)
		if len(d.Buildings) > 0 {
			var bs []string
			for _, b := range d.Buildings {
				bs = append(bs, whereLabel(l, b))
			}
			to += " " + strings.Join(bs, listSep(l))
		}
	}
	head := func(step int) string { return mNoticeStep.f(l, step, noticeSteps) + "\n" + mNoticeTo.f(l, to) + "\n\n" }
	switch d.Step {
	case nStepCompounds:
		scope := inScope(p, m)
		if len(scope) > maxCompoundButtons {
			return head(1) + mNoticeTypeCompounds.s(l), [][]Button{cancel}, nil
		}
		var bs []Button
		for _, c := range scope {
			label := c.Name
			if slices.Contains(d.Compounds, c.ID) {
				label = "✅ " + label
			}
			bs = append(bs, Button{Label: label, Data: pre + "c:" + c.ID})
		}
		rows := append(grid(bs, 2),
			[]Button{{Label: mBtnAll.s(l), Data: pre + "ca"}, {Label: mBtnNext.s(l), Data: pre + "cn"}}, cancel)
		return head(1) + mNoticeAskCompounds.s(l), rows, nil
	case nStepBuildings:
		all, err := t.buildings(d.Compounds[0])
		if err != nil {
			return "", nil, err
		}
		var bs []Button
		for i, b := range all {
			label := whereLabel(l, b)
			if slices.Contains(d.Buildings, b) {
				label = "✅ " + label
			}
			bs = append(bs, Button{Label: label, Data: pre + "b:" + strconv.Itoa(i)})
		}
		rows := append(grid(bs, 4),
			[]Button{{Label: mBtnAllBuildings.s(l), Data: pre + "ba"}, {Label: mBtnNext.s(l), Data: pre + "bn"}}, cancel)
		return head(2) + mNoticeAskBuildings.s(l), rows, nil
	case nStepText:
		return head(3) + mNoticeAskText.f(l, textLimit(p, d, false), textLimit(p, d, true)), [][]Button{cancel}, nil
	case nStepWhen:
		ex := exampleTime(location(p), t.now)
		return head(4) + mNoticeAskWhen.f(l, ex), [][]Button{{{Label: mBtnSendNow.s(l), Data: pre + "now"}}, cancel}, nil
	}
	return t.noticePreview(p, d)
}

// noticePreview shows the exact text residents get, who gets it and when.
func (t *turn) noticePreview(p renovote.Programme, d *NoticeDraft) (string, [][]Button, error) {
	l := t.l
	pre := "n:" + d.ID + ":"
	ids, err := t.e.store.NoticeRecipients(t.ctx, d.Compounds, d.Buildings, d.Kind == renovote.KindReminder)
	if err != nil {
		return "", nil, err
	}
	n := d.notice(p)
	var b strings.Builder
	if d.Kind == renovote.KindReminder {
		b.WriteString(mNoticeReminderTitle.s(l) + "\n")
	}
	b.WriteString(mNoticePreview.s(l) + "\n——\n" + n.Text + "\n——\n")
	if d.Photo != "" {
		b.WriteString(mNoticeAttachPhoto.s(l) + "\n")
	}
	if d.Document != "" {
		b.WriteString(mNoticeAttachDoc.f(l, d.DocName) + "\n")
	}
	if d.Kind == renovote.KindReminder {
		b.WriteString(mNoticeRemindCount.f(l, len(ids)) + "\n")
	} else {
		b.WriteString(mNoticeRecipients.f(l, len(ids)) + "\n")
	}
	if d.SendAt.IsZero() {
		b.WriteString(mNoticeWhenNow.s(l))
	} else {
		b.WriteString(mNoticeWhenAt.f(l, fmtTime(l, location(p), d.SendAt)))
	}
	var rows [][]Button
	if len(ids) == 0 && d.SendAt.IsZero() {
		b.WriteString("\n" + mNoticeNoRecipients.s(l))
	} else {
		rows = append(rows, []Button{{Label: mBtnSend.s(l), Data: pre + "ok"}})
	}
	if d.Kind == renovote.KindNotice {
		rows = append(rows, []Button{{Label: mBtnEditText.s(l), Data: pre + "ed"}})
	}
	rows = append(rows, []Button{{Label: mBtnCancel.s(l), Data: pre + "x"}})
	return b.String(), rows, nil
}

// noticeShow shows the draft's step in the pressed button's message; the
// draft's earlier message, if another, loses its buttons.
func (t *turn) noticeShow(p renovote.Programme, m renovote.StaffMember, d *NoticeDraft) (Response, error) {
	text, buttons, err := t.noticeView(p, m, d)
	if err != nil {
		return t.fail("notice view", err)
	}
	var out []Reply
	if d.MessageID != 0 && d.MessageID != t.in.MessageID {
		out = append(out, Reply{Text: mNoticeMoved.s(t.l), EditMessageID: d.MessageID})
	}
	d.MessageID = t.in.MessageID
	return Response{Replies: append(out, t.edit(text, buttons))}, nil
}

// noticeNext shows the draft's step as a new message after typed input (the
// composer's message is above it); the earlier message loses its buttons.
func (t *turn) noticeNext(p renovote.Programme, m renovote.StaffMember, d *NoticeDraft) (Response, error) {
	text, buttons, err := t.noticeView(p, m, d)
	if err != nil {
		return t.fail("notice view", err)
	}
	var out []Reply
	if d.MessageID != 0 {
		out = append(out, Reply{Text: mNoticeMoved.s(t.l), EditMessageID: d.MessageID})
		d.MessageID = 0
	}
	return Response{Replies: append(out, Reply{Text: text, Buttons: buttons})}, nil
}

// noticeAllowed checks that the sender may still compose the draft.
func (t *turn) noticeAllowed(d *NoticeDraft) (renovote.StaffMember, *Response, error) {
	m, ok, err := t.may(d.act())
	if err != nil || ok {
		return m, nil, err
	}
	r := t.denied(m)
	return m, &r, nil
}

// noticeCallback handles "n:<tok>:<op>[:<arg>]".
func (t *turn) noticeCallback(data string) (Response, error) {
	d := t.s.Notice
	if t.s.Flow != flowNotice {
		d = nil
	}
	m, refused, err := t.noticeAllowed(d)
	if err != nil {
		return t.fail("staff member", err)
	}
	if refused != nil {
		return *refused, nil
	}
	f := strings.Split(data, ":")
	if len(f) < 3 || len(f) > 4 {
		return toast(mNoticeExpired.s(t.l)), nil
	}
	if f[2] == "c" && len(f) == 4 && !m.Covers(f[3]) { // forged: whatever the draft
		return t.outOfScope(m, f[3]), nil
	}
	if d == nil || d.ID != f[1] {
		if fin := t.finished; f[2] == "ok" && fin != nil && fin.Notice != "" && fin.Update == t.in.UpdateID {
			return t.noticeReplayed(fin.Notice)
		}
		// An older draft's button, or another member's: nothing to do.
		t.logRefused(m, "stale", "")
		return toast(mNoticeExpired.s(t.l)), nil
	}
	p, err := t.e.store.Programme(t.ctx)
	if err != nil {
		return t.fail("programme", err)
	}
	op, arg := f[2], ""
	if len(f) == 4 {
		arg = f[3]
	}
	switch {
	case op == "x" && arg == "":
		t.s = Session{}
		return Response{Replies: []Reply{t.edit(mNoticeCancelled.s(t.l), nil)}}, nil
	case op == "c" && d.Step == nStepCompounds:
		if _, ok := p.Compound(arg); !ok {
			return toast(mNoticeExpired.s(t.l)), nil
		}
		ids := slices.Clone(d.Compounds)
		if i := slices.Index(ids, arg); i >= 0 {
			ids = slices.Delete(ids, i, i+1)
		} else {
			ids = append(ids, arg)
		}
		d.Compounds = sortedCompounds(p, ids)
		return t.noticeShow(p, m, d)
	case op == "ca" && arg == "" && d.Step == nStepCompounds:
		t.chooseCompounds(p, m, d, []string{renovote.AllCompounds})
		fallthrough
	case op == "cn" && arg == "" && d.Step == nStepCompounds:
		if len(d.Compounds) == 0 {
			return toast(mNoticeChooseOne.s(t.l)), nil
		}
		if err := t.afterCompounds(d); err != nil {
			return t.fail("households", err)
		}
		return t.noticeShow(p, m, d)
	case op == "b" && d.Step == nStepBuildings:
		all, err := t.buildings(d.Compounds[0])
		if err != nil {
			return t.fail("households", err)
		}
		i, err := strconv.Atoi(arg)
		if err != nil || i < 0 || i >= len(all) {
			return toast(mNoticeExpired.s(t.l)), nil
		}
		var bs []string
		for _, b := range all { // in register order, the pressed one toggled
			if (b == all[i]) != slices.Contains(d.Buildings, b) {
				bs = append(bs, b)
			}
		}
		d.Buildings = bs
		return t.noticeShow(p, m, d)
	case op == "ba" && arg == "" && d.Step == nStepBuildings:
		d.Buildings = nil
		fallthrough
	case op == "bn" && arg == "" && d.Step == nStepBuildings:
		d.Step = nStepText
		return t.noticeShow(p, m, d)
	case op == "now" && arg == "" && d.Step == nStepWhen:
		d.SendAt, d.Step = time.Time{}, nStepPreview
		return t.noticeShow(p, m, d)
	case op == "ed" && arg == "" && d.Step == nStepPreview && d.Kind == renovote.KindNotice:
		d.Step = nStepText
		return t.noticeShow(p, m, d)
	case op == "ok" && arg == "" && d.Step == nStepPreview:
		return t.noticeConfirm(p, m, d)
	}
	return toast(mNoticeExpired.s(t.l)), nil
}

// noticeInput starts handling something the sender typed or sent during the
// notice flow: the draft, the sender (still allowed to compose it) and the
// programme. When done, resp is the answer (a hint without a draft, the
// refusal, or the failure with its error).
func (t *turn) noticeInput() (d *NoticeDraft, m renovote.StaffMember, p renovote.Programme, resp Response, done bool, err error) {
	if d = t.s.Notice; d == nil {
		t.s = Session{}
		return nil, m, p, t.say(mHint.s(t.l)), true, nil
	}
	m, refused, err := t.noticeAllowed(d)
	if err != nil {
		resp, err = t.fail("staff member", err)
		return d, m, p, resp, true, err
	}
	if refused != nil {
		return d, m, p, *refused, true, nil
	}
	if p, err = t.e.store.Programme(t.ctx); err != nil {
		resp, err = t.fail("programme", err)
		return d, m, p, resp, true, err
	}
	return d, m, p, Response{}, false, nil
}

// noticeText is typed text during the notice flow.
func (t *turn) noticeText() (Response, error) {
	d, m, p, resp, done, err := t.noticeInput()
	if done {
		return resp, err
	}
	text := strings.TrimSpace(t.in.Text)
	switch d.Step {
	case nStepCompounds:
		ids, unknown := parseScope(p, text)
		if len(unknown) > 0 || len(ids) == 0 {
			return t.say(mUnknownCompounds.f(t.l, strings.Join(unknown, listSep(t.l))) + "\n" + mNoticeTypeCompounds.s(t.l)), nil
		}
		if r, ok := t.chooseCompounds(p, m, d, ids); !ok {
			return r, nil
		}
		if err := t.afterCompounds(d); err != nil {
			return t.fail("households", err)
		}
		return t.noticeNext(p, m, d)
	case nStepText:
		if text == "" {
			return t.say(mNoticeNeedContent.s(t.l)), nil
		}
		if n, limit := utf8.RuneCountInString(t.in.Text), textLimit(p, d, false); n > limit {
			return t.say(mTextTooLong.f(t.l, limit, n)), nil
		}
		d.Text, d.Photo, d.Document, d.DocName = t.in.Text, "", "", ""
		d.Step = nStepWhen
		return t.noticeNext(p, m, d)
	case nStepWhen:
		loc := location(p)
		at, ok := parseWhen(text, loc)
		ex := exampleTime(loc, t.now)
		if !ok {
			return t.sayButtons(mNoticeBadTime.f(t.l, ex), [][]Button{{{Label: mBtnSendNow.s(t.l), Data: "n:" + d.ID + ":now"}}}), nil
		}
		if !at.After(t.now) {
			return t.say(mNoticePastTime.f(t.l, ex)), nil
		}
		d.SendAt, d.Step = at, nStepPreview
		return t.noticeNext(p, m, d)
	}
	return t.say(mNoticeExpectButtons.s(t.l)), nil
}

// noticeAttachment is a photo or a document during the notice flow: the
// notice's attachment, its caption the text.
func (t *turn) noticeAttachment() (Response, error) {
	d, m, p, resp, done, err := t.noticeInput()
	if done {
		return resp, err
	}
	if d.Step != nStepText {
		return t.say(mNoticeExpectButtons.s(t.l)), nil
	}
	if n, limit := utf8.RuneCountInString(t.in.Text), textLimit(p, d, true); n > limit {
		return t.say(mTextTooLong.f(t.l, limit, n)), nil
	}
	d.Text, d.Photo, d.Document, d.DocName = strings.TrimSpace(t.in.Text), t.in.PhotoFileID, "", ""
	if d.Photo == "" {
		d.Document, d.DocName = t.in.DocumentFileID, t.in.DocumentName
	}
	d.Step = nStepWhen
	return t.noticeNext(p, m, d)
}

// whenPattern reads "2020-05-20 09:00" (also with / or . and a full-width colon).
var whenPattern = regexp.MustCompile(`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T]+(\d{1,2})[:：](\d{2})$`)

// parseWhen reads a typed time in the programme's zone.
func parseWhen(s string, loc *time.Location) (time.Time, bool) {
	s = strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + (r - '０')
		}
		return r
	}, s)), " ")
	g := whenPattern.FindStringSubmatch(s)
	if g == nil {
		return time.Time{}, false
	}
	n := make([]int, 5)
	for i := range n {
		n[i], _ = strconv.Atoi(g[i+1])
	}
	at := time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], 0, 0, loc)
	if at.Year() != n[0] || int(at.Month()) != n[1] || at.Day() != n[2] || at.Hour() != n[3] || at.Minute() != n[4] {
		return time.Time{}, false // 2020-02-31, 25:00, ...
	}
	return at, true
}

// noticeConfirm stores the notice and, to be sent now, queues it.
func (t *turn) noticeConfirm(p renovote.Programme, m renovote.StaffMember, d *NoticeDraft) (Response, error) {
	for _, c := range d.Compounds {
		if !m.Covers(c) {
			return t.outOfScope(m, c), nil
		}
	}
	reminder := d.Kind == renovote.KindReminder
	if reminder {
		if c, ok := p.Compound(d.Compounds[0]); !ok || c.Ballot.State(t.now) != renovote.Open {
			t.s = Session{}
			return Response{Replies: []Reply{t.edit(mRemindNotOpen.s(t.l), nil)}, CallbackText: mRemindNotOpen.s(t.l), CallbackAlert: true}, nil
		}
	}
	n := d.notice(p)
	n.By, n.ByChat, n.Created, n.SendAt = t.actor(), t.chat(), t.now, t.now
	if !d.SendAt.IsZero() {
		n.SendAt = d.SendAt
	}
	if err := n.Validate(); err != nil { // cannot happen: the steps checked it
		return t.fail("notice", err)
	}
	var recipients []int64
	if !n.SendAt.After(n.Created) {
		ids, err := t.e.store.NoticeRecipients(t.ctx, n.Compounds, n.Buildings, reminder)
		if err != nil {
			return t.fail("notice recipients", err)
		}
		if len(ids) == 0 {
			return alert(mNoticeNoRecipients.s(t.l)), nil
		}
		recipients = ids
	}
	got, err := t.e.store.CreateNotice(t.ctx, n, t.noticeOpID(d, n))
	if err != nil {
		return t.fail("create notice", err)
	}
	if got.Status == renovote.NoticeSending {
		if recipients == nil { // its time came while the sender looked at the preview
			if recipients, err = t.e.store.NoticeRecipients(t.ctx, got.Compounds, got.Buildings, reminder); err != nil {
				return t.fail("notice recipients", err)
			}
		}
		if got, err = t.e.store.EnqueueNotice(t.ctx, got.ID, recipients); err != nil {
			return t.fail("enqueue notice", err)
		}
	}
	t.s = Session{}
	t.finished = &Finished{Update: t.in.UpdateID, Notice: got.ID}
	return t.noticeDone(p, got), nil
}

// noticeOpID makes confirming the same draft with the same content
// idempotent, whatever the update: a confirmation pressed again after a
// failure (or after the session could not be saved) finds the notice it
// created and queues nobody twice, while a draft changed since makes a new
// notice.
func (t *turn) noticeOpID(d *NoticeDraft, n renovote.Notice) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%q\x00%q\x00%s\x00%s\x00%s\x00%d", n.Kind, n.Compounds, n.Buildings, n.Text, n.Photo, n.Document, d.SendAt.Unix())
	return fmt.Sprintf("tg:notice:%d:%s:%x", t.in.UserID, d.ID, h.Sum(nil)[:6])
}

// noticeDone shows the confirmed notice in the preview's message and sends
// its progress message (or, scheduled, the message to cancel it), tracked.
func (t *turn) noticeDone(p renovote.Programme, n renovote.Notice) Response {
	head := mNoticeConfirmed.f(t.l, n.ID, scopeLabel(t.l, p, n.Compounds))
	resp := Response{Replies: []Reply{t.edit(head+"\n——\n"+n.Text, nil)}}
	if n.Status == renovote.NoticeScheduled {
		resp.Replies = append(resp.Replies, Reply{
			Text:    mNoticeScheduled.f(t.l, n.ID, fmtTime(t.l, location(p), n.SendAt)),
			Buttons: [][]Button{{{Label: mBtnCancelSend.s(t.l), Data: "nx:" + n.ID}}},
			Track:   trackNotice + n.ID,
		})
		resp.CallbackText = mNoticeScheduledToast.s(t.l)
		return resp
	}
	text, _ := progressText(n)
	resp.Replies = append(resp.Replies, Reply{Text: text, Track: trackNotice + n.ID})
	resp.CallbackText = mNoticeSendingToast.s(t.l)
	return resp
}

// noticeReplayed answers the same confirmation handled again (after a crash):
// the notice was stored and queued; it is shown again.
func (t *turn) noticeReplayed(id string) (Response, error) {
	n, err := t.e.store.Notice(t.ctx, id)
	if err != nil {
		return t.fail("notice", err)
	}
	p, err := t.e.store.Programme(t.ctx)
	if err != nil {
		return t.fail("programme", err)
	}
	return t.noticeDone(p, n), nil
}

func (t *turn) chat() int64 {
	if t.in.ChatID != 0 {
		return t.in.ChatID
	}
	return t.in.UserID
}

// cancelNoticePress handles "nx:<notice id>": a scheduled notice is cancelled
// by a member who may send notices to all its compounds.
func (t *turn) cancelNoticePress(data string) (Response, error) {
	m, ok, err := t.may(renovote.ActNotice)
	if err != nil {
		return t.fail("staff member", err)
	}
	if !ok {
		return t.denied(m), nil
	}
	id := strings.TrimPrefix(data, "nx:")
	if !noticeIDPattern.MatchString(id) {
		return toast(mNoticeNotFound.s(t.l)), nil
	}
	n, err := t.e.store.Notice(t.ctx, id)
	switch {
	case errors.Is(err, renovote.ErrNotFound):
		return toast(mNoticeNotFound.s(t.l)), nil
	case err != nil:
		return t.fail("notice", err)
	}
	for _, c := range n.Compounds {
		if !m.Covers(c) {
			return t.outOfScope(m, c), nil
		}
	}
	err = t.e.store.CancelNotice(t.ctx, id, t.actor(), t.now)
	switch {
	case errors.Is(err, renovote.ErrConflict):
		if n, err = t.e.store.Notice(t.ctx, id); err != nil {
			return t.fail("notice", err)
		}
		if n.Status == renovote.NoticeCancelled {
			return t.noticeCancelled(n), nil
		}
		resp := alert(mNoticeAlreadySent.f(t.l, id))
		if r, ok := NoticeProgress(n); ok {
			resp.Replies = []Reply{r}
		}
		return resp, nil
	case errors.Is(err, renovote.ErrNotFound):
		return toast(mNoticeNotFound.s(t.l)), nil
	case err != nil:
		return t.fail("cancel notice", err)
	}
	return t.noticeCancelled(n), nil
}

// noticeCancelled says that a notice is cancelled: in its scheduled message
// (wherever the button was pressed: that message, or a /notices listing) and
// in a toast.
func (t *turn) noticeCancelled(n renovote.Notice) Response {
	resp := toast(mNoticeCancelledToast.s(t.l))
	if n.ProgressID != 0 {
		r := Reply{ChatID: n.ByChat, EditMessageID: n.ProgressID, Text: mNoticeCancelledSend.f(t.l, n.ID)}
		if n.ByChat == t.chat() {
			r.ChatID = 0
		}
		resp.Replies = []Reply{r}
	}
	return resp
}
