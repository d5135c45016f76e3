package bot

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Outgoing calls pass three gates, in this order (see Bot.gate):
//
//  1. The pause. A 429 from Telegram, to any call (a reply, a bulk message,
//     a progress edit), pauses every outgoing call of the bot until its
//     retry_after has passed: Telegram's flood control is per bot, so the
//     others would only collect more 429s.
//  2. For bulk messages only, the bulk limiter (Config.OutboxRate, burst 1),
//     which spaces them out evenly.
//  3. The global bucket (Config.Rate), shared by every call, in which replies
//     go first: a bulk message takes a token only while no reply is waiting
//     for one. Bulk messages do not reserve future tokens, so a reply waits at
//     most for the next token, that is behind at most one bulk message, however
//     long the broadcast.
//
// The global bucket's burst is small (Rate/20, at least 2): at the default
// 25/s no one-second window holds more than 27 calls, under Telegram's 30
// with room for jitter. (A burst of 1 would lose the time by which each wait
// overslept, a few percent of the rate.)

// bucket is a token bucket with two priorities. It is safe for concurrent use.
type bucket struct {
	mu      sync.Mutex
	perSec  float64
	burst   float64
	tokens  float64
	last    time.Time
	replies int           // replies waiting for a token
	changed chan struct{} // closed and replaced when the replies waiting change
}

func newBucket(perSec float64, burst int) *bucket {
	return &bucket{perSec: perSec, burst: float64(burst), tokens: float64(burst), last: time.Now(), changed: make(chan struct{})}
}

// globalBurst is the burst of the global bucket for a rate.
func globalBurst(perSec float64) int { return max(2, int(perSec/20)) }

// wait takes a token, waiting until there is one (and, for bulk, until no
// reply is waiting) or ctx ends.
func (l *bucket) wait(ctx context.Context, bulk bool) error {
	waiting := false // counted in l.replies
	defer func() {
		if waiting {
			l.mu.Lock()
			l.replies--
			l.signalLocked()
			l.mu.Unlock()
		}
	}()
	var t *time.Timer
	defer func() {
		if t != nil {
			t.Stop()
		}
	}()
	for {
		l.mu.Lock()
		now := time.Now()
		if now.After(l.last) {
			l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.perSec)
			l.last = now
		}
		if l.tokens >= 1 && (!bulk || l.replies == 0) {
			l.tokens--
			l.mu.Unlock()
			return nil
		}
		if !bulk && !waiting {
			waiting = true
			l.replies++
			l.signalLocked()
		}
		// Until the next token; a bulk caller held back by a waiting reply
		// (there is a token, which the reply is about to take) until the
		// replies waiting change.
		d := time.Duration((1 - l.tokens) / l.perSec * float64(time.Second))
		if l.tokens >= 1 {
			d = time.Second
		}
		d = max(d, time.Microsecond)
		ch := l.changed
		l.mu.Unlock()
		if t == nil {
			t = time.NewTimer(d)
		} else {
			t.Reset(d)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-ch:
			t.Stop() // since Go 1.23 no stale tick is left in t.C
		}
	}
}

func (l *bucket) signalLocked() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// pause is the bot-wide pause after a 429.
type pause struct {
	until atomic.Int64 // unix nanoseconds
}

// extend pauses until at least t.
func (p *pause) extend(t time.Time) {
	n := t.UnixNano()
	for {
		cur := p.until.Load()
		if cur >= n || p.until.CompareAndSwap(cur, n) {
			return
		}
	}
}

// paused reports whether the pause is on, and until when.
func (p *pause) paused() (time.Time, bool) {
	u := time.Unix(0, p.until.Load())
	return u, time.Now().Before(u)
}

// errPausedTooLong is returned when a pause outlasts the caller's deadline.
var errPausedTooLong = errors.New("bot: Telegram asked to wait past the deadline (429)")

// wait returns when the pause is over, at once if there is none.
func (p *pause) wait(ctx context.Context) error {
	for {
		u, on := p.paused()
		if !on {
			return nil
		}
		if dl, ok := ctx.Deadline(); ok && dl.Before(u) {
			return errPausedTooLong
		}
		if err := sleep(ctx, time.Until(u)); err != nil {
			return err
		}
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// perChatGap is the least time between two messages to one chat (Telegram:
// about one message per second in a private chat).
const perChatGap = time.Second

// chatClock remembers when each chat last got a message, to space out the
// messages to it: bulk ones and new reply messages wait; edits only note.
type chatClock struct {
	mu     sync.Mutex
	last   map[int64]time.Time
	pruned time.Time
}

func newChatClock() *chatClock { return &chatClock{last: map[int64]time.Time{}} }

// note records a send to chat that ended at t. Entries older than the gap are
// dropped now and then, so the map holds about a second's worth of chats.
func (c *chatClock) note(chat int64, t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.last[chat]) {
		c.last[chat] = t
	}
	if len(c.last) > 1024 && t.Sub(c.pruned) > perChatGap {
		for id, at := range c.last {
			if t.Sub(at) >= perChatGap {
				delete(c.last, id)
			}
		}
		c.pruned = t
	}
}

// wait returns once chat's last send is at least perChatGap ago.
func (c *chatClock) wait(ctx context.Context, chat int64) error {
	return c.waitGap(ctx, chat, perChatGap)
}

// waitGap returns once chat's last send is at least gap ago.
func (c *chatClock) waitGap(ctx context.Context, chat int64, gap time.Duration) error {
	for {
		c.mu.Lock()
		next := c.last[chat].Add(gap)
		c.mu.Unlock()
		d := time.Until(next)
		if d <= 0 {
			return nil
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}
