package dialogs

import (
	"context"
	"testing"
	"time"

	"github.com/renovote/renovote"
)

func TestBindZh(t *testing.T) {
	transcript(t, "bind_zh", func(w *world) {
		w.note("A resident opens the bot without an invitation.")
		w.send(zhang, "/start")
		w.note("They open their invitation link, type instead of pressing, then confirm.")
		w.send(zhang, w.start(ref301))
		w.send(zhang, "好的")
		w.tap(zhang, "是，这是我家")
		if r := w.bound(zhang); r != ref301 {
			w.t.Fatalf("zhang bound to %v", r)
		}
		w.note("The reminder's button is pressed too: the user is bound already.")
		w.tap(zhang, "是，这是我家")
		w.send(zhang, "/start")
		w.tap(zhang, "去投票")

		w.note("A second member of the household joins; a third one does not fit (two members at most).")
		w.send(zhangJr, w.start(ref301))
		w.tap(zhangJr, "是，这是我家")
		w.send(zhangGd, w.start(ref301))
		w.tap(zhangGd, "是，这是我家")
		if r := w.bound(zhangGd); r != (renovote.HouseholdRef{}) {
			w.t.Fatalf("a third member was bound to %v", r)
		}

		w.note("Opening the same household's link again; opening another household's link.")
		w.send(zhang, w.start(ref301))
		w.send(zhang, w.start(ref302))
		if r := w.bound(zhang); r != ref301 {
			w.t.Fatalf("zhang moved to %v", r)
		}

		w.note("Not my home: nothing is bound, and the old button has expired.")
		w.send(wang, w.start(ref401))
		id, _ := w.lastData(wang.id, "不是")
		w.tap(wang, "不是")
		w.press(wang, id, "b:y")
		if r := w.bound(wang); r != (renovote.HouseholdRef{}) {
			w.t.Fatalf("wang bound to %v after saying no", r)
		}

		w.note("Anything else typed: a hint.")
		w.send(wang, "你好")
		w.send(wang, "/foo")
	})
}

func TestBindEn(t *testing.T) {
	transcript(t, "bind_en", func(w *world) {
		w.send(li, "/start")
		w.send(li, w.start(ref302))
		w.tap(li, "Yes, this is my home")
		w.tap(li, "Vote")
		w.send(li, "/help")
		w.send(li, "hello")
	})
}

func TestInviteCodes(t *testing.T) {
	transcript(t, "invite_codes", func(w *world) {
		first := at(5, 21, 10, 0)
		w.at(first)
		w.note("Wrong form, guessed, revoked: each counts as a failed attempt.")
		w.send(nobody, "/start abc")
		w.at(first.Add(time.Minute))
		w.send(nobody, "/start "+code("guessedGuessedGuessed"))
		revoked := w.codes[ref401]
		w.be.revoke(w.t, ref401)
		w.at(first.Add(2 * time.Minute))
		w.send(nobody, "/start "+revoked)
		w.at(first.Add(3 * time.Minute))
		w.send(nobody, "/start "+code("another_guess"))
		w.at(first.Add(4 * time.Minute))
		w.send(nobody, "/start 12345")

		w.note("The sixth attempt within the hour must wait, even with a good code.")
		w.at(first.Add(5 * time.Minute))
		w.send(nobody, w.start(ref302))
		w.at(first.Add(59*time.Minute + 30*time.Second))
		w.send(nobody, w.start(ref302))
		if n, _, _ := w.be.InviteFailures(context.Background(), nobody.id, first.Add(-time.Hour)); n != 5 {
			w.t.Errorf("failures = %d, want 5 (waiting is not a failure)", n)
		}
		if r := w.bound(nobody); r != (renovote.HouseholdRef{}) {
			w.t.Fatalf("bound to %v while throttled", r)
		}

		w.note("After the hour it works again.")
		w.at(first.Add(time.Hour + time.Minute))
		w.send(nobody, w.start(ref302))
		w.tap(nobody, "是，这是我家")
		if r := w.bound(nobody); r != ref302 {
			w.t.Fatalf("bound to %v after the hour", r)
		}

		w.note("An invitation revoked between the link and the confirmation.")
		w.send(li, w.start(refJin))
		w.be.revoke(w.t, refJin)
		w.tap(li, "Yes, this is my home")
		if r := w.bound(li); r != (renovote.HouseholdRef{}) {
			w.t.Fatalf("bound to %v with a revoked code", r)
		}
	})
}
