package scheduler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// A jump of the clock from Monday 10:00 to Wednesday 20:30 in Shanghai runs
// the daily 19:00 job for each of the three evenings, and the minute check
// only at the mark (the first minute at or after it) and at the end, each
// with its run's now equal to its tick, in time order, once even when asked
// twice.
func TestRunDueAfterJump(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	runs := &memRuns{}
	s := NewWith(Config{Location: loc, Logger: quiet(), Runs: runs, Now: func() time.Time { return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) }})
	var mu sync.Mutex
	var got []string
	record := func(ctx context.Context) error {
		r, _ := RunOf(ctx)
		if !r.Now.Equal(r.Tick) {
			t.Errorf("%s: run now %v, tick %v: want equal", r.Job, r.Now, r.Tick)
		}
		mu.Lock()
		defer mu.Unlock()
		got = append(got, r.Job+" "+r.Tick.In(loc).Format("Mon 15:04"))
		return nil
	}
	for _, j := range []struct{ name, spec string }{{"daily", "0 19 * * *"}, {"minute", "* * * * *"}, {"hourly", "0 * * * *"}} {
		if err := s.Add(j.name, j.spec, record); err != nil {
			t.Fatal(err)
		}
	}
	from := time.Date(2020, 5, 11, 10, 0, 0, 0, loc) // a Monday
	to := time.Date(2020, 5, 13, 20, 30, 0, 0, loc)
	marks := []time.Time{
		time.Date(2020, 5, 12, 12, 0, 30, 0, loc), // between minutes: the next one
		time.Date(2020, 5, 12, 8, 0, 0, 0, loc),   // on a minute: that one
		time.Date(2020, 5, 11, 9, 0, 0, 0, loc),   // before the jump: ignored
		time.Date(2020, 5, 14, 9, 0, 0, 0, loc),   // after it: ignored
	}
	ran, err := s.RunDue(context.Background(), from, to, marks)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	hour := from.Add(time.Hour)
	add := func(s string) { want = append(want, s) }
	for ; !hour.After(to); hour = hour.Add(time.Hour) {
		if hour.Hour() == 19 {
			add("daily " + hour.Format("Mon 15:04"))
		}
		add("hourly " + hour.Format("Mon 15:04"))
		if hour.Equal(time.Date(2020, 5, 12, 8, 0, 0, 0, loc)) {
			add("minute Tue 08:00")
		}
		if hour.Equal(time.Date(2020, 5, 12, 12, 0, 0, 0, loc)) {
			add("minute Tue 12:01") // after the 12:00 hourly: sorted by tick
		}
	}
	add("minute Wed 20:30")
	if !slices.Equal(got, want) {
		t.Fatalf("runs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(ran) != len(want) {
		t.Errorf("RunDue reported %d runs, want %d", len(ran), len(want))
	}
	// Asked again (a second process, or a retry): every run is claimed already.
	again, err := s.RunDue(context.Background(), from, to, marks)
	if err != nil || len(again) != 0 || len(got) != len(want) {
		t.Errorf("second RunDue ran %d (err %v), jobs ran %d times in all, want 0 more", len(again), err, len(got))
	}
	if len(runs.done) != len(want) {
		t.Errorf("%d runs marked done, want %d", len(runs.done), len(want))
	}
}

// Nothing is due for a clock that did not move forward, and a failing job
// does not stop the runs after it; its error is returned.
func TestRunDueEdges(t *testing.T) {
	s := NewWith(Config{Location: time.UTC, Logger: quiet()})
	n := 0
	boom := errors.New("boom")
	if err := s.Add("fails", "0 * * * *", func(context.Context) error { n++; return boom }); err != nil {
		t.Fatal(err)
	}
	if err := s.Add("works", "30 * * * *", func(context.Context) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC)
	if d := s.Due(at, at, nil); len(d) != 0 {
		t.Errorf("no jump: due %v", d)
	}
	if d := s.Due(at, at.Add(-time.Hour), nil); len(d) != 0 {
		t.Errorf("backwards: due %v", d)
	}
	ran, err := s.RunDue(context.Background(), at, at.Add(2*time.Hour), nil)
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
	if n != 4 || len(ran) != 4 {
		t.Errorf("ran %d jobs, reported %d, want 4: %v", n, len(ran), ran)
	}
	if got := fmt.Sprint(ran[0].Job, ran[1].Job); got != "worksfails" { // 00:30, then 01:00
		t.Errorf("order %v", ran)
	}
}
