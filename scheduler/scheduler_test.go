package scheduler

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// TestZoneAndRecover walks two days in fake time: a daily 19:00 job in
// Asia/Shanghai fires at 11:00 UTC, and a job that panics on its first run
// still runs at its next tick.
func TestZoneAndRecover(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			t.Fatal(err)
		}
		s := New(loc, slog.New(slog.NewTextHandler(io.Discard, nil)))
		var mu sync.Mutex
		var fired []time.Time
		panics := 0
		if err := s.Add("reminder", "0 19 * * *", func(context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			fired = append(fired, time.Now().In(loc))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if err := s.Add("flaky", "0 * * * *", func(context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			panics++
			if panics == 1 {
				panic("first run fails")
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		s.Start()
		time.Sleep(48 * time.Hour)
		synctest.Wait()
		s.Stop(context.Background())

		mu.Lock()
		defer mu.Unlock()
		if len(fired) != 2 {
			t.Fatalf("daily job fired %d times in 48h, want 2: %v", len(fired), fired)
		}
		for _, f := range fired {
			if f.Hour() != 19 || f.Minute() != 0 || f.UTC().Hour() != 11 {
				t.Errorf("fired at %v (UTC %v), want 19:00 Shanghai = 11:00 UTC", f, f.UTC())
			}
		}
		if panics < 47 {
			t.Errorf("hourly job ran %d times in 48h after panicking once, want >= 47", panics)
		}
	})
}

func TestBadSpec(t *testing.T) {
	s := New(time.UTC, nil)
	if err := s.Add("bad", "every day", func(context.Context) error { return nil }); err == nil {
		t.Fatal("bad spec accepted")
	}
}
