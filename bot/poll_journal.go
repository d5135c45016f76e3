package bot

import (
	"context"
	"slices"
	"time"
)

// The update journal of long polling alone (poll.go): the write of each
// poll's updates, the wait when too many are in flight, the replay at start,
// and the done marks that must wait for their update's write.

// UpdateJournal keeps the updates a lone poller took from Telegram until
// they are handled (store.Store and sqlstore.Store implement it, beside
// UpdateLog). When Config.Dedupe is both, long polling alone journals the
// updates it takes and confirms them to Telegram at once (poll.go).
type UpdateJournal interface {
	// JournalUpdates keeps updates, their raw JSON by id, and records, with
	// through > 0, that every update this poller took with an id up to
	// through is journaled or was (a write's through replaces the one
	// recorded before; the poller's only grow). Writing one again replaces
	// it.
	JournalUpdates(ctx context.Context, updates map[int64][]byte, through int64) error
	// JournaledUpdates returns the updates journaled and not marked done
	// since (save those too old to matter, which the store drops).
	JournaledUpdates(ctx context.Context) (map[int64][]byte, error)
	// JournalDone marks journaled updates done by deleting them from the
	// journal: from then on UpdateLog.SeenUpdates counts an update as seen
	// when its id is up to the last through recorded and it is no longer
	// journaled. The store writes no done mark of its own for them (a mark
	// per update is most of what the lone poller costs the store).
	JournalDone(ctx context.Context, ids []int64) error
}

// writeJournal journals the updates just queued, in one write within
// journalTimeout, and then counts them safe. A failed write leaves them not
// safe (logged): they hold the offset until finished. Either way their done
// marks may go now.
func (p *poller) writeJournal(ctx context.Context, queued []taken) {
	if p.journal == nil || len(queued) == 0 {
		return
	}
	ups := make(map[int64][]byte, len(queued))
	var through int64
	for _, t := range queued {
		ups[t.upd.ID] = t.raw
		through = max(through, t.upd.ID)
	}
	p.mu.Lock()
	for id, st := range p.known {
		// An update whose write failed before is not journaled: the ids from
		// it on are not all journaled.
		if st == upTaken && id <= through {
			through = id - 1
		}
	}
	p.mu.Unlock()
	jctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), journalTimeout)
	err := p.journal.JournalUpdates(jctx, ups, through)
	cancel()
	if err != nil {
		p.b.log.Error("updates not journaled: the offset waits for them to be handled", "updates", len(ups), "err", err)
	}
	p.mu.Lock()
	if err == nil {
		p.through = max(p.through, through)
	}
	for id := range ups {
		if p.known[id] != upJournaling {
			continue
		}
		if err != nil {
			p.known[id] = upTaken
			continue
		}
		p.known[id] = upJournaled
		p.unsafe--
	}
	p.mu.Unlock()
	signal(p.wake)
}

// waitRoom waits, with maxInFlight updates or more in flight, until one
// finishes. False when ctx ended.
func (p *poller) waitRoom(ctx context.Context) bool {
	for {
		p.mu.Lock()
		full := p.pending >= maxInFlight
		p.mu.Unlock()
		if !full {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-p.progress:
		}
	}
}

// replay handles what the journal holds from a process before, before the
// first poll: the updates the UpdateLog marked done are marked again (which
// deletes them from the journal), the others are queued in id order. It
// reads the journal until it answers, backing off as after a failed poll.
// False when ctx ended first.
func (p *poller) replay(ctx context.Context) bool {
	b := p.b
	var ups map[int64][]byte
	var backoff time.Duration
	for {
		jctx, cancel := context.WithTimeout(ctx, settleTimeout)
		var err error
		ups, err = p.journal.JournaledUpdates(jctx)
		cancel()
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return false
		}
		backoff = pollBackoff(err, backoff)
		b.log.Error("update journal not read: the bot waits for it", "err", err, "retry_in", backoff)
		if sleep(ctx, backoff) != nil {
			return false
		}
	}
	if len(ups) == 0 {
		return true
	}
	ids := make([]int64, 0, len(ups))
	for id := range ups {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var fresh []taken
	p.mu.Lock()
	for _, id := range ids {
		if t, ok := p.admitLocked(id, ups[id], upJournaled); ok {
			fresh = append(fresh, t)
		} else {
			p.marks = append(p.marks, id) // deleted from the journal
		}
	}
	p.lookupMax = max(p.lookupMax, ids[len(ids)-1])
	p.mu.Unlock()
	b.log.Info("updates journaled by a process before: handling them first", "updates", len(ids))
	queued, ok := p.dispatch(ctx, fresh)
	if len(queued) < len(fresh) {
		// Not queued at shutdown: they stay journaled for the next start.
		b.log.Warn("journaled updates not queued at shutdown", "updates", len(fresh)-len(queued))
	}
	signal(p.wake)
	return ok
}

// replayJournal, for a bot that does not poll alone (webhook, replicas),
// handles what a lone poller before left in the update journal, before any
// new update (they go to their chats' shards first), with the lone poller's
// replay (below) and marks. Other processes may be replaying the same
// journal at once: each update is taken with FirstSeen (the store's claim
// key) before it is handled, so only one handles it; the others find it
// seen, skip it and delete it from the journal (were the one that took it
// killed before handling it, it is lost: an unanswered press, never an
// acknowledged vote). b.poll keeps the marker for Run's shutdown. True when
// there is no journal or it was read; false when ctx ended first.
func (b *Bot) replayJournal(ctx, handleCtx context.Context) bool {
	if _, ok := b.cfg.Dedupe.(UpdateJournal); !ok {
		return true
	}
	if _, ok := b.cfg.Dedupe.(UpdateLog); !ok {
		return true
	}
	b.poll = newPoller(b, handleCtx)
	b.poll.shared = true
	return b.poll.replay(ctx)
}

// readyMarksLocked appends to ids the handled updates whose done mark may
// be written, those journaled up to a through recorded to jids (their mark
// is their deletion from the journal, JournalDone), and leaves in p.marks
// those whose journal write is still to come: a mark deletes its update from
// the journal, so it goes after.
func (p *poller) readyMarksLocked(ids, jids []int64) ([]int64, []int64) {
	held := p.marks[:0]
	for _, id := range p.marks {
		switch p.known[id] {
		case upJournaling:
			held = append(held, id)
		case upJournaled:
			if id <= p.through {
				jids = append(jids, id)
			} else {
				ids = append(ids, id)
			}
		default:
			ids = append(ids, id)
		}
	}
	p.marks = held
	return ids, jids
}

// writeMarks marks ids done (UpdateLog.UpdatesDone) and jids, journaled,
// done by their deletion from the journal (JournalDone): one round trip
// each, only the journal's in the common case.
func (p *poller) writeMarks(ctx context.Context, ids, jids []int64) error {
	if len(jids) > 0 {
		if err := p.journal.JournalDone(ctx, jids); err != nil {
			return err
		}
	}
	if len(ids) > 0 {
		return p.ulog.UpdatesDone(ctx, ids)
	}
	return nil
}
