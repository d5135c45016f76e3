package dialogs

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/renovote/renovote"
)

// /vote, "v:show", and the vote buttons "v:a:<tok>" (agree) and "v:d:<tok>"
// (disagree). tok is voteToken of the household the message was shown to; the
// household that votes always comes from the sender's binding.

// tokenLen is the length of a vote button's household token.
const tokenLen = 8

// voteToken is a short hash of the household ref, put on vote buttons so that
// a button from another household's message (or a forged one) is refused.
func voteToken(ref renovote.HouseholdRef) string {
	sum := sha256.Sum256([]byte("renovote/vote\x00" + ref.CompoundID + "\x00" + ref.HouseholdID))
	return hex.EncodeToString(sum[:tokenLen/2])
}

func (t *turn) voteButtons(ref renovote.HouseholdRef) [][]Button {
	tok := voteToken(ref)
	return [][]Button{
		{{Label: mBtnAgree.s(t.l), Data: "v:a:" + tok}},
		{{Label: mBtnDisagree.s(t.l), Data: "v:d:" + tok}},
	}
}

// showBallot shows the bound household's ballot: plan, window, current
// choice, published counts, and the buttons while the ballot is open.
func (t *turn) showBallot() (Response, error) {
	st := t.e.store
	ref, bound, err := st.Binding(t.ctx, t.in.UserID)
	if err != nil {
		return t.fail("binding", err)
	}
	if !bound {
		return t.say(mNotBound.s(t.l)), nil
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
	var b strings.Builder
	b.WriteString("🏠 " + place(t.l, c, h) + "\n")
	if plan := strings.TrimSpace(c.Plan); plan != "" {
		b.WriteString(mPlan.f(t.l, plan) + "\n")
	}
	b.WriteString(windowLine(t.l, loc, c.Ballot) + "\n")
	b.WriteString(currentVoteLine(t.l, loc, cur, has) + "\n")
	if c.PublishTally {
		tally, err := st.Tally(t.ctx, c.ID)
		if err != nil {
			return t.fail("tally", err)
		}
		b.WriteString(publicCounts(t.l, c, tally))
	}
	b.WriteString("\n" + windowStateLine(t.l, loc, c.Ballot, t.now))
	var buttons [][]Button
	if c.Ballot.State(t.now) == renovote.Open {
		buttons = t.voteButtons(ref)
	}
	return t.sayButtons(b.String(), buttons), nil
}

// parseVoteData reads "v:a:<tok>" or "v:d:<tok>".
func parseVoteData(d string) (renovote.Choice, string, bool) {
	parts := strings.Split(d, ":")
	if len(parts) != 3 || parts[0] != "v" || len(parts[2]) != tokenLen {
		return "", "", false
	}
	if _, err := hex.DecodeString(parts[2]); err != nil {
		return "", "", false
	}
	switch parts[1] {
	case "a":
		return renovote.ChoiceAgree, parts[2], true
	case "d":
		return renovote.ChoiceDisagree, parts[2], true
	}
	return "", "", false
}

// votePress records the sender's household's vote from a ballot button.
func (t *turn) votePress(data string) (Response, error) {
	choice, tok, ok := parseVoteData(data)
	if !ok {
		return t.expired(), nil
	}
	ref, bound, err := t.binding()
	if err != nil {
		return t.failVote("binding", err)
	}
	if !bound {
		return Response{CallbackText: mVoteNotBound.s(t.l), CallbackAlert: true}, nil
	}
	if tok != voteToken(ref) {
		return Response{CallbackText: mNotYourHousehold.s(t.l), CallbackAlert: true}, nil
	}
	v, err := t.castVote(ref, renovote.VoteCmd{
		Ref:       ref,
		Choice:    choice,
		Channel:   renovote.ChannelChat,
		Actor:     t.actor(),
		OpID:      t.opID(),
		ReceiptID: t.e.receiptID(),
		At:        t.now,
		UpdateID:  t.in.UpdateID,
	})
	if err != nil {
		return t.failVote("load household", err)
	}
	loc, c, h, members, rc := location(v.p), v.c, v.h, v.members, v.rc
	if r, handled := t.refused(v.err, loc, c); handled {
		return r, nil
	}
	if v.err != nil {
		return t.failVote("cast vote", v.err)
	}
	text := "🏠 " + place(t.l, c, h) + "\n" + t.receiptText(loc, rc)
	var buttons [][]Button
	if c.Ballot.State(t.now) == renovote.Open {
		text += "\n\n" + mCanChange.f(t.l, fmtEnd(t.l, loc, c.Ballot.Closes))
		buttons = t.voteButtons(ref)
	}
	if sb := t.surveyButton(c); sb != nil {
		buttons = append(buttons, sb)
	}
	resp := Response{Replies: []Reply{t.edit(text, buttons)}, CallbackText: t.voteToast(rc)}
	resp.Replies = append(resp.Replies, t.notifyMembersOf(loc, rc, members)...)
	return resp, nil
}

// refused turns the refusals of CastVote (ballot not open, closed, household
// removed) into a message that says nothing was recorded.
func (t *turn) refused(err error, loc *time.Location, c renovote.Compound) (Response, bool) {
	var text string
	l := t.l
	switch {
	case err == nil:
		return Response{}, false
	case errors.Is(err, renovote.ErrBallotNotOpen):
		text = mVoteNotOpen.f(l, fmtTime(l, loc, c.Ballot.Opens))
	case errors.Is(err, renovote.ErrBallotClosed):
		text = mVoteClosed.f(l, fmtEnd(l, loc, c.Ballot.Closes))
	case errors.Is(err, renovote.ErrRemoved):
		text = mHouseholdRemoved.s(l) + "\n" + mNotRecorded.s(l)
	default:
		return Response{}, false
	}
	return Response{Replies: []Reply{t.edit(text, nil)}, CallbackText: text, CallbackAlert: true}, true
}

// receiptText confirms a recorded vote (or one pending confirmation:
// receiptHead): choice, time, receipt number.
func (t *turn) receiptText(loc *time.Location, rc renovote.Receipt) string {
	s := t.receiptHead(loc, rc)
	if rc.Channel == renovote.ChannelPaper || rc.Channel == renovote.ChannelProxy {
		s += "\n" + mRecordedVia.f(t.l, channelLabel(t.l, rc.Channel))
	}
	return s + t.pendingHint(rc)
}

// notifyMembers tells the household's other members that its choice changed.
// Their private chat id is their user id; they get both languages, since
// their language is not known here. A failure to list them is only logged:
// the vote is recorded.
func (t *turn) notifyMembers(loc *time.Location, rc renovote.Receipt) []Reply {
	if rc.Choice == rc.Previous {
		return nil
	}
	members, err := t.e.store.Members(t.ctx, rc.Ref)
	if err != nil {
		t.e.log.Warn("dialogs: list household members", "update", t.in.UpdateID, "err", err)
		return nil
	}
	return t.memberReplies(loc, rc, members)
}

// memberReplies is the notice of rc to each of members but the sender.
func (t *turn) memberReplies(loc *time.Location, rc renovote.Receipt, members []int64) []Reply {
	var out []Reply
	for _, uid := range members {
		if uid == t.in.UserID {
			continue
		}
		out = append(out, Reply{ChatID: uid, Text: memberNotice(zh, loc, rc) + "\n" + memberNotice(en, loc, rc)})
	}
	return out
}

// memberNotice says who changed the household's choice to what, and when; a
// vote pending confirmation is said to be submitted, not changed.
func memberNotice(l lang, loc *time.Location, rc renovote.Receipt) string {
	chat, paper := mMemberChanged, mMemberPaper
	if rc.Pending {
		chat, paper = mMemberPending, mMemberPaperPending
	}
	if rc.Channel == renovote.ChannelChat {
		return chat.f(l, choiceLabel(l, rc.Choice), fmtTime(l, loc, rc.At))
	}
	return paper.f(l, channelLabel(l, rc.Channel), choiceLabel(l, rc.Choice), fmtTime(l, loc, rc.At))
}
