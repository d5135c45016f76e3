package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"

	tg "github.com/go-telegram/bot"
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

// job is one update in a shard's queue: run, or else the dispatcher's handle
// (the webhook queues its own run, which reports the outcome).
type job struct {
	upd *models.Update
	run func()
}

// errDispatcherClosed: the bot is stopping.
var errDispatcherClosed = errors.New("bot: stopping, update not queued")

func newDispatcher(n int, handle func(*models.Update), log *slog.Logger) *dispatcher {
	d := &dispatcher{shards: make([]chan job, n), log: log}
	for i := range d.shards {
		ch := make(chan job, 256)
		d.shards[i] = ch
		d.wg.Go(func() {
			for j := range ch {
				if j.run != nil {
					d.safe(func(*models.Update) { j.run() }, j.upd)
				} else {
					d.safe(handle, j.upd)
				}
			}
		})
	}
	return d
}

func (d *dispatcher) safe(handle func(*models.Update), upd *models.Update) {
	defer func() {
		if r := recover(); r != nil {
			d.log.Error("panic in update handler", "update_id", upd.ID, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	handle(upd)
}

func (d *dispatcher) submit(chat int64, upd *models.Update) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		d.log.Warn("update after shutdown dropped", "update_id", upd.ID)
		return
	}
	i := uint64(chat) % uint64(len(d.shards))
	d.shards[i] <- job{upd: upd}
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

// recoverMiddleware keeps a panic in a library handler from killing the process.
func recoverMiddleware(log *slog.Logger) tg.Middleware {
	return func(next tg.HandlerFunc) tg.HandlerFunc {
		return func(ctx context.Context, b *tg.Bot, upd *models.Update) {
			defer func() {
				if r := recover(); r != nil {
					log.Error("panic in telegram handler", "update_id", upd.ID, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				}
			}()
			next(ctx, b, upd)
		}
	}
}
