package dialogs

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/renovote/renovote"
)

// /tally and TallyText.

const (
	// maxTallyCompounds is how many compounds /tally shows without arguments;
	// beyond that staff ask for one compound: /tally <name or id>.
	maxTallyCompounds = 30
	// maxMessageRunes keeps each message well under the channel's limit.
	maxMessageRunes = 3000
)

// TallyText shows a compound's tally: households, voted, agree, disagree, and
// every test of the compound's rule with its numbers, PASS/FAIL and what is
// still needed. staff adds the bound count and the area and owner totals.
// Counts only: it never says who voted what. The CLI uses it too.
func TallyText(lang string, p renovote.Programme, c renovote.Compound, t renovote.Tally, staff bool) string {
	l := langOf(lang)
	name := c.Name
	if name == "" {
		name = c.ID
	}
	return "📊 " + name + "\n" + tallyBody(l, c, t, staff) + "\n" + windowLine(l, location(p), c.Ballot)
}

// publicCounts is the counts part of a resident's ballot view.
func publicCounts(l lang, c renovote.Compound, t renovote.Tally) string {
	return "📊 " + tallyBody(l, c, t, false) + "\n"
}

func compoundRule(c renovote.Compound) renovote.Rule {
	if len(c.Rule.Tests) == 0 {
		return renovote.DefaultRule()
	}
	return c.Rule
}

func tallyBody(l lang, c renovote.Compound, t renovote.Tally, staff bool) string {
	rule := compoundRule(c)
	var b strings.Builder
	if staff {
		b.WriteString(mTallyCountsStaff.f(l, t.Households, t.Bound, t.Voted) + "\n")
	} else {
		b.WriteString(mTallyCounts.f(l, t.Households, t.Voted) + "\n")
	}
	b.WriteString(mTallyChoices.f(l, t.Agree, t.Disagree, max(t.Households-t.Voted, 0)) + "\n")
	if staff {
		var area, owners bool
		for _, test := range rule.Tests {
			area = area || test.Num.IsArea() || test.Den.IsArea()
			owners = owners || isOwnerQ(test.Num) || isOwnerQ(test.Den)
		}
		if area {
			b.WriteString(mTallyArea.f(l, t.Area.String(), t.VotedArea.String(), t.AgreeArea.String()) + "\n")
		}
		if owners {
			b.WriteString(mTallyOwners.f(l, t.Owners, t.VotedOwners, t.AgreeOwners) + "\n")
		}
	}
	o := rule.Evaluate(t)
	for _, r := range o.Results {
		b.WriteString(testLine(l, r) + "\n")
	}
	if o.Pass {
		b.WriteString(mTallyPass.s(l))
	} else {
		b.WriteString(mTallyFail.s(l))
	}
	return b.String()
}

func isOwnerQ(q renovote.Quantity) bool {
	return q == renovote.QOwners || q == renovote.QVotedOwners || q == renovote.QAgreeOwners
}

func isVotedQ(q renovote.Quantity) bool {
	return q == renovote.QVoted || q == renovote.QVotedArea || q == renovote.QVotedOwners
}

// testLine: "❌ 同意户数/总户数 30/55 ≥ 2/3：未通过，还需 7 户同意".
func testLine(l lang, r renovote.TestResult) string {
	icon, op := "✅", "≥"
	if !r.Pass {
		icon = "❌"
	}
	if r.Test.Strict {
		op = ">"
	}
	num, den := fmt.Sprint(r.Num), fmt.Sprint(r.Den)
	if r.Test.Num.IsArea() {
		num, den = renovote.Area(r.Num).String(), renovote.Area(r.Den).String()+" m²"
	}
	s := fmt.Sprintf("%s %s/%s %s/%s %s %s", icon, quantityLabel(l, r.Test.Num), quantityLabel(l, r.Test.Den), num, den, op, r.Test.Fraction)
	if r.Pass {
		return s + mTestPass.s(l)
	}
	return s + mTestFail.s(l) + neededText(l, r)
}

// neededText says what is still needed: "还需 7 户同意", "还需 1000.00 m² 参与投票".
func neededText(l lang, r renovote.TestResult) string {
	q, vote := r.Test.Num, isVotedQ(r.Test.Num)
	switch {
	case q.IsArea() && vote:
		return mNeedAreaVote.f(l, renovote.Area(r.Needed).String())
	case q.IsArea():
		return mNeedAreaAgree.f(l, renovote.Area(r.Needed).String())
	case isOwnerQ(q) && vote:
		return mNeedOwnersVote.f(l, r.Needed)
	case isOwnerQ(q):
		return mNeedOwnersAgree.f(l, r.Needed)
	case vote:
		return mNeedHouseholdsVote.f(l, r.Needed)
	}
	return mNeedHouseholdsAgree.f(l, r.Needed)
}

func quantityLabel(l lang, q renovote.Quantity) string {
	if m, ok := quantityLabels[q]; ok {
		return m.s(l)
	}
	return string(q)
}

// tally answers /tally: staff see every compound of their scope (or the one
// named), a resident sees their own compound when its tally is published.
func (t *turn) tally() (Response, error) {
	m, staff, err := t.may(renovote.ActTally)
	if err != nil {
		return t.fail("staff member", err)
	}
	p, err := t.e.store.Programme(t.ctx)
	if err != nil {
		return t.fail("programme", err)
	}
	if staff {
		return t.staffTally(p, m)
	}
	ref, bound, err := t.e.store.Binding(t.ctx, t.in.UserID)
	if err != nil {
		return t.fail("binding", err)
	}
	if !bound {
		return t.say(mNotBound.s(t.l)), nil
	}
	c, ok := p.Compound(ref.CompoundID)
	if !ok || !c.PublishTally {
		return t.say(mTallyNotPublished.s(t.l)), nil
	}
	tl, err := t.e.store.Tally(t.ctx, c.ID)
	if err != nil {
		return t.fail("tally", err)
	}
	return t.say(TallyText(t.in.Lang, p, c, tl, false)), nil
}

func (t *turn) staffTally(p renovote.Programme, m renovote.StaffMember) (Response, error) {
	compounds := inScope(p, m)
	total, more := len(compounds), false
	if arg := strings.TrimSpace(t.in.Args); arg != "" {
		c, ok := p.CompoundByName(arg)
		if !ok {
			return t.say(mPaperUnknownCompound.s(t.l)), nil
		}
		if !m.Covers(c.ID) {
			return t.outOfScope(m, c.ID), nil
		}
		compounds = []renovote.Compound{c}
	} else if len(compounds) > maxTallyCompounds {
		compounds, more = compounds[:maxTallyCompounds], true
	}
	parts := []string{mTallyHeader.f(t.l, p.Name, fmtTime(t.l, location(p), t.now))}
	for _, c := range compounds {
		tl, err := t.e.store.Tally(t.ctx, c.ID)
		if err != nil {
			return t.fail("tally", err)
		}
		parts = append(parts, TallyText(t.in.Lang, p, c, tl, true))
	}
	if more {
		parts = append(parts, mTallyMore.f(t.l, total, maxTallyCompounds))
	}
	var resp Response
	var cur strings.Builder
	for _, part := range parts {
		if cur.Len() > 0 && utf8.RuneCountInString(cur.String())+utf8.RuneCountInString(part) > maxMessageRunes {
			resp.Replies = append(resp.Replies, Reply{Text: cur.String()})
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteString("\n\n")
		}
		cur.WriteString(part)
	}
	resp.Replies = append(resp.Replies, Reply{Text: cur.String()})
	return resp, nil
}
