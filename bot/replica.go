package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/renovote/renovote"
)

// Replica mode: several bot processes (replicas) for one bot on one store.
// Telegram serves getUpdates to one caller at a time, so the replicas elect
// one poller, and every replica handles updates:
//
//   - Election. Each replica tries to take the poller's lease in the store
//     (ReplicaStore.AcquireLeader, SET NX PX) every Lease/8 or so. The holder
//     renews it every Lease/3. A holder that could not renew it before it may
//     have expired (Redis unreachable, a long pause) stops polling at once,
//     cancelling the getUpdates in flight: fencing. The store fences too: a
//     hand-off is accepted only from the token that holds the lease. A poller
//     that dies is replaced once its lease expires, within Lease and a
//     retry's interval; one that stops releases the lease, and another takes
//     over within that interval.
//   - Polling. The poller asks getUpdates from the offset kept in the store,
//     and hands the updates it got to every replica through the store's
//     stream, moving the offset in the same step (HandOffUpdates). An update
//     taken but not handed over (the poller died or lost its lease) is asked
//     for again by the next poller: Telegram forgets updates only below the
//     offset of a later getUpdates. None is skipped, none handed over twice.
//   - Handling. Every replica (the poller too) reads entries of the stream as
//     one consumer of a group (TakeUpdates), and takes over the entries
//     another replica has left idle for Lease (it died). Before handling an
//     update it claims its id (UpdateClaims, as the webhook does) with a
//     lease of Lease that it extends while it handles; it then marks the
//     update done and acknowledges the entry. An entry whose update is done
//     already is only acknowledged; one claimed by another replica is left to
//     it. A chat's updates keep their order: each entry names the chat's
//     update handed over before it, which must be done first (it is waited
//     for, up to twice the lease and HandleTimeout). An update is handled as
//     when polling alone: a handler failure sends its wording ("NOT
//     recorded") and the update is done.
//   - A replica still on an entry (handling it, or waiting for the chat's
//     earlier update) keeps it every Lease/3, so that it is not taken over
//     while the replica lives. An update given to replicas maxDeliveries
//     times without being done (each died holding it) is given up, so that
//     it cannot take every replica down.
//   - At shutdown a replica stops reading, gives the entries it has not
//     started back (they count as idle at once for the others), and finishes
//     those it started within HandleTimeout, as when polling alone.

// ReplicaStore is what the replicas share in the store (store.Store is one).
type ReplicaStore interface {
	UpdateClaims
	// AcquireLeader takes the poller's lease for token (or extends it when
	// token holds it already); false when another token holds it.
	AcquireLeader(ctx context.Context, token string, lease time.Duration) (bool, error)
	// RenewLeader extends token's lease; false when token does not hold it.
	RenewLeader(ctx context.Context, token string, lease time.Duration) (bool, error)
	// ReleaseLeader gives token's lease up.
	ReleaseLeader(ctx context.Context, token string) error
	// PollOffset is the next getUpdates offset.
	PollOffset(ctx context.Context) (int64, error)
	// HandOffUpdates adds updates to the stream and sets the offset to next,
	// if token holds the lease (false, nothing done, when it does not).
	HandOffUpdates(ctx context.Context, token string, next int64, ups []renovote.HandedUpdate) (bool, error)
	// TakeUpdates returns up to n entries for consumer: idle ones of any
	// consumer first, then new ones, waiting up to block for new ones.
	TakeUpdates(ctx context.Context, consumer string, n int, minIdle, block time.Duration) ([]renovote.HandedUpdate, error)
	// AckUpdate acknowledges and deletes an entry.
	AckUpdate(ctx context.Context, entry string) error
	// HandBackUpdates makes entries consumer took count as idle for idle.
	HandBackUpdates(ctx context.Context, consumer string, entries []string, idle time.Duration) error
	// KeepUpdates starts the idle time of entries consumer is still on again.
	KeepUpdates(ctx context.Context, consumer string, entries []string) error
	// UpdateDone reports whether an update was handled for good.
	UpdateDone(ctx context.Context, updateID int64) (bool, error)
	// ExtendUpdate extends token's claim on an update.
	ExtendUpdate(ctx context.Context, updateID int64, token string, lease time.Duration) (bool, error)
}

// ReplicaConfig runs the bot as one of several replicas (Config.Replicas).
// Its zero value is a single process: it long-polls on its own (or serves
// the webhook) and keeps Telegram's limits by itself.
type ReplicaConfig struct {
	// Store, when set and the bot long-polls, elects one poller among the
	// replicas, which hands the updates to all of them (see above).
	Store ReplicaStore
	// Limit, when set, is the rate limit shared by every replica (see
	// limit_shared.go); Config.Rate is then the rate of them all together.
	Limit SharedLimit
	// Count is how many replicas run (at least 2): when Limit cannot be
	// reached, each keeps Rate/Count by itself.
	Count int
	// Lease is the poller's lease and that of an update a replica handles:
	// a replica that dies is replaced as the poller, and its updates are
	// taken over, within about that long (default 10s).
	Lease time.Duration
}

// defaultLease is ReplicaConfig.Lease's default.
const defaultLease = 10 * time.Second

// Reading the stream: up to updateBatch entries at a time, at most two
// batches held; waiting up to updateBlock for new ones.
const (
	updateBatch = 20
	updateBlock = 2 * time.Second
	// maxDeliveries: an update given to replicas this many times without
	// being done is given up.
	maxDeliveries = 5
	// prevPoll is how often a replica looks whether a chat's earlier update
	// is done.
	prevPoll = 50 * time.Millisecond
)

// on reports whether replica mode is configured.
func (r *ReplicaConfig) on() bool { return r.Store != nil || r.Limit != nil }

// prepare fills in the defaults.
func (r *ReplicaConfig) prepare() {
	if !r.on() {
		return
	}
	if r.Lease <= 0 {
		r.Lease = defaultLease
	}
	r.Lease = max(r.Lease, 100*time.Millisecond)
	r.Count = max(r.Count, 2)
}

// runReplica runs the election and the consumer until ctx ends; the
// updates it started are then in the dispatcher's shards.
func (b *Bot) runReplica(ctx, handleCtx context.Context) {
	b.log.Info("bot polling as one of several replicas", "username", b.me.Username, "consumer", b.cfg.Consumer,
		"lease", b.cfg.Replicas.Lease)
	var wg sync.WaitGroup
	wg.Go(func() { b.elect(ctx) })
	c := &consumer{b: b, rs: b.cfg.Replicas.Store, stop: ctx, handleCtx: handleCtx,
		slots: make(chan struct{}, 2*updateBatch), held: map[string]bool{}, local: map[int64]bool{}}
	c.run()
	wg.Wait()
}

// elect tries to become the poller until ctx ends, and polls while it is.
func (b *Bot) elect(ctx context.Context) {
	rs, lease := b.cfg.Replicas.Store, b.cfg.Replicas.Lease
	token := claimToken()
	warn := every(time.Minute)
	for ctx.Err() == nil {
		start := time.Now()
		actx, cancel := context.WithTimeout(ctx, lease/2)
		ok, err := rs.AcquireLeader(actx, token, lease)
		cancel()
		switch {
		case err != nil && ctx.Err() == nil:
			if warn() {
				b.log.Error("replica: poller lease not reachable", "err", err)
			}
		case ok:
			b.lead(ctx, token, start.Add(lease))
		}
		// Another replica polls, or this one just stopped: try again soon,
		// at a time of our own.
		_ = sleep(ctx, lease/8+rand.N(lease/8))
	}
}

// lead polls as the poller while it holds the lease, which runs until
// expires unless renewed: it renews it every Lease/3, and stops polling once
// it may have expired unrenewed. At shutdown it releases the lease.
func (b *Bot) lead(ctx context.Context, token string, expires time.Time) {
	rs, lease := b.cfg.Replicas.Store, b.cfg.Replicas.Lease
	b.log.Info("replica: this process polls for every replica", "consumer", b.cfg.Consumer)
	lctx, lost := context.WithCancel(ctx)
	defer lost()
	// A margin for the store's clock running faster than ours.
	margin := lease / 10
	var wg sync.WaitGroup
	wg.Go(func() {
		fence := time.NewTimer(time.Until(expires) - margin)
		defer fence.Stop()
		tick := time.NewTicker(lease / 3)
		defer tick.Stop()
		for {
			select {
			case <-lctx.Done():
				return
			case <-fence.C:
				b.log.Error("replica: poller lease not renewed in time: polling stops (fenced)")
				lost()
				return
			case <-tick.C:
				start := time.Now()
				rctx, cancel := context.WithTimeout(lctx, lease/3)
				ok, err := rs.RenewLeader(rctx, token, lease)
				cancel()
				switch {
				case err != nil:
					b.log.Warn("replica: poller lease not renewed", "err", err)
				case !ok:
					b.log.Warn("replica: poller lease lost: polling stops")
					lost()
					return
				default:
					fence.Reset(time.Until(start.Add(lease)) - margin)
				}
			}
		}
	})
	b.pollAndHandOff(lctx, token)
	lost()
	wg.Wait()
	if ctx.Err() != nil { // stopping: another replica takes over at once
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
		defer cancel()
		if err := rs.ReleaseLeader(rctx, token); err != nil {
			b.log.Warn("replica: poller lease not released (it expires)", "err", err)
		}
	}
	b.log.Info("replica: this process no longer polls")
}

// pollAndHandOff polls from the stored offset and hands the updates over
// until ctx ends or the store refuses a hand-off (the lease is gone).
func (b *Bot) pollAndHandOff(ctx context.Context, token string) {
	rs := b.cfg.Replicas.Store
	var offset int64
	for {
		var err error
		if offset, err = rs.PollOffset(ctx); err == nil {
			break
		}
		b.log.Warn("replica: poll offset not read", "err", err)
		if sleep(ctx, claimRetry) != nil {
			return
		}
	}
	var backoff time.Duration
	for ctx.Err() == nil {
		raw, err := b.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			backoff = pollBackoff(err, backoff)
			b.log.Warn("replica: getUpdates failed"+conflictHint(err), "err", err, "retry_in", backoff)
			if sleep(ctx, backoff) != nil {
				return
			}
			continue
		}
		backoff = 0
		if len(raw) == 0 {
			continue
		}
		next, ups := b.handable(raw, offset)
		for {
			ok, err := rs.HandOffUpdates(ctx, token, next, ups)
			if err == nil && !ok {
				b.log.Warn("replica: hand-off refused, the lease is another's: polling stops", "updates", len(ups))
				return
			}
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				return // not handed over: the next poller asks for them again
			}
			b.log.Warn("replica: updates not handed over: trying again", "updates", len(ups), "err", err)
			if sleep(ctx, 200*time.Millisecond) != nil {
				return
			}
		}
		offset = next
	}
}

// handable turns getUpdates' answer into the updates to hand over (those
// from a private chat, as messages or button presses: the others are
// ignored, as when polling alone) and the next offset.
func (b *Bot) handable(raw []json.RawMessage, offset int64) (int64, []renovote.HandedUpdate) {
	next := offset
	var ups []renovote.HandedUpdate
	for _, r := range raw {
		var head struct {
			ID int64 `json:"update_id"`
		}
		if err := json.Unmarshal(r, &head); err != nil || head.ID <= 0 {
			b.log.Warn("replica: getUpdates gave something that is not an update", "bytes", len(r))
			continue
		}
		next = max(next, head.ID+1)
		upd, err := decodeSafely(r)
		if err != nil {
			b.log.Warn("replica: update not decoded, ignored", "update_id", head.ID, "err", err)
			continue
		}
		chat, ok := chatOf(upd)
		if !ok {
			continue
		}
		if _, ok := toInput(upd); !ok {
			continue
		}
		ups = append(ups, renovote.HandedUpdate{ID: upd.ID, Chat: chat, Body: r})
	}
	return next, ups
}

// consumer reads the handed-over updates as one replica.
type consumer struct {
	b         *Bot
	rs        ReplicaStore
	stop      context.Context // ends at shutdown: no more reads
	handleCtx context.Context // the handling; ends HandleTimeout later
	slots     chan struct{}   // one per entry held
	routes    sync.WaitGroup

	mu    sync.Mutex
	held  map[string]bool // entries held
	local map[int64]bool  // updates in this replica's shards, not finished
}

func (c *consumer) run() {
	b := c.b
	lease := b.cfg.Replicas.Lease
	warn := every(time.Minute)
	defer c.routes.Wait()
	for {
		for range updateBatch {
			select {
			case c.slots <- struct{}{}:
			case <-c.stop.Done():
				return
			}
		}
		// Blocking no longer than half the lease: entries a dead replica
		// left are looked for at least that often.
		ups, err := c.rs.TakeUpdates(c.stop, b.cfg.Consumer, updateBatch, lease, min(updateBlock, lease/2))
		if c.stop.Err() != nil {
			c.handBack(ups) // taken just now: the others take them at once
			return
		}
		if err != nil {
			if warn() {
				b.log.Error("replica: updates not read", "err", err)
			}
			c.release(updateBatch)
			if sleep(c.stop, claimRetry) != nil {
				return
			}
			continue
		}
		taken := 0
		for _, u := range ups {
			if !c.hold(u.Entry) {
				continue // ours already: came back after Lease
			}
			taken++
			c.routes.Go(func() { c.route(u) })
		}
		c.release(updateBatch - taken)
	}
}

func (c *consumer) release(n int) {
	for range n {
		<-c.slots
	}
}

func (c *consumer) hold(entry string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held[entry] {
		return false
	}
	c.held[entry] = true
	return true
}

// done lets go of an entry (handled, left to another replica, or given back).
func (c *consumer) done(u renovote.HandedUpdate) {
	c.mu.Lock()
	delete(c.held, u.Entry)
	delete(c.local, u.ID)
	c.mu.Unlock()
	c.release(1)
}

// handBack gives entries not started back to the other replicas.
func (c *consumer) handBack(ups []renovote.HandedUpdate) {
	if len(ups) == 0 {
		return
	}
	entries := make([]string, len(ups))
	for i, u := range ups {
		entries[i] = u.Entry
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.stop), settleTimeout)
	defer cancel()
	if err := c.rs.HandBackUpdates(ctx, c.b.cfg.Consumer, entries, c.b.cfg.Replicas.Lease); err != nil {
		c.b.log.Warn("replica: updates not given back (taken over after the lease)", "updates", len(entries), "err", err)
	}
}

// route waits until the chat's earlier update is done (or in this replica's
// shard before it), then queues the update in its chat's shard.
func (c *consumer) route(u renovote.HandedUpdate) {
	b := c.b
	upd, err := decodeSafely(u.Body)
	if err != nil || upd.ID != u.ID {
		b.log.Error("replica: handed-over update not decoded: dropped", "update_id", u.ID, "err", err)
		c.ack(u)
		c.done(u)
		return
	}
	if !c.waitPrev(u) {
		c.handBack([]renovote.HandedUpdate{u})
		c.done(u)
		return
	}
	c.mu.Lock()
	c.local[u.ID] = true
	c.mu.Unlock()
	if err := b.disp.submitFunc(c.handleCtx, u.Chat, upd, func() {
		defer c.done(u)
		c.handle(u, upd)
	}); err != nil {
		c.handBack([]renovote.HandedUpdate{u})
		c.done(u)
	}
}

// waitPrev returns once the chat's earlier update is done or queued in this
// replica, or after the longest it may take another replica (false when the
// replica stops meanwhile).
func (c *consumer) waitPrev(u renovote.HandedUpdate) bool {
	if u.Prev == 0 {
		return true
	}
	b := c.b
	deadline := time.Now().Add(2*b.cfg.Replicas.Lease + b.cfg.HandleTimeout)
	kept := time.Now()
	for {
		c.mu.Lock()
		here := c.local[u.Prev]
		c.mu.Unlock()
		if here {
			return true // same chat, same shard: handled before
		}
		done, err := c.rs.UpdateDone(c.stop, u.Prev)
		if err == nil && done {
			return true
		}
		if time.Now().After(deadline) {
			b.log.Warn("replica: the chat's earlier update is still not done: handled without it", "update_id", u.ID, "prev", u.Prev)
			return true
		}
		if time.Since(kept) >= b.cfg.Replicas.Lease/3 {
			kept = time.Now()
			c.keep(c.stop, u)
		}
		if sleep(c.stop, prevPoll) != nil {
			return false
		}
	}
}

// keep keeps an entry this replica is still on from being taken over.
func (c *consumer) keep(ctx context.Context, u renovote.HandedUpdate) {
	if err := c.rs.KeepUpdates(ctx, c.b.cfg.Consumer, []string{u.Entry}); err != nil && ctx.Err() == nil {
		c.b.log.Warn("replica: update entry not kept (it may be taken over)", "update_id", u.ID, "err", err)
	}
}

func (c *consumer) ack(u renovote.HandedUpdate) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.stop), settleTimeout)
	defer cancel()
	if err := c.rs.AckUpdate(ctx, u.Entry); err != nil {
		c.b.log.Warn("replica: update entry not acknowledged (taken over and skipped later)", "update_id", u.ID, "err", err)
	}
}

// handle handles one handed-over update in its chat's shard, once across
// the replicas.
func (c *consumer) handle(u renovote.HandedUpdate, upd *models.Update) {
	b := c.b
	lease := b.cfg.Replicas.Lease
	if c.handleCtx.Err() != nil {
		b.log.Warn("replica: update given back at shutdown", "update_id", u.ID)
		c.handBack([]renovote.HandedUpdate{u})
		return
	}
	ctx, cancel := context.WithTimeout(c.handleCtx, b.cfg.HandleTimeout)
	defer cancel()
	token := claimToken()
	cl, err := c.rs.ClaimUpdate(ctx, u.ID, token, lease)
	if err != nil {
		b.log.Error("replica: update not claimed (taken over after the lease)", "update_id", u.ID, "err", err)
		return
	}
	switch cl.Status {
	case renovote.UpdateDone:
		c.ack(u)
		return
	case renovote.UpdateBusy:
		b.log.Info("replica: update being handled by another replica", "update_id", u.ID, "for", cl.Wait)
		return
	}
	finish := func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
		defer cancel()
		if err := c.rs.FinishUpdate(sctx, u.ID, token); err != nil {
			b.log.Error("replica: update handled but not marked done", "update_id", u.ID, "err", err)
			return // not acknowledged: a replica that takes it over finds it done or replays it idempotently
		}
		c.ack(u)
	}
	if u.Deliveries > maxDeliveries {
		b.log.Error("replica: update given up: replicas died holding it", "update_id", u.ID, "deliveries", u.Deliveries)
		finish()
		return
	}
	stopExtend := c.keepClaim(ctx, u, token)
	defer func() {
		stopExtend()
		if r := recover(); r != nil {
			b.log.Error("panic in update handler", "update_id", u.ID, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
		finish()
	}()
	b.process(ctx, upd)
}

// keepClaim extends the claim on u, and keeps its entry, every Lease/3 until
// the returned func is called.
func (c *consumer) keepClaim(ctx context.Context, u renovote.HandedUpdate, token string) func() {
	lease := c.b.cfg.Replicas.Lease
	kctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(lease / 3)
		defer t.Stop()
		for {
			select {
			case <-kctx.Done():
				return
			case <-t.C:
				ok, err := c.rs.ExtendUpdate(kctx, u.ID, token, lease)
				if err == nil && !ok {
					c.b.log.Warn("replica: claim on an update lost while handling it", "update_id", u.ID)
					return
				}
				c.keep(kctx, u)
			}
		}
	})
	return func() { cancel(); wg.Wait() }
}

// process handles an update already known to be this process's to handle:
// the Handler, the callback answer (always), the replies, the menus.
func (b *Bot) process(ctx context.Context, upd *models.Update) {
	in, ok := toInput(upd)
	if !ok {
		return
	}
	answered := upd.CallbackQuery == nil
	defer func() {
		if !answered {
			b.answer(ctx, upd.CallbackQuery.ID, "", false)
		}
	}()
	start := time.Now()
	resp, err := b.cfg.Handler.Handle(ctx, in, b.cfg.Now())
	if err != nil {
		b.log.Error("handle update", "update_id", upd.ID, "err", err)
	}
	if !answered {
		answered = true
		b.answer(ctx, upd.CallbackQuery.ID, resp.CallbackText, resp.CallbackAlert)
	}
	b.send(ctx, in, resp)
	for _, id := range resp.Menus {
		b.refreshMenu(ctx, id)
	}
	kind := "message"
	if upd.CallbackQuery != nil {
		kind = "callback"
	}
	b.cfg.Metrics.UpdateHandled(kind, time.Since(start))
}

// every returns a func that reports true at most once per d: for errors
// that repeat while the store is down.
func every(d time.Duration) func() bool {
	var mu sync.Mutex
	var last time.Time
	return func() bool {
		mu.Lock()
		defer mu.Unlock()
		if now := time.Now(); now.Sub(last) >= d {
			last = now
			return true
		}
		return false
	}
}
