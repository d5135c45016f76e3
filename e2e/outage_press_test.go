package e2e

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/bot/bottest"
)

// outageCompound is where the residents who press during a Redis outage
// live: not the storm's compound, whose figures they would change.
const outageCompound = "liangmao"

// outagePresser is a resident who opened the ballot before the outage and
// presses during it.
type outagePresser struct {
	u    *bottest.User
	ref  renovote.HouseholdRef
	msg  bottest.Message
	data string
}

// openBallots binds n residents of outageCompound and has each open the
// ballot (/vote) while the store is up.
func (w *failureWorld) openBallots(n int, first int64) []outagePresser {
	w.t.Helper()
	var ps []outagePresser
	for _, r := range w.bindResidents(outageCompound, n, first) {
		var last int64
		if m, ok := r.u.LastBotMessage(); ok {
			last = m.ID
		}
		r.u.Send("/vote")
		ctx, cancel := context.WithTimeout(w.ctx, 10*time.Second)
		m, err := w.srv.WaitForBotMessage(ctx, r.u.ID, last, hasButton("v:a:"))
		cancel()
		if err != nil {
			w.t.Fatalf("the ballot of %d before the outage: %v", r.u.ID, err)
		}
		ps = append(ps, outagePresser{u: r.u, ref: r.ref, msg: m, data: buttonData(m, "v:a:")})
	}
	return ps
}

// outagePresses are the answers to the presses made during an outage.
type outagePresses struct {
	notRecorded, recorded, other, unanswered int
	recordedRefs                             []renovote.HouseholdRef // answered 已记录
}

// pressDuringOutage presses every ballot at once and waits up to wait for
// each answer.
func pressDuringOutage(ctx context.Context, t *testing.T, srv *bottest.Server, ps []outagePresser, wait time.Duration) outagePresses {
	t.Helper()
	var (
		mu  sync.Mutex
		out outagePresses
		wg  sync.WaitGroup
	)
	for _, p := range ps {
		wg.Go(func() {
			qid, err := p.u.Press(p.msg.ID, p.data)
			if err != nil {
				t.Errorf("press: %v", err)
				return
			}
			wctx, cancel := context.WithTimeout(ctx, wait)
			cb, err := srv.WaitCallbackAnswered(wctx, qid)
			cancel()
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				out.unanswered++
			case strings.Contains(cb.AnswerText, "未记录"):
				out.notRecorded++
			case strings.Contains(cb.AnswerText, "已记录"):
				out.recorded++
				out.recordedRefs = append(out.recordedRefs, p.ref)
			default:
				out.other++
			}
		})
	}
	wg.Wait()
	return out
}

// checkOutagePresses checks the presses made during an outage: every one
// answered recorded (handled once the store was back: the client's retries
// can bridge a short outage) is stored, and with mustTell some were answered
// NOT recorded (of these, or stormTold of the storm's).
func (w *failureWorld) checkOutagePresses(got outagePresses, mustTell bool, stormTold int, what string) {
	w.t.Helper()
	w.t.Logf("%d presses %s: told NOT recorded %d, recorded %d, other %d, unanswered %d",
		outagePressers, what, got.notRecorded, got.recorded, got.other, got.unanswered)
	if mustTell && got.notRecorded+stormTold == 0 {
		w.t.Errorf("no press %s was answered NOT recorded", what)
	}
	for _, ref := range got.recordedRefs {
		if _, ok, err := w.st.CurrentVote(w.ctx, ref); err != nil || !ok {
			w.t.Errorf("%s answered recorded is not stored: %v", ref, err)
		}
	}
}
