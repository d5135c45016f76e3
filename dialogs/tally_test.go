package dialogs

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/renovote/renovote"
)

// castAll records votes directly in the store.
func castAll(t testing.TB, st Store, votes map[renovote.HouseholdRef]renovote.Choice) {
	t.Helper()
	n := 0
	for r, c := range votes {
		n++
		_, err := st.CastVote(context.Background(), renovote.VoteCmd{Ref: r, Choice: c, Channel: renovote.ChannelPaper,
			Actor: "cli:test", OpID: fmt.Sprintf("test:%d", n), ReceiptID: fmt.Sprintf("T%d", n), At: duringBallot})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestTally(t *testing.T) { transcript(t, "tally", tally) }

func tally(w *world) {
	w.bind(zhang, ref301)
	w.bind(li, ref302)
	w.bind(wang, ref("jinrong", "1-1-101"))
	castAll(w.t, w.be, map[renovote.HouseholdRef]renovote.Choice{
		ref301:                     renovote.ChoiceAgree,
		ref("liangmao", "3-2-302"): renovote.ChoiceAgree,
		ref("liangmao", "3-2-401"): renovote.ChoiceDisagree,
		ref("jinrong", "1-1-101"):  renovote.ChoiceAgree,
		ref("jinrong", "2-1-201"):  renovote.ChoiceAgree,
	})

	w.note("Staff see every compound, with each test of its rule.")
	w.send(worker, "/tally")
	w.send(admin, "/tally 金融小区")
	w.send(admin, "/tally 不存在")
	w.note("Residents see their own compound's counts when published, and nothing else.")
	w.send(zhang, "/tally")
	w.send(li, "/tally")
	w.send(wang, "/tally")
	w.send(nobody, "/tally")
	w.note("A resident's ballot shows the published counts.")
	w.send(zhang, "/vote")

	w.note("Help for a resident, a worker, an admin.")
	w.send(zhang, "/help")
	w.send(worker, "/help")
	w.send(admin, "/help")
	w.send(worker, "/start")
}

// TallyText as the CLI uses it: the county rule and the Civil Code's.
func TestTallyText(t *testing.T) {
	p := testProgramme()
	liang, _ := p.Compound("liangmao")
	jin, _ := p.Compound("jinrong")
	liangT := renovote.Tally{CompoundID: "liangmao", Households: 55, Bound: 40, Voted: 40, Agree: 36, Disagree: 4}
	jinT := renovote.Tally{CompoundID: "jinrong", Households: 170, Area: 1500000, Owners: 160, Bound: 90,
		Voted: 120, Agree: 100, Disagree: 20, VotedArea: 900000, AgreeArea: 700000, VotedOwners: 110, AgreeOwners: 80}
	var out strings.Builder
	for _, lang := range []string{"zh", "en"} {
		for _, staff := range []bool{true, false} {
			fmt.Fprintf(&out, "## lang=%s staff=%v\n", lang, staff)
			out.WriteString(TallyText(lang, p, liang, liangT, staff) + "\n\n")
			out.WriteString(TallyText(lang, p, jin, jinT, staff) + "\n\n")
		}
	}
	passing := liangT
	passing.Agree, passing.Disagree = 37, 3
	out.WriteString("## passing\n" + TallyText("", p, liang, passing, true) + "\n")
	checkGolden(t, "tally_text", out.String(), true)

	// Counts only: a tally text never names an owner.
	if s := out.String(); strings.Contains(s, "张三") {
		t.Error("tally text names an owner")
	}
}
