package storesuite

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// TestOlderRetryKeepsNewerVote: a command whose reply was lost is sent again
// with its op id (go-redis retries it, Telegram delivers the update again, a
// replica takes it over) — possibly after a newer vote of the same household
// by another member. The retry answers the first receipt and never puts the
// older choice back: the newer vote, its receipt, the counters and the audit
// trail stay as they are. The same for a survey answer.
func TestOlderRetryKeepsNewerVote(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	ref := regs[lm][7].Ref()

	older := cmd(ref, A, during)
	older.Actor, older.OpID, older.UpdateID = "tg:101", "tg:upd:501", 501
	first, err := s.CastVote(ctx, older)
	must(t, err)
	newer := cmd(ref, D, during.Add(time.Minute))
	newer.Actor, newer.OpID, newer.UpdateID = "tg:102", "tg:upd:502", 502
	rc, err := s.CastVote(ctx, newer)
	must(t, err)
	if rc.Previous != A || rc.Replayed {
		t.Fatalf("newer vote: %+v", rc)
	}
	before := checkTally(t, s, lm)

	// The older command again, as retried after the newer vote.
	again, err := s.CastVote(ctx, older)
	must(t, err)
	if !again.Replayed || again.ID != first.ID || again.Choice != A || !again.At.Equal(first.At) {
		t.Fatalf("retried older command answered %+v, want the first receipt %+v replayed", again, first)
	}
	v, ok, err := s.CurrentVote(ctx, ref)
	must(t, err)
	if !ok || v.Choice != D || v.ReceiptID != newer.ReceiptID || v.Actor != "tg:102" || !v.At.Equal(newer.At) {
		t.Fatalf("after the retry the household's vote is %+v, want the newer one %+v", v, newer)
	}
	if after := checkTally(t, s, lm); after != before {
		t.Fatalf("the retry changed the counters: %+v -> %+v", before, after)
	}
	if n, err := s.AuditLen(ctx, lm); err != nil || n != 2 {
		t.Fatalf("audit has %d entries (%v), want 2", n, err)
	}

	// A survey answer: the older submission retried after a newer one.
	sref := regs[lm][8].Ref()
	oldAns := answer(sref, surveyDuring, []string{"roof_repair"}, nil, nil, "lt500")
	newAns := answer(sref, surveyDuring.Add(time.Minute), []string{"facade_leaks"}, nil, []string{"energy_saving"}, "")
	must(t, s.SubmitSurvey(ctx, oldAns, "tg:upd:601"))
	must(t, s.SubmitSurvey(ctx, newAns, "tg:upd:602"))
	counts := checkSurvey(t, s, lm)
	must(t, s.SubmitSurvey(ctx, oldAns, "tg:upd:601"))
	got, ok, err := s.SurveyAnswer(ctx, sref)
	must(t, err)
	if !ok || !reflect.DeepEqual(got, normalized(newAns)) {
		t.Fatalf("after the retry the answer is %+v, want the newer one", got)
	}
	if after := checkSurvey(t, s, lm); !reflect.DeepEqual(after, counts) {
		t.Fatalf("the retry changed the survey counters: %+v -> %+v", counts, after)
	}
}
