package bot

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Replies go ahead of bulk in the global bucket: with bulk callers always
// waiting, a reply waits for the next token only, not behind them, and the
// rate holds for all together.
func TestBucketRepliesFirst(t *testing.T) {
	t.Parallel()
	const perSec = 20 // a token every 50ms
	l := newBucket(perSec, 1)
	ctx, cancel := context.WithCancel(context.Background())
	var bulk atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for l.wait(ctx, true) == nil {
				bulk.Add(1)
			}
		})
	}
	t0 := time.Now()
	time.Sleep(200 * time.Millisecond)
	var worst time.Duration
	for range 5 {
		s := time.Now()
		if err := l.wait(ctx, false); err != nil {
			t.Fatal(err)
		}
		worst = max(worst, time.Since(s))
		time.Sleep(30 * time.Millisecond)
	}
	elapsed := time.Since(t0)
	cancel()
	wg.Wait()
	// Behind four bulk callers a reply would wait ~200ms.
	if worst > 120*time.Millisecond {
		t.Errorf("a reply waited %v with a token every 50ms", worst)
	}
	if total, most := bulk.Load()+5, 1+elapsed.Seconds()*perSec+1; float64(total) > most {
		t.Errorf("%d tokens in %v at %d/s", total, elapsed, perSec)
	}
	if bulk.Load() == 0 {
		t.Error("bulk starved")
	}
}

// The bucket keeps its rate: a burst, then a token every 1/rate.
func TestBucketRate(t *testing.T) {
	t.Parallel()
	l := newBucket(200, 2)
	t0 := time.Now()
	for range 42 {
		if err := l.wait(context.Background(), true); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(t0); d < 190*time.Millisecond || d > 400*time.Millisecond {
		t.Errorf("42 tokens at 200/s with a burst of 2 took %v, want ~200ms", d)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	slow := newBucket(1, 1)
	_ = slow.wait(ctx, false)
	if err := slow.wait(ctx, false); err == nil {
		t.Error("wait outlived its context")
	}
	if slow.replies != 0 {
		t.Errorf("%d replies still counted as waiting", slow.replies)
	}
}

// The pause only grows, and wait gives up at once when it outlasts the
// deadline.
func TestPause(t *testing.T) {
	t.Parallel()
	var p pause
	if err := p.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	p.extend(now.Add(100 * time.Millisecond))
	p.extend(now.Add(50 * time.Millisecond))
	if u, on := p.paused(); !on || !u.Equal(now.Add(100*time.Millisecond)) {
		t.Errorf("paused until %v (%v)", u, on)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := p.wait(ctx); err != errPausedTooLong {
		t.Errorf("wait past the deadline: %v", err)
	}
	if err := p.wait(context.Background()); err != nil || time.Since(now) < 100*time.Millisecond {
		t.Errorf("wait returned %v after %v", err, time.Since(now))
	}
}
