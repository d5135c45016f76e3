package scheduler

import (
	"context"
	"log/slog"
	"time"
)

// The consumers job deletes the dead consumers of the store's stream groups
// (store.PruneConsumers): each restart of a replica or an outbox sender
// names a new consumer, and the old one stays listed until deleted.
const (
	ConsumersJob  = "consumers"
	ConsumersSpec = "17 * * * *" // hourly
	// DeadConsumerIdle is how long a consumer holding nothing must have
	// read nothing before it is deleted.
	DeadConsumerIdle = time.Hour
)

// ConsumerPruner is what the consumers job needs of the store (*store.Store;
// the embedded store has no consumer groups).
type ConsumerPruner interface {
	PruneConsumers(ctx context.Context, idle time.Duration) (int, error)
}

// AddConsumers schedules the consumers job hourly.
func (s *Scheduler) AddConsumers(st ConsumerPruner) error {
	return s.Add(ConsumersJob, ConsumersSpec, Consumers(st, s.log))
}

// Consumers returns the job that deletes consumers idle for
// DeadConsumerIdle and holding nothing.
func Consumers(st ConsumerPruner, log *slog.Logger) Job {
	if log == nil {
		log = slog.Default()
	}
	return func(ctx context.Context) error {
		n, err := st.PruneConsumers(ctx, DeadConsumerIdle)
		if err != nil {
			return err
		}
		if n > 0 {
			log.Info("scheduler: dead stream consumers deleted", "n", n)
		}
		return nil
	}
}
