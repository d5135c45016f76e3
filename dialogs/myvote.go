package dialogs

import (
	"strings"
	"time"

	"github.com/renovote/renovote"
)

// /myvote (我的记录): a bound resident sees what is recorded for the household,
// at any time: the choice, how it reached the ballot (the resident in chat,
// another member in chat, a paper ballot or a proxy form entered by a
// community worker: a role, never a worker's name), the time and the receipt
// id; whether it can still change; the publicity window (公示期) and, while it
// is open, a button to object (o:new); and the household's objections with
// their status.

func (t *turn) myVote() (Response, error) {
	st := t.e.store
	ref, bound, err := st.Binding(t.ctx, t.in.UserID)
	if err != nil {
		return t.fail("binding", err)
	}
	if !bound {
		return t.say(mMyVoteNotBound.s(t.l)), nil
	}
	p, c, h, err := t.household(ref)
	if err != nil {
		return t.fail("load household", err)
	}
	if h.Removed {
		return t.say(mHouseholdRemoved.s(t.l)), nil
	}
	if _, ok := p.Compound(ref.CompoundID); !ok {
		return t.say(mNoBallot.s(t.l)), nil // the compound left the programme
	}
	cur, has, err := st.CurrentVote(t.ctx, ref)
	if err != nil {
		return t.fail("current vote", err)
	}
	loc := location(p)
	lines := []string{mMyVoteHead.s(t.l), "🏠 " + place(t.l, c, h)}
	if !has || cur.Choice == renovote.ChoiceNone {
		lines = append(lines, mMyVoteNone.s(t.l))
	} else {
		how := t.recordedBy(cur)
		if cur.Evidence != "" {
			how += mMyVoteEvidence.s(t.l)
		}
		lines = append(lines,
			mMyVoteChoice.f(t.l, choiceLabel(t.l, cur.Choice)),
			mMyVoteChannel.f(t.l, how),
			mMyVoteAt.f(t.l, fmtTime(t.l, loc, cur.At)))
		if cur.ReceiptID != "" {
			lines = append(lines, mMyVoteReceipt.f(t.l, cur.ReceiptID))
		}
	}
	switch c.Ballot.State(t.now) {
	case renovote.NotOpen:
		lines = append(lines, mMyVoteNotOpen.f(t.l, fmtTime(t.l, loc, c.Ballot.Opens)))
	case renovote.Open:
		lines = append(lines, mMyVoteOpen.f(t.l, fmtEnd(t.l, loc, c.Ballot.Closes)))
	default:
		lines = append(lines, mMyVoteClosed.f(t.l, fmtEnd(t.l, loc, c.Ballot.Closes)))
	}
	var buttons [][]Button
	if c.HasPublicity() {
		w := c.Publicity
		switch w.State(t.now) {
		case renovote.NotOpen:
			lines = append(lines, "", mPublicityNotYet.f(t.l, fmtTime(t.l, loc, w.Opens), fmtEnd(t.l, loc, w.Closes)))
		case renovote.Open:
			lines = append(lines, "", mPublicityOpenLine.f(t.l, fmtTime(t.l, loc, w.Opens), fmtEnd(t.l, loc, w.Closes)))
			if t.e.objections != nil {
				buttons = [][]Button{{{Label: mBtnObject.s(t.l), Data: "o:new"}}}
			}
		default:
			lines = append(lines, "", mPublicityOver.f(t.l, fmtEnd(t.l, loc, w.Closes)))
		}
	}
	if t.e.objections != nil {
		all, err := t.e.objections.Objections(t.ctx, ref.CompoundID)
		if err != nil {
			return t.fail("objections", err)
		}
		var mine []string
		for _, o := range all {
			if o.Household != ref {
				continue
			}
			mine = append(mine, mMyObjectionLine.f(t.l, o.ID, fmtTime(t.l, loc, o.Created), objectionStatus(t.l, loc, o)))
			if o.Note != "" {
				mine = append(mine, mMyObjectionNote.f(t.l, o.Note))
			}
		}
		if len(mine) > 0 {
			lines = append(append(lines, "", mMyObjections.s(t.l)), mine...)
		}
	}
	return t.sayButtons(strings.Join(lines, "\n"), buttons), nil
}

// recordedBy says how a vote reached the ballot, naming a role, never a person.
func (t *turn) recordedBy(v renovote.HouseholdVote) string {
	switch v.Channel {
	case renovote.ChannelPaper:
		return mMyVoteByPaper.s(t.l)
	case renovote.ChannelProxy:
		return mMyVoteByProxy.s(t.l)
	}
	if v.Actor == t.actor() {
		return mMyVoteByYou.s(t.l)
	}
	return mMyVoteByMember.s(t.l)
}

// recordLine is a household's vote in one line, for objections: "同意改造 ·
// 纸质票 · 5月21日 10:00 · RC000001", or that there is none.
func recordLine(l lang, loc *time.Location, v renovote.HouseholdVote, has bool) string {
	if !has || v.Choice == renovote.ChoiceNone {
		return mMyVoteNone.s(l)
	}
	s := choiceLabel(l, v.Choice) + " · " + channelLabel(l, v.Channel) + " · " + fmtTime(l, loc, v.At)
	if v.ReceiptID != "" {
		s += " · " + v.ReceiptID
	}
	return s
}

// objectionStatus: "待处理", or "已处理（5月22日 11:00）".
func objectionStatus(l lang, loc *time.Location, o renovote.Objection) string {
	if o.Status != renovote.ObjectionAnswered {
		return mObjectionStatusOpen.s(l)
	}
	s := mObjectionStatusDone.s(l)
	if !o.Answered.IsZero() {
		if l == zh {
			s += "（" + fmtTime(l, loc, o.Answered) + "）"
		} else {
			s += " (" + fmtTime(l, loc, o.Answered) + ")"
		}
	}
	return s
}
