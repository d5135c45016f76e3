package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/bot/bottest"
)

// TestCompoundConsent runs the whole consent ballot of 粮贸小区 (55 households)
// through Telegram: every household binds with its invitation, residents vote
// and change their minds, the admin enters paper ballots, and after every vote
// the stored tally equals a recount and the ground truth kept here. The compound
// reaches the county rule (37 of 55) at exactly the 37th agreeing household.
func TestCompoundConsent(t *testing.T) {
	w := newWorld(t)
	const compound = "liangmao"
	hhs := w.hhs[compound]
	if len(hhs) != 55 {
		t.Fatalf("register has %d households, want 55", len(hhs))
	}
	codes := w.invites(compound)
	admin := w.srv.User(adminID, "社区小王", "zh-hans")

	// Every household binds one member; the first five bind a second one.
	members := map[string][]*bottest.User{}
	for i, h := range hhs {
		u := w.srv.User(int64(10000+i), fmt.Sprintf("居民%d", i), "zh-hans")
		w.bind(u, codes[h.ID])
		members[h.ID] = append(members[h.ID], u)
	}
	for i, h := range hhs[:5] {
		u := w.srv.User(int64(20000+i), fmt.Sprintf("家属%d", i), "en")
		w.bind(u, codes[h.ID])
		members[h.ID] = append(members[h.ID], u)
	}
	// The command menu was published in Chinese (default) and English.
	if zh, en := w.srv.MyCommands(""), w.srv.MyCommands("en"); len(zh) == 0 || len(en) == 0 || zh[0].Description == en[0].Description {
		t.Fatalf("command menus: zh %v, en %v", zh, en)
	}
	if tl := w.tally(compound); tl.Bound != 55 || tl.Households != 55 || tl.Voted != 0 {
		t.Fatalf("after binding: %+v", tl)
	}

	truth := map[string]renovote.Choice{}
	rule := w.p.Compounds[0].Rule
	check := func(step string) {
		t.Helper()
		tl := w.tally(compound)
		var agree, disagree int64
		for _, c := range truth {
			switch c {
			case renovote.ChoiceAgree:
				agree++
			case renovote.ChoiceDisagree:
				disagree++
			}
		}
		if tl.Agree != agree || tl.Disagree != disagree || tl.Voted != agree+disagree {
			t.Fatalf("%s: tally agree %d disagree %d voted %d, truth %d/%d", step, tl.Agree, tl.Disagree, tl.Voted, agree, disagree)
		}
		if pass, want := rule.Evaluate(tl).Pass, 3*agree >= 2*55; pass != want {
			t.Fatalf("%s: rule pass=%v with %d of 55 agreeing, want %v", step, pass, agree, want)
		}
	}
	chatVote := func(u *bottest.User, h renovote.Household, c renovote.Choice) {
		t.Helper()
		m := w.vote(u, c)
		if !strings.Contains(m.Text, "回执") && !strings.Contains(m.Text, "Receipt") && !strings.Contains(m.Text, "receipt") {
			t.Fatalf("vote reply has no receipt:\n%s", m.Text)
		}
		truth[h.ID] = c
		check("chat vote " + h.ID)
	}

	// 36 agree (the second member votes for household 0), 10 disagree.
	for i, h := range hhs[:36] {
		u := members[h.ID][0]
		if i == 0 {
			u = members[h.ID][1]
		}
		chatVote(u, h, renovote.ChoiceAgree)
	}
	for _, h := range hhs[36:46] {
		chatVote(members[h.ID][0], h, renovote.ChoiceDisagree)
	}
	out := rule.Evaluate(w.tally(compound))
	if out.Pass || out.Results[0].Needed != 1 {
		t.Fatalf("36 of 55: %+v, want fail needing 1", out)
	}

	// The 37th agreeing household is a paper ballot: the compound passes.
	w.paper(admin, compound, hhs[46], renovote.ChoiceAgree)
	truth[hhs[46].ID] = renovote.ChoiceAgree
	check("paper 37th")
	if !rule.Evaluate(w.tally(compound)).Pass {
		t.Fatal("37 of 55 agree: rule not met")
	}

	// Two households change their minds: below the threshold again.
	chatVote(members[hhs[0].ID][0], hhs[0], renovote.ChoiceDisagree)
	chatVote(members[hhs[1].ID][1], hhs[1], renovote.ChoiceDisagree)
	if rule.Evaluate(w.tally(compound)).Pass {
		t.Fatal("35 of 55 agree: rule met")
	}
	// A disagreeing household changes to agree, a proxy vote adds one more.
	chatVote(members[hhs[36].ID][0], hhs[36], renovote.ChoiceAgree)
	w.paper(admin, compound, hhs[47], renovote.ChoiceAgree)
	truth[hhs[47].ID] = renovote.ChoiceAgree
	check("paper 47")
	if !rule.Evaluate(w.tally(compound)).Pass {
		t.Fatal("37 of 55 agree again: rule not met")
	}

	// Every member sees the household's current choice.
	m := w.say(members[hhs[0].ID][1], "/vote", hasButton("v:a:"))
	if !strings.Contains(m.Text, "Disagree") && !strings.Contains(m.Text, "disagree") {
		t.Fatalf("second member of household 0 does not see its disagree vote:\n%s", m.Text)
	}

	// The stored household votes equal the truth, with channel and actor.
	votes, err := w.st.Votes(w.ctx, compound)
	if err != nil {
		t.Fatal(err)
	}
	if len(votes) != len(truth) {
		t.Fatalf("%d stored votes, truth has %d", len(votes), len(truth))
	}
	for id, c := range truth {
		if votes[id].Choice != c {
			t.Errorf("household %s: stored %s, truth %s", id, votes[id].Choice, c)
		}
	}
	if v := votes[hhs[46].ID]; v.Channel != renovote.ChannelPaper || v.Actor != fmt.Sprintf("tg:%d", adminID) {
		t.Errorf("paper ballot stored as %+v", v)
	}
	// The audit stream has one entry per accepted vote: 36+10+1+2+1+1.
	if n, err := w.st.AuditLen(w.ctx, compound); err != nil || n != 51 {
		t.Errorf("audit length %d (%v), want 51", n, err)
	}

	// After the close, a press is refused and nothing changes.
	before := w.tally(compound)
	closes := w.p.Compounds[0].Ballot.Closes
	w.clock.Set(closes.Add(time.Second))
	u := members[hhs[50].ID][0]
	m = w.say(u, "/vote", func(bottest.Message) bool { return true })
	if hasButton("v:a:")(m) {
		t.Fatalf("ballot closed but vote buttons shown:\n%s", m.Text)
	}
	if after := w.tally(compound); after != before {
		t.Fatalf("tally changed after close: %+v → %+v", before, after)
	}
}
