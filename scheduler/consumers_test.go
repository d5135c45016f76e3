package scheduler

import (
	"context"
	"errors"
	"testing"
	"time"
)

type pruner struct {
	idle []time.Duration
	n    int
	err  error
}

func (p *pruner) PruneConsumers(_ context.Context, idle time.Duration) (int, error) {
	p.idle = append(p.idle, idle)
	return p.n, p.err
}

// The job prunes consumers idle for DeadConsumerIdle, and fails when the
// store does (the run is recorded as failed and tried at the next tick).
func TestConsumersJob(t *testing.T) {
	p := &pruner{n: 3}
	if err := Consumers(p, nil)(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(p.idle) != 1 || p.idle[0] != DeadConsumerIdle {
		t.Errorf("pruned with %v", p.idle)
	}
	boom := errors.New("redis down")
	p.err = boom
	if err := Consumers(p, nil)(context.Background()); !errors.Is(err, boom) {
		t.Errorf("error %v, want %v", err, boom)
	}
	s := New(time.UTC, nil)
	if err := s.AddConsumers(p); err != nil {
		t.Fatalf("the hourly spec: %v", err)
	}
}
