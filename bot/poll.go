package bot

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// Long polling alone (no webhook, no replicas): the bot's own getUpdates
// loop, so that Telegram forgets an update only once it was handled.
//
//   - Offset. getUpdates confirms every update below the offset it is sent.
//     An update taken is safe to confirm once it is finished (handled, and
//     with an UpdateLog marked done in the store) or, with an UpdateJournal,
//     once it is journaled: the store keeps it until it is marked done, and
//     the next start handles what the journal still holds (replay, below).
//     The loop sends the lowest update id taken and not safe yet, or the
//     highest taken + 1 when none is. A process killed while it holds
//     updates neither journaled nor finished leaves them unconfirmed: the
//     next start gets them again from Telegram.
//   - Journal. With an UpdateJournal (the store, beside its UpdateLog), each
//     poll's new updates are queued in their shards and then journaled in
//     one write (JournalUpdates) before the loop polls again, so the next
//     poll confirms them and brings only updates not seen yet. Handling
//     does not wait for the write; the done marks do (upJournaling): a mark
//     deletes its update from the journal, so it must come after the
//     update's write. For a journaled update that deletion is the whole
//     mark (JournalDone): each write also records the id up to which every
//     update taken is journaled (through: the highest of the write, or
//     below the lowest update in flight whose write failed), and the
//     UpdateLog counts an update up to it that is no longer journaled as
//     done. So the store keeps no mark per update, and a start after a crash
//     still skips what Telegram gives again of what was handled. A journaled
//     update above every through recorded (one whose write failed was in
//     flight below it) gets a done mark of its own (UpdatesDone), as do those
//     not journaled.
//     A write that fails (the store is unreachable, journalTimeout) leaves
//     its updates not safe: they hold the offset until finished, as without
//     a journal. At most maxInFlight updates are taken and not finished: past
//     it the loop waits for one to finish before it polls again.
//   - Replay. Before its first poll the loop reads the journal
//     (JournaledUpdates, retried with back-off until it answers): the updates
//     a process before took and did not mark done. Those the UpdateLog has
//     marked done are marked again (which deletes them from the journal);
//     the others are handled first, in id order, before any new update.
//   - In flight, not safe. Telegram returns the updates not confirmed (and
//     those finished above them) with every poll, at once: they are
//     skipped, known in memory. While updates not safe are in flight, a poll
//     is not repeated at once: the loop waits until an update is handled or
//     finished (its resident may have pressed again meanwhile; when the
//     answer was full, Telegram's 100, until the offset moves: there is
//     nothing else to get until then); when it was not full it also
//     polls again after stalledPoll, for the new updates of other chats
//     while one update takes long. It never spins; with nothing in flight
//     it long-polls. The price, without a journal: Telegram returns at most
//     100 updates from the offset, so at most 100 are in flight from the
//     oldest unfinished one (a long handling holds the others back,
//     HandleTimeout at most).
//   - Update log. When Config.Dedupe is an UpdateLog (the store), the new ids
//     of a poll are looked up in one call (SeenUpdates): those handled
//     before (by a process that died before the offset passed them) are
//     dropped; Bot.handle then skips FirstSeen. Only the updates of the
//     first answer after the start can have been handled before: a process
//     before saw at most Telegram's 100 from the offset it left, and the
//     first answer holds those (all 100, or all there were). Later polls
//     bring updates no process has seen, so they are not looked up: a round
//     trip less in the loop's path (should one come again anyway, a vote is
//     idempotent by update id). Each handled update goes to
//     one marker goroutine, which writes the done marks in batches
//     (UpdatesDone, one round trip per batch; ids that come in during a
//     write go in the next one) and retries a failed write with back-off
//     (100ms doubling up to 1s, sooner when more updates were handled
//     meanwhile); an update counts as finished for the offset only once
//     marked. Without an UpdateLog, FirstSeen is called per update as it is
//     handled, and an update is finished when handled.
//   - Outcome. An update is finished whatever its handling gave (an error, a
//     panic): the Handler's wording told the resident. One dropped at
//     shutdown (HandleTimeout ran out before it started) is not: it is not
//     marked, and the next start gets it again. So an update taken before a
//     crash is handled at least once (a vote is idempotent by update id) and
//     one marked done is not handled again.
//   - Errors of getUpdates: a 429 waits its retry_after; anything else (a
//     409 when another process polls with the token or a webhook is set, a
//     5xx, the network) backs off from 100ms, doubling up to 5s. The token is
//     never logged.

// UpdateLog records handled updates in batches (store.Store and
// sqlstore.Store implement it). When Config.Dedupe is one, long polling
// alone uses it instead of FirstSeen (poll.go).
type UpdateLog interface {
	// SeenUpdates reports for each id whether it was handled (or claimed)
	// before.
	SeenUpdates(ctx context.Context, ids []int64) ([]bool, error)
	// UpdatesDone marks ids handled, for the store's UpdateTTL.
	UpdatesDone(ctx context.Context, ids []int64) error
}

const (
	// stalledPoll is how long the loop waits, with updates in flight and
	// Telegram's last answer not full, before it polls again without an
	// update finished.
	stalledPoll = 250 * time.Millisecond
	// seenTimeout bounds the look-up of a poll's new update ids: past it (the
	// store is unreachable) the updates are handled as new, so that their
	// residents are told at once that nothing was recorded rather than wait.
	seenTimeout = 500 * time.Millisecond
	// pollBackoffMax bounds the back-off after failed getUpdates calls.
	pollBackoffMax = 5 * time.Second
	// markBackoffMax bounds the back-off after failed done marks, shorter:
	// the offset waits for them, so the marks are written again soon after
	// the store is back.
	markBackoffMax = time.Second
	// markRetryMin is the shortest wait after a failed done mark.
	markRetryMin = 100 * time.Millisecond
	// journalTimeout bounds the journal write of a poll's new updates: past
	// it they are not safe, and hold the offset until finished.
	journalTimeout = 500 * time.Millisecond
	// maxInFlight bounds the updates taken and not finished, with a journal
	// (without one, Telegram's 100 do).
	maxInFlight = 1000
)

// upState is where an update taken stands.
type upState uint8

const (
	upTaken      upState = iota // in flight, neither journaled nor finished
	upJournaling                // in flight, its journal write to come or under way
	upJournaled                 // in flight, journaled: safe to confirm
	upFinished                  // handled and marked done, or ignored
)

// unsafe reports whether an update in st holds the offset.
func (st upState) unsafe() bool { return st == upTaken || st == upJournaling }

// poller is the loop of a bot long polling alone.
type poller struct {
	b         *Bot
	ulog      UpdateLog       // nil: FirstSeen per update
	journal   UpdateJournal   // nil: none (without an UpdateLog, none either)
	shared    bool            // replaying only, for a bot that does not poll alone: FirstSeen per update
	handleCtx context.Context // the handling; ends HandleTimeout after the loop

	mu      sync.Mutex
	next    int64             // highest update id taken + 1 (0: none yet)
	known   map[int64]upState // ids taken at or above the offset, and in flight below it
	pending int               // ids in known not finished
	unsafe  int               // ids in known upTaken or upJournaling: they hold the offset
	through int64             // the highest through a journal write recorded
	marks   []int64           // handled, waiting for their done mark (and journal write)

	// The loop's own: whether a getUpdates has answered since the start, and
	// the highest update id of that first answer (0: it was empty). Only
	// ids up to it are looked up in the UpdateLog.
	polled    bool
	lookupMax int64

	progress chan struct{} // the loop: an update handled or finished (capacity 1)
	wake     chan struct{} // the marker: ids to mark (capacity 1)
	closing  chan struct{} // the marker: write what is left and return
	marked   chan struct{} // closed when the marker has returned
	markCtx  context.Context
	stopMark context.CancelFunc
	markWarn func() bool // paces the log of failed marks
}

// newPoller returns the loop's state and starts its marker, with an
// UpdateLog. close stops the marker.
func newPoller(b *Bot, handleCtx context.Context) *poller {
	p := &poller{b: b, handleCtx: handleCtx, known: map[int64]upState{},
		progress: make(chan struct{}, 1), wake: make(chan struct{}, 1),
		closing: make(chan struct{}), marked: make(chan struct{}), markWarn: every(5 * time.Second)}
	p.ulog, _ = b.cfg.Dedupe.(UpdateLog)
	if p.ulog != nil {
		p.journal, _ = b.cfg.Dedupe.(UpdateJournal)
	}
	p.markCtx, p.stopMark = context.WithCancel(context.WithoutCancel(handleCtx))
	if p.ulog == nil {
		close(p.marked)
		return p
	}
	go p.mark()
	return p
}

// signal wakes whoever waits on ch, without blocking.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// run polls and hands the new updates to their chats' shards until ctx
// ends; every update a poll returned is then in the shards (or, past the
// shutdown deadline, not taken: it comes again at the next start).
func (p *poller) run(ctx context.Context) {
	b := p.b
	if p.journal != nil && !p.replay(ctx) {
		return
	}
	var backoff time.Duration
	for ctx.Err() == nil {
		offset := p.offset()
		raw, err := b.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			backoff = pollBackoff(err, backoff)
			b.log.Warn("getUpdates failed"+conflictHint(err), "err", err, "retry_in", backoff)
			if sleep(ctx, backoff) != nil {
				return
			}
			continue
		}
		backoff = 0
		fresh, low := p.take(raw, offset)
		queued, ok := p.dispatch(ctx, fresh)
		p.writeJournal(ctx, queued)
		if !ok {
			return
		}
		if !p.waitRoom(ctx) {
			return
		}
		if len(raw) > 0 && p.inFlight() {
			// Polling again at once would bring the updates in flight
			// again, and nothing else when the answer was full.
			if !p.waitFinished(ctx, low, len(raw) >= pollLimit) {
				return
			}
		}
	}
}

// pollBackoff is the wait after a failed getUpdates (the lone loop and the
// elected poller): a 429's retry_after, otherwise twice the last one, from
// 100ms up to pollBackoffMax.
func pollBackoff(err error, last time.Duration) time.Duration {
	var pe *pollError
	if errors.As(err, &pe) && pe.RetryAfter > 0 {
		return time.Duration(pe.RetryAfter) * time.Second
	}
	return min(max(2*last, 100*time.Millisecond), pollBackoffMax)
}

// conflictHint explains a 409 in the log.
func conflictHint(err error) string {
	var pe *pollError
	if errors.As(err, &pe) && pe.Code == http.StatusConflict {
		return ": another process polls with this bot's token, or a webhook is set"
	}
	return ""
}

// offset is the next getUpdates offset: the lowest update id taken and not
// safe (neither journaled nor finished), or the highest taken + 1. The
// finished ids below it are forgotten: this poll confirms them.
func (p *poller) offset() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	off := p.next
	if p.unsafe > 0 {
		for id, st := range p.known {
			if st.unsafe() && id < off {
				off = id
			}
		}
	}
	for id, st := range p.known {
		if id < off && st == upFinished {
			delete(p.known, id)
		}
	}
	return off
}

// taken is a new update to handle.
type taken struct {
	upd  *models.Update
	chat int64
	raw  []byte // as Telegram gave it, for the journal
}

// take picks the updates of a getUpdates answer not known yet and returns
// those to handle, in order (those it ignores, not from a private chat or
// not decoded, are finished at once), and the answer's lowest update id.
func (p *poller) take(raw []json.RawMessage, offset int64) ([]taken, int64) {
	b := p.b
	var fresh []taken
	var low int64
	first := !p.polled
	p.polled = true
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range raw {
		id, ok := updateID(r)
		if !ok {
			b.log.Warn("getUpdates gave something that is not an update", "bytes", len(r))
			continue
		}
		if low == 0 || id < low {
			low = id
		}
		if first {
			p.lookupMax = max(p.lookupMax, id)
		}
		if _, ok := p.known[id]; ok || id < offset {
			continue // in flight, or finished
		}
		st := upTaken
		if p.journal != nil {
			st = upJournaling
		}
		if t, ok := p.admitLocked(id, r, st); ok {
			fresh = append(fresh, t)
		}
	}
	return fresh, low
}

// admitLocked records a new update (id, its raw JSON) as st (upTaken or
// upJournaling from Telegram, upJournaled from the journal) and returns it
// to handle, or records it finished when it is ignored: not decoded, or not
// a message or a press in a private chat.
func (p *poller) admitLocked(id int64, r []byte, st upState) (taken, bool) {
	b := p.b
	if st != upJournaled {
		// Not from the journal: an update journaled after one the journal
		// missed must not confirm that one to Telegram.
		p.next = max(p.next, id+1)
	}
	upd, err := decodeSafely(r)
	if err == nil && upd.ID != id {
		err = errors.New("update_id given twice")
	}
	if err != nil {
		b.log.Warn("update not decoded, ignored", "update_id", id, "err", err)
		p.known[id] = upFinished
		return taken{}, false
	}
	chat, ok := chatOf(upd)
	if ok {
		_, ok = toInput(upd)
	}
	if !ok { // not a message or a press in a private chat: ignored
		p.known[id] = upFinished
		return taken{}, false
	}
	p.known[id] = st
	p.pending++
	if st.unsafe() {
		p.unsafe++
	}
	return taken{upd: upd, chat: chat, raw: r}, true
}

// updateID reads an update's id without decoding the rest: at once when it
// is the object's first member, as Telegram writes it (the updates in
// flight come back with every poll), else by decoding it.
func updateID(r json.RawMessage) (int64, bool) {
	const head = `{"update_id":`
	if len(r) > len(head) && string(r[:len(head)]) == head {
		var id int64
		n := 0
		for _, c := range r[len(head):] {
			if c < '0' || c > '9' || n == 18 {
				break
			}
			id = id*10 + int64(c-'0')
			n++
		}
		if n > 0 && len(r) > len(head)+n && (r[len(head)+n] == ',' || r[len(head)+n] == '}') {
			return id, id > 0
		}
	}
	var v struct {
		ID int64 `json:"update_id"`
	}
	if err := json.Unmarshal(r, &v); err != nil || v.ID <= 0 {
		return 0, false
	}
	return v.ID, true
}

// dispatch drops the updates the UpdateLog has seen and queues the others
// in their chats' shards, all of them even when ctx ends meanwhile: they
// are taken. It returns those queued, and false when the shards refuse one
// (the shutdown deadline passed): those not queued come again at the next
// start.
func (p *poller) dispatch(ctx context.Context, fresh []taken) ([]taken, bool) {
	if len(fresh) == 0 {
		return nil, true
	}
	b := p.b
	seen := map[int64]bool{} // handled before
	var ids []int64          // those the first answer after the start brought
	if p.ulog != nil {
		for _, t := range fresh {
			if t.upd.ID <= p.lookupMax {
				ids = append(ids, t.upd.ID)
			}
		}
	}
	if len(ids) > 0 {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), seenTimeout)
		got, err := p.ulog.SeenUpdates(sctx, ids)
		cancel()
		switch {
		case err == nil && len(got) != len(ids):
			b.log.Error("update log: wrong number of answers: updates handled as new", "updates", len(ids), "answers", len(got))
		case err != nil:
			// Handling them is safe: votes are idempotent by update id.
			b.log.Error("update log not read: updates handled as new", "updates", len(ids), "err", err)
		default:
			for i, id := range ids {
				if got[i] {
					seen[id] = true
				}
			}
		}
	}
	queued := fresh[:0:0]
	for _, t := range fresh {
		if seen[t.upd.ID] {
			b.log.Info("update handled before, skipped", "update_id", t.upd.ID)
			p.mu.Lock()
			journaled := p.known[t.upd.ID] == upJournaled
			p.mu.Unlock()
			if journaled {
				p.handled(t.upd.ID) // marked again: deleted from the journal
			} else {
				p.finish(t.upd.ID)
			}
			continue
		}
		if err := b.disp.submitFunc(p.handleCtx, t.chat, t.upd, func() { p.handle(t.upd) }); err != nil {
			b.log.Warn("update not queued at shutdown: it comes again at the next start", "update_id", t.upd.ID)
			return queued, false
		}
		queued = append(queued, t)
	}
	return queued, true
}

// handle handles one update in its shard and finishes it, unless it was
// dropped at shutdown. A panic finishes it too (dispatcher.safe logs it).
func (p *poller) handle(upd *models.Update) {
	handled := true
	defer func() {
		if handled {
			p.handled(upd.ID)
		}
	}()
	handled = p.b.handle(p.handleCtx, upd, p.ulog == nil || p.shared)
}

// handled takes a handled update to its done mark, or finishes it at once
// without an UpdateLog (FirstSeen marked it before it was handled).
func (p *poller) handled(id int64) {
	if p.ulog == nil {
		p.finish(id)
		return
	}
	p.mu.Lock()
	p.marks = append(p.marks, id)
	p.mu.Unlock()
	signal(p.wake)
	signal(p.progress)
}

// finish counts updates as finished for the offset.
func (p *poller) finish(ids ...int64) {
	p.mu.Lock()
	for _, id := range ids {
		st, ok := p.known[id]
		if !ok || st == upFinished {
			continue
		}
		if st.unsafe() {
			p.unsafe--
		}
		p.known[id] = upFinished
		p.pending--
	}
	p.mu.Unlock()
	signal(p.progress)
}

// inFlight reports whether updates are taken and not safe: Telegram
// returns them with every poll, at once.
func (p *poller) inFlight() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.unsafe > 0
}

// waitFinished waits, after a poll that came back with updates in flight
// (low the lowest id it returned), until polling again can bring something
// new: an update finished (when the answer was full, the offset passed low:
// until then Telegram has the same to give), or, when it was not full,
// stalledPoll passed. False when ctx ended.
func (p *poller) waitFinished(ctx context.Context, low int64, full bool) bool {
	if full && p.offset() > low {
		return true
	}
	var stalled <-chan time.Time
	if !full {
		t := time.NewTimer(stalledPoll)
		defer t.Stop()
		stalled = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return false
		case <-stalled:
			return true
		case <-p.progress:
			if !full || p.offset() > low {
				return true
			}
		}
	}
}

// mark writes the done marks, a batch at a time, until close.
func (p *poller) mark() {
	defer close(p.marked)
	for {
		select {
		case <-p.wake:
			p.flush()
		case <-p.closing:
			p.flush()
			return
		}
	}
}

// flush marks the updates handled so far done, retrying with back-off (the
// ids handled meanwhile join the batch), until it succeeds or close's time
// is up; only then are they finished.
func (p *poller) flush() {
	b := p.b
	var ids, jids []int64
	var backoff time.Duration
	for {
		p.mu.Lock()
		ids, jids = p.readyMarksLocked(ids, jids)
		p.mu.Unlock()
		if len(ids)+len(jids) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(p.markCtx, settleTimeout)
		err := p.writeMarks(ctx, ids, jids)
		cancel()
		if err == nil {
			p.finish(ids...)
			p.finish(jids...)
			return
		}
		if p.markCtx.Err() != nil {
			b.log.Error("updates handled but not marked done: they come again at the next start", "updates", len(ids)+len(jids), "err", err)
			return
		}
		backoff = min(max(2*backoff, markRetryMin), markBackoffMax)
		if p.markWarn() {
			b.log.Warn("updates handled but not marked done: trying again", "updates", len(ids)+len(jids), "err", err, "retry_in", backoff)
		}
		if !p.markPause(backoff) {
			b.log.Error("updates handled but not marked done: they come again at the next start", "updates", len(ids)+len(jids))
			return
		}
	}
}

// markPause waits d after a failed mark, or less when more updates are
// handled meanwhile (the store may answer again: they needed it), though
// at least markRetryMin. False when close's time is up.
func (p *poller) markPause(d time.Duration) bool {
	start := time.Now()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.markCtx.Done():
		return false
	case <-t.C:
		return true
	case <-p.wake:
		return sleep(p.markCtx, markRetryMin-time.Since(start)) == nil
	}
}

// close writes the done marks left, within settleTimeout, and stops the
// marker. The shards must have finished: nothing is handled any more.
func (p *poller) close() {
	close(p.closing)
	stop := time.AfterFunc(settleTimeout, p.stopMark)
	<-p.marked
	stop.Stop()
	p.stopMark()
}
