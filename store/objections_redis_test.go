package store_test

// Tests of objections that depend on Redis itself (its scripts, keys, clients or
// server); the behaviour shared with the SQLite store is in store/storesuite.

import (
	"context"
	"fmt"
	"testing"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

// Every script reply may be lost; go-redis retries, and each filing and
// answer is still applied once.
func TestObjectionsLostReplies(t *testing.T) {
	t.Parallel()
	s, lp := lossyStore(t)
	ctx := context.Background()
	must(t, s.ApplyProgramme(ctx, publicityProgramme()))
	hhs := households(lm, 55)
	_, err := s.ImportRegister(ctx, lm, hhs, store.ImportOptions{Actor: "cli:test", Now: opens})
	must(t, err)
	const n = 100
	run(t, 16, n, func(i int) error {
		_, err := s.FileObjection(ctx, newObjection(hhs[i%len(hhs)], int64(i+1), "记录有误", pubDuring), fmt.Sprintf("op:%d", i))
		return err
	})
	run(t, 16, n, func(i int) error {
		_, err := s.AnswerObjection(ctx, lm, fmt.Sprintf("O%d", i+1), "tg:1", "", pubDuring, fmt.Sprintf("ans:%d", i))
		return err
	})
	all, err := s.Objections(ctx, lm)
	must(t, err)
	if len(all) != n {
		t.Fatalf("%d objections for %d filings", len(all), n)
	}
	for _, o := range all {
		if o.Status != renovote.ObjectionAnswered {
			t.Fatalf("objection %+v", o)
		}
	}
	audit, err := s.ObjectionAudit(ctx, lm)
	must(t, err)
	if len(audit) != 2*n {
		t.Fatalf("%d audit entries, want %d", len(audit), 2*n)
	}
	if lp.dropped.Load() == 0 {
		t.Fatal("the proxy dropped no reply")
	}
}
