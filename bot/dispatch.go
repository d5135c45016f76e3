package bot

import (
	"context"
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
	shards []chan *models.Update
	wg     sync.WaitGroup
	mu     sync.RWMutex
	closed bool
	log    *slog.Logger
}

func newDispatcher(n int, handle func(*models.Update), log *slog.Logger) *dispatcher {
	d := &dispatcher{shards: make([]chan *models.Update, n), log: log}
	for i := range d.shards {
		ch := make(chan *models.Update, 256)
		d.shards[i] = ch
		d.wg.Go(func() {
			for upd := range ch {
				d.safe(handle, upd)
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
	d.shards[i] <- upd
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
