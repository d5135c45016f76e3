package dialogs

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/renovote/renovote"
)

// pendingVotes is a store whose votes are received but not confirmed durable
// (renovote.Receipt.Pending), as the Redis store's confirmed mode returns them
// when fewer replicas than configured acknowledged a vote in time.
type pendingVotes struct {
	Store
	on *atomic.Bool
}

func (p pendingVotes) CastVote(ctx context.Context, cmd renovote.VoteCmd) (renovote.Receipt, error) {
	rc, err := p.Store.CastVote(ctx, cmd)
	if err == nil && p.on.Load() {
		rc.Pending = true
	}
	return rc, err
}

// A vote pending confirmation is never called recorded: the receipt says it
// was received and is pending, and how to check it; the press is answered
// the same way; the log notes it. Paper ballots too.
func TestVotePending(t *testing.T) {
	transcript(t, "vote_pending", func(w *world) {
		on := &atomic.Bool{}
		w.fl.Store = pendingVotes{Store: w.fl.Store, on: on}
		w.bind(zhang, ref301)
		w.bind(zhangJr, ref301)
		w.bind(li, ref302)

		w.note("The store holds the vote but could not confirm it on its replicas; the other member is told it is pending too.")
		on.Store(true)
		w.send(zhang, "/vote")
		resp := w.tap(zhang, "同意改造")
		pending(w, resp, "待确认", "已记录")
		toJr := ""
		for _, r := range resp.Replies {
			if r.ChatID == zhangJr.id {
				toJr += r.Text
			}
		}
		if !strings.Contains(toJr, "尚待确认") || !strings.Contains(toJr, "not yet confirmed") || strings.Contains(toJr, "更新为") {
			w.t.Errorf("the other member was told: %q", toJr)
		}
		w.send(li, "/vote")
		resp = w.tap(li, "Disagree")
		pending(w, resp, "pending confirmation", "Recorded")

		w.note("A paper ballot pending confirmation.")
		w.send(worker, "/paper 粮贸小区 3-2-401 同意 纸质票")
		w.tap(worker, "跳过")
		resp = w.tap(worker, "确认")
		pending(w, resp, "待确认", "已记录")
		if !strings.Contains(w.logs.String(), "vote pending confirmation") {
			w.t.Error("the log does not note the pending votes")
		}

		w.note("Confirmed again: recorded.")
		on.Store(false)
		resp = w.tap(zhang, "不同意")
		if strings.Contains(resp.CallbackText, "待确认") || !strings.Contains(replyTexts(resp), "已记录") {
			w.t.Errorf("confirmed vote answered %q:\n%s", resp.CallbackText, replyTexts(resp))
		}
		if v := w.vote(ref301); v.Choice != renovote.ChoiceDisagree {
			w.t.Fatalf("vote = %+v", v)
		}
	})
}

// pending checks that a vote's answer says pending (want) and never recorded (never).
func pending(w *world, resp Response, want, never string) {
	w.t.Helper()
	text := replyTexts(resp)
	if !strings.Contains(resp.CallbackText, want) || !strings.Contains(text, want) {
		w.t.Errorf("pending vote answered %q:\n%s", resp.CallbackText, text)
	}
	if strings.Contains(resp.CallbackText, never) || strings.Contains(text, never) {
		w.t.Errorf("a pending vote is called %q: %q\n%s", never, resp.CallbackText, text)
	}
}

func replyTexts(resp Response) string {
	var b strings.Builder
	for _, r := range resp.Replies {
		b.WriteString(r.Text)
		b.WriteByte('\n')
	}
	return b.String()
}
