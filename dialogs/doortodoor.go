package dialogs

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"

	"github.com/renovote/renovote"
)

// /nonvoters [compound]: the door-to-door list (扫楼) for workers of the
// compound and admins. Without a compound and with several in scope, buttons
//
//	dd:<compound>  list that compound
//
// The list is a message (split under the channel's limit) of the rooms
// without a vote, by building and unit, those whose linked members all
// blocked the bot marked "（无法联系）" (no names, no phones), then a CSV
// (UTF-8 with BOM, for Excel) and, when Config.XLSX is set, an XLSX with
// owner and phone, for the door visits. While the ballot is open the list
// ends with
//
//	dr:<compound>  remind them: a reminder (renovote.KindReminder) to the
//	               linked members of the households without a vote, previewed
//	               and confirmed like a notice (notice.go)

// nonVotersHeader is the header of the door-to-door spreadsheets.
var nonVotersHeader = []string{"小区", "楼栋", "单元", "房号", "户主", "电话", "绑定人数"}

func (t *turn) nonVotersCommand() (Response, error) {
	m, p, resp, done, err := t.staffAct(renovote.ActDoorToDoor)
	if done {
		return resp, err
	}
	if arg := strings.TrimSpace(t.in.Args); arg != "" {
		c, ok := p.CompoundByName(arg)
		if !ok {
			return t.say(mPaperUnknownCompound.s(t.l) + "\n" + mNonVotersUsage.s(t.l)), nil
		}
		if !m.Covers(c.ID) {
			return t.outOfScope(m, c.ID), nil
		}
		return t.nonVoters(p, c)
	}
	scope := inScope(p, m)
	switch {
	case len(scope) == 0:
		return t.say(mNoticeNoCompounds.s(t.l)), nil
	case len(scope) == 1:
		return t.nonVoters(p, scope[0])
	case len(scope) > maxCompoundButtons:
		return t.say(mNonVotersUsage.s(t.l)), nil
	}
	var bs []Button
	for _, c := range scope {
		bs = append(bs, Button{Label: c.Name, Data: "dd:" + c.ID})
	}
	return t.sayButtons(mNonVotersChoose.s(t.l), grid(bs, 2)), nil
}

// doorToDoorCompound checks a dd: or dr: button: the sender may go door to
// door, the compound exists and is in their scope.
func (t *turn) doorToDoorCompound(id string) (renovote.Programme, renovote.Compound, *Response, error) {
	m, ok, err := t.may(renovote.ActDoorToDoor)
	if err != nil {
		return renovote.Programme{}, renovote.Compound{}, nil, err
	}
	if !ok {
		r := t.denied(m)
		return renovote.Programme{}, renovote.Compound{}, &r, nil
	}
	p, err := t.e.store.Programme(t.ctx)
	if err != nil {
		return p, renovote.Compound{}, nil, err
	}
	c, ok := p.Compound(id)
	if !ok {
		r := t.expired()
		return p, c, &r, nil
	}
	if !m.Covers(c.ID) {
		r := t.outOfScope(m, c.ID)
		return p, c, &r, nil
	}
	return p, c, nil, nil
}

// nonVotersPress handles "dd:<compound>".
func (t *turn) nonVotersPress(data string) (Response, error) {
	p, c, refused, err := t.doorToDoorCompound(strings.TrimPrefix(data, "dd:"))
	if err != nil {
		return t.fail("door to door", err)
	}
	if refused != nil {
		return *refused, nil
	}
	return t.nonVoters(p, c)
}

// nonVoter is a household without a vote, with what the list shows of it.
type nonVoter struct {
	h           renovote.Household
	members     int
	unreachable bool // it has linked members, and all blocked the bot
}

// nonVoters lists the compound's households without a vote.
func (t *turn) nonVoters(p renovote.Programme, c renovote.Compound) (Response, error) {
	st := t.e.store
	hs, err := st.NonVoters(t.ctx, c.ID)
	if err != nil {
		return t.fail("non-voters", err)
	}
	all, err := st.Households(t.ctx, c.ID)
	if err != nil {
		return t.fail("households", err)
	}
	total := 0
	for _, h := range all {
		if !h.Removed {
			total++
		}
	}
	if len(hs) == 0 {
		return t.say(mNonVotersNone.f(t.l, c.Name)), nil
	}
	nvs := make([]nonVoter, 0, len(hs))
	for _, h := range hs {
		ids, err := st.Members(t.ctx, h.Ref())
		if err != nil {
			return t.fail("members", err)
		}
		nv := nonVoter{h: h, members: len(ids), unreachable: len(ids) > 0}
		for _, id := range ids {
			gone, err := st.IsUnreachable(t.ctx, id)
			if err != nil {
				return t.fail("is unreachable", err)
			}
			if !gone {
				nv.unreachable = false
				break
			}
		}
		nvs = append(nvs, nv)
	}
	loc := location(p)
	parts := []string{mNonVotersHead.f(t.l, c.Name, len(hs), total, fmtTime(t.l, loc, t.now))}
	parts = append(parts, t.roomLines(nvs)...)
	legend := mNonVotersPrivacy.s(t.l)
	for _, nv := range nvs {
		if nv.unreachable {
			legend = mNonVotersLegend.s(t.l) + "\n" + legend
			break
		}
	}
	parts = append(parts, legend)
	replies := splitMessagesLines(parts)
	if c.Ballot.State(t.now) == renovote.Open {
		replies[len(replies)-1].Buttons = [][]Button{{{Label: mBtnRemind.s(t.l), Data: "dr:" + c.ID}}}
	}
	rows := make([][]string, 0, len(nvs))
	for _, nv := range nvs {
		h := nv.h
		rows = append(rows, []string{c.Name, h.Building, h.Unit, h.Room, h.Owner, h.Phone, strconv.Itoa(nv.members)})
	}
	stamp := t.now.In(loc).Format("20060102-1504")
	caption := mNonVotersFile.f(t.l, c.Name, fmtTime(t.l, loc, t.now))
	data, err := nonVotersCSV(rows)
	if err != nil {
		return t.fail("csv", err)
	}
	name := "nonvoters-" + c.ID + "-" + stamp
	replies = append(replies, Reply{Text: caption, Document: &Document{Name: name + ".csv", Data: data}})
	if t.e.xlsx != nil {
		x, err := t.e.xlsx(c.Name, nonVotersHeader, rows)
		if err != nil { // the CSV is there: only logged
			t.e.log.Warn("dialogs: xlsx of non-voters", "update", t.in.UpdateID, "err", err)
		} else {
			replies = append(replies, Reply{Text: caption, Document: &Document{Name: name + ".xlsx", Data: x}})
		}
	}
	return Response{Replies: replies}, nil
}

// roomLines groups rooms by building and unit: "3栋 2单元：301 302（无法联系）".
func (t *turn) roomLines(nvs []nonVoter) []string {
	var lines []string
	var key, cur string
	for _, nv := range nvs {
		h := nv.h
		k := h.Building + "\x00" + h.Unit
		if k != key {
			if cur != "" {
				lines = append(lines, cur)
			}
			key = k
			label := householdLabel(t.l, renovote.Household{Building: h.Building, Unit: h.Unit})
			label = strings.TrimSuffix(strings.TrimSpace(label), ", Room")
			cur = label + map[lang]string{zh: "：", en: ": "}[t.l]
		} else {
			cur += " "
		}
		cur += strings.TrimSpace(h.Room)
		if nv.unreachable {
			cur += mUnreachableMark.s(t.l)
		}
	}
	return append(lines, cur)
}

// splitMessagesLines is splitMessages for one part per line: lines stay
// together, without blank lines between them, the first and last parts
// (head and legend) apart.
func splitMessagesLines(parts []string) []Reply {
	if len(parts) < 3 {
		return splitMessages(parts)
	}
	body := strings.Join(parts[1:len(parts)-1], "\n")
	return splitMessages([]string{parts[0], body, parts[len(parts)-1]})
}

// nonVotersCSV writes the rows under nonVotersHeader as CSV, UTF-8 with a
// byte order mark so that Excel reads the Chinese.
func nonVotersCSV(rows [][]string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	if err := w.Write(nonVotersHeader); err != nil {
		return nil, err
	}
	for _, r := range rows {
		if err := w.Write(csvSafe(r)); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// csvSafe keeps a cell from being read as a formula by a spreadsheet.
func csvSafe(r []string) []string {
	out := make([]string, len(r))
	for i, s := range r {
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			s = "'" + s
		}
		out[i] = s
	}
	return out
}

// remindPress handles "dr:<compound>": a reminder to the households without
// a vote, previewed with its recipient count.
func (t *turn) remindPress(data string) (Response, error) {
	p, c, refused, err := t.doorToDoorCompound(strings.TrimPrefix(data, "dr:"))
	if err != nil {
		return t.fail("door to door", err)
	}
	if refused != nil {
		return *refused, nil
	}
	if c.Ballot.State(t.now) != renovote.Open {
		return alert(mRemindNotOpen.s(t.l)), nil
	}
	m, err := t.member()
	if err != nil {
		return t.fail("staff member", err)
	}
	d := &NoticeDraft{ID: newDraftID("reminder", t.in, t.now), Kind: renovote.KindReminder, Step: nStepPreview,
		Compounds: []string{c.ID}, Text: reminderText(p, c)}
	text, buttons, err := t.noticeView(p, m, d)
	if err != nil {
		return t.fail("notice view", err)
	}
	t.s = Session{Flow: flowNotice, Notice: d}
	return t.sayButtons(text, buttons), nil
}

// reminderText is the standard reminder, in Chinese then English.
func reminderText(p renovote.Programme, c renovote.Compound) string {
	loc := location(p)
	return mReminderText.f(zh, p.Name, c.Name, fmtEnd(zh, loc, c.Ballot.Closes)) + "\n" +
		mReminderText.f(en, p.Name, c.Name, fmtEnd(en, loc, c.Ballot.Closes))
}
