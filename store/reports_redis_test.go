package store_test

// Tests of reports that depend on Redis itself (its scripts, keys, clients or
// server); the behaviour shared with the SQLite store is in store/storesuite.

import (
	"context"
	"fmt"
	"testing"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

// Every script reply may be lost; filings and moves are still applied once.
func TestReportsLostReplies(t *testing.T) {
	t.Parallel()
	s, lp := lossyStore(t)
	ctx := context.Background()
	must(t, s.ApplyProgramme(ctx, testProgramme()))
	hhs := households(lm, 55)
	_, err := s.ImportRegister(ctx, lm, hhs, store.ImportOptions{Actor: "cli:test", Now: opens})
	must(t, err)
	const n = 200
	run(t, 16, n, func(i int) error {
		_, err := s.FileReport(ctx, newReport(hhs[i%len(hhs)], int64(i+1), surveyDuring), fmt.Sprintf("op:%d", i))
		return err
	})
	run(t, 16, n, func(i int) error {
		_, err := s.MoveReport(ctx, lm, fmt.Sprintf("R%d", i+1), renovote.ReportAcknowledged, "tg:1", surveyDuring, fmt.Sprintf("ack:%d", i))
		return err
	})
	all, err := s.Reports(ctx, lm)
	must(t, err)
	if len(all) != n {
		t.Fatalf("%d reports for %d filings", len(all), n)
	}
	for _, r := range all {
		if r.Status != renovote.ReportAcknowledged || len(r.History) != 2 {
			t.Fatalf("report %+v", r)
		}
	}
	if lp.dropped.Load() == 0 {
		t.Fatal("the proxy dropped no reply")
	}
}
