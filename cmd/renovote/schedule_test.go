package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote/scheduler"
	"github.com/renovote/renovote/store"
)

// TestScheduleListing: `renovote schedule` lists every job of the seed
// programme with its next run in Beijing time and its last run's outcome.
func TestScheduleListing(t *testing.T) {
	setNow(t, inWindow) // 2020-05-10 10:00 Beijing time
	s := newStaff(t)
	s.seed()
	// One past run of the digest, as the scheduler records it.
	st := s.store()
	tick := time.Date(2020, 5, 10, 8, 0, 0, 0, mustLoc("Asia/Shanghai"))
	ctx := context.Background()
	if ok, err := st.ClaimRun(ctx, scheduler.DigestJob, tick, "test", time.Minute); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if err := st.DoneRun(ctx, store.RunRecord{Job: scheduler.DigestJob, Tick: tick, Owner: "test", Outcome: store.RunOK,
		Started: tick, Finished: tick.Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	out := s.ok("schedule")
	wantContains(t, "schedule", out, "Asia/Shanghai",
		scheduler.NoticesJob, "2020-05-10 10:01", // every minute
		scheduler.PhasesJob,
		scheduler.RemindJob, "0 19 * * *", "2020-05-10 19:00",
		scheduler.DigestJob, "2020-05-11 08:00", "2020-05-10 08:00")
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, scheduler.DigestJob+" ") && !strings.Contains(line, "ok") {
			t.Errorf("digest's last outcome missing: %q", line)
		}
	}
}
