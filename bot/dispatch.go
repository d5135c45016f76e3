package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"

	"github.com/go-telegram/bot/models"
)

// dispatcher runs updates serially per chat: a chat always maps to the same
// shard, and a shard handles one update at a time, in arrival order.
type dispatcher struct {
	shards []chan job
	wg     sync.WaitGroup
	mu     sync.RWMutex
	closed bool
	log    *slog.Logger
}

// job is one update in a shard's queue and what handles it (the poll loop's,
// the webhook's or a replica's run, which reports the outcome).
type job struct {
	upd *models.Update
	run func()
}

// errDispatcherClosed: the bot is stopping.
var errDispatcherClosed = errors.New("bot: stopping, update not queued")

func newDispatcher(n int, log *slog.Logger) *dispatcher {
	d := &dispatcher{shards: make([]chan job, n), log: log}
	for i := range d.shards {
		ch := make(chan job, 256)
		d.shards[i] = ch
		d.wg.Go(func() {
			for j := range ch {
				d.safe(j)
			}
		})
	}
	return d
}

// safe runs a job, logging a panic instead of dying of it.
func (d *dispatcher) safe(j job) {
	defer func() {
		if r := recover(); r != nil {
			d.log.Error("panic in update handler", "update_id", j.upd.ID, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	j.run()
}

// submitFunc queues run in chat's order. It fails when the dispatcher is
// closed, or ctx ends while the shard's queue is full.
func (d *dispatcher) submitFunc(ctx context.Context, chat int64, upd *models.Update, run func()) error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return errDispatcherClosed
	}
	i := uint64(chat) % uint64(len(d.shards))
	select {
	case d.shards[i] <- job{upd: upd, run: run}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close stops accepting updates and waits for the queued ones to finish.
func (d *dispatcher) close() {
	d.mu.Lock()
	if !d.closed {
		d.closed = true
		for _, ch := range d.shards {
			close(ch)
		}
	}
	d.mu.Unlock()
	d.wg.Wait()
}
