package dialogs

import (
	"testing"
	"time"

	"github.com/renovote/renovote"
)

func TestVoteWindow(t *testing.T) {
	transcript(t, "vote_window", func(w *world) {
		w.bind(zhang, ref301)
		w.bind(zhangJr, ref301)

		w.note("Before the ballot opens: the plan and the dates, no buttons; an old button records nothing.")
		w.at(ballotOpens.Add(-time.Hour))
		w.send(zhang, "/vote")
		w.press(zhang, 1, "v:a:"+voteToken(ref301))
		if v := w.vote(ref301); v.Choice != "" {
			w.t.Fatalf("vote recorded before the ballot opened: %+v", v)
		}

		w.note("The ballot is open: vote, and the other member is told.")
		w.at(duringBallot)
		w.send(zhang, "/vote")
		w.tap(zhang, "同意改造")
		if v := w.vote(ref301); v.Choice != renovote.ChoiceAgree || v.Channel != renovote.ChannelChat || v.Actor != "tg:101" {
			w.t.Fatalf("vote = %+v", v)
		}
		w.note("The same update handled twice (after a crash): the same receipt, nothing changes.")
		w.again()
		if n := len(w.be.audit(w.t, "liangmao")); n != 1 {
			w.t.Fatalf("audit has %d entries after a replay, want 1", n)
		}

		w.note("The other member changes the household's mind.")
		w.at(at(5, 22, 19, 30))
		w.send(zhangJr, "/vote")
		w.tap(zhangJr, "不同意")
		if v := w.vote(ref301); v.Choice != renovote.ChoiceDisagree || v.Actor != "tg:102" {
			w.t.Fatalf("vote = %+v", v)
		}
		w.note("Pressing the same choice again: recorded again, nobody else is told.")
		w.tap(zhangJr, "不同意")

		w.note("One nanosecond before the close: still recorded.")
		w.at(ballotCloses.Add(-time.Nanosecond))
		w.tap(zhang, "同意改造")
		if v := w.vote(ref301); v.Choice != renovote.ChoiceAgree {
			w.t.Fatalf("vote before close = %+v", v)
		}
		w.note("One nanosecond after the close: refused, nothing recorded.")
		w.at(ballotCloses.Add(time.Nanosecond))
		w.tap(zhangJr, "不同意")
		if v := w.vote(ref301); v.Choice != renovote.ChoiceAgree {
			w.t.Fatalf("vote after close = %+v", v)
		}
		w.at(ballotCloses)
		w.send(zhang, "/vote")
		w.send(zhang, "投票")
	})
}

func TestVoteEn(t *testing.T) {
	transcript(t, "vote_en", func(w *world) {
		w.bind(li, ref302)
		w.bind(zhang, ref302) // a Chinese-speaking member of the same household
		w.send(li, "/vote")
		w.tap(li, "Agree to renovate")
		w.tap(li, "Disagree")
		if v := w.vote(ref302); v.Choice != renovote.ChoiceDisagree {
			w.t.Fatalf("vote = %+v", v)
		}
		w.at(ballotCloses.Add(time.Nanosecond))
		w.tap(li, "Agree to renovate")
		w.send(li, "/vote")
	})
}

func TestVoteButtonsAreChecked(t *testing.T) {
	transcript(t, "vote_forged", func(w *world) {
		w.bind(zhang, ref301)
		w.bind(li, ref302)

		w.note("Household 3-2-302's ballot, and household 3-2-301's.")
		w.send(li, "/vote")
		_, liAgree := w.lastData(li.id, "Agree to renovate")
		w.send(zhang, "/vote")
		zhangMsg, _ := w.lastData(zhang.id, "同意改造")

		w.note("A member of 3-2-301 presses a button from 3-2-302's message: refused.")
		w.press(zhang, zhangMsg, liAgree)
		w.note("A forged token: refused.")
		w.press(zhang, zhangMsg, "v:a:deadbeef")
		w.note("Garbled data: the button has expired, nothing else.")
		for _, d := range []string{"v:a:", "v:a:zzzzzzzz", "v:x:" + voteToken(ref301), "v:a:" + voteToken(ref301) + ":x", "hello"} {
			w.press(zhang, zhangMsg, d)
		}
		w.note("Someone who is not bound presses a real button: refused.")
		w.press(nobody, zhangMsg, "v:a:"+voteToken(ref301))
		w.note("A member of 3-2-302 sends 3-2-301's button data: the household comes from the binding, never from the button.")
		w.press(li, zhangMsg, "v:d:"+voteToken(ref301))

		for _, r := range []renovote.HouseholdRef{ref301, ref302} {
			if v := w.vote(r); v.Choice != "" {
				w.t.Errorf("%v voted: %+v", r, v)
			}
		}
		if a := w.be.audit(w.t, "liangmao"); len(a) != 0 {
			w.t.Errorf("audit = %+v", a)
		}
	})
}
