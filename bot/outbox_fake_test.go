package bot

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/renovote/renovote"
)

// memOutbox is an in-memory Outbox with the semantics of the Redis stream and
// consumer group behind store's: a claim hands each message to one consumer;
// a message claimed and not settled for minIdle is handed over again (to any
// consumer) with Attempts+1; settle counts only once.
type memOutbox struct {
	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every change
	entries []*obEntry    // in queue order
	byID    map[string]*obEntry
	next    int // entries[next:] were never delivered
	notices map[string]*renovote.Notice
	seq     int
	claims  int
}

type obEntry struct {
	msg     renovote.OutMsg
	owner   string // consumer holding it, "" when settled or never delivered
	since   time.Time
	settled renovote.Delivery
	detail  string
	settles int // SettleOutbox calls
	owners  []string
}

func newMemOutbox() *memOutbox {
	return &memOutbox{changed: make(chan struct{}), byID: map[string]*obEntry{}, notices: map[string]*renovote.Notice{}}
}

func (o *memOutbox) notifyLocked() {
	close(o.changed)
	o.changed = make(chan struct{})
}

// add queues a notice to chats and returns its id.
func (o *memOutbox) add(n renovote.Notice, chats ...int64) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seq++
	if n.ID == "" {
		n.ID = fmt.Sprintf("n%d", o.seq)
	}
	n.Status = renovote.NoticeSending
	n.Counts = renovote.NoticeCounts{Recipients: int64(len(chats))}
	o.notices[n.ID] = &n
	for i, c := range chats {
		e := &obEntry{msg: renovote.OutMsg{ID: fmt.Sprintf("%s-%d", n.ID, i), NoticeID: n.ID, ChatID: c,
			Text: n.Text, Photo: n.Photo, Document: n.Document}}
		o.entries = append(o.entries, e)
		o.byID[e.msg.ID] = e
	}
	o.notifyLocked()
	return n.ID
}

// addPending queues a message of notice id as if consumer ghost had taken it
// attempts times and died.
func (o *memOutbox) addPending(id string, chat int64, attempts int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := o.notices[id]
	n.Counts.Recipients++
	e := &obEntry{msg: renovote.OutMsg{ID: fmt.Sprintf("%s-ghost-%d", id, chat), NoticeID: id, ChatID: chat, Text: n.Text, Attempts: attempts},
		owner: "ghost", owners: []string{"ghost"}}
	// Before the never-delivered ones, as the stream would have it.
	o.entries = append(o.entries[:o.next], append([]*obEntry{e}, o.entries[o.next:]...)...)
	o.next++
	o.byID[e.msg.ID] = e
	o.notifyLocked()
}

func (o *memOutbox) ClaimOutbox(ctx context.Context, consumer string, n int, minIdle, block time.Duration) ([]renovote.OutMsg, error) {
	deadline := time.NewTimer(block)
	defer deadline.Stop()
	for {
		o.mu.Lock()
		o.claims++
		now := time.Now()
		var out []renovote.OutMsg
		for _, e := range o.entries[:o.next] {
			if len(out) == n {
				break
			}
			if e.owner != "" && e.settled == "" && now.Sub(e.since) >= minIdle {
				e.owner, e.since = consumer, now
				e.msg.Attempts++
				e.owners = append(e.owners, consumer)
				out = append(out, e.msg)
			}
		}
		for len(out) < n && o.next < len(o.entries) {
			e := o.entries[o.next]
			o.next++
			e.owner, e.since = consumer, now
			e.msg.Attempts = 1
			e.owners = append(e.owners, consumer)
			out = append(out, e.msg)
		}
		ch := o.changed
		o.mu.Unlock()
		if len(out) > 0 {
			return out, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-deadline.C:
			return nil, nil
		case <-ch:
		case <-time.After(minIdle / 2): // idle ones to take over
		}
	}
}

func (o *memOutbox) SettleOutbox(_ context.Context, m renovote.OutMsg, d renovote.Delivery, detail string, _ time.Time) (renovote.Notice, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	e := o.byID[m.ID]
	if e == nil {
		return renovote.Notice{}, fmt.Errorf("no outbox message %s", m.ID)
	}
	e.settles++
	n := o.notices[m.NoticeID]
	if e.settled == "" {
		e.settled, e.detail, e.owner = d, detail, ""
		switch d {
		case renovote.Delivered:
			n.Counts.Delivered++
		case renovote.Unreachable:
			n.Counts.Unreachable++
		case renovote.Failed:
			n.Counts.Failed++
		}
		if n.Counts.Finished() {
			n.Status = renovote.NoticeDone
		}
		o.notifyLocked()
	}
	return *n, nil
}

// notice returns a notice as it stands.
func (o *memOutbox) notice(id string) renovote.Notice {
	o.mu.Lock()
	defer o.mu.Unlock()
	return *o.notices[id]
}

// setProgressID sets the progress message of a notice.
func (o *memOutbox) setProgressID(id string, chat int64, msg int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.notices[id].ByChat, o.notices[id].ProgressID = chat, msg
}

// waitFor waits until cond (called with the lock held) holds.
func (o *memOutbox) waitFor(ctx context.Context, cond func(o *memOutbox) bool) error {
	for {
		o.mu.Lock()
		ok := cond(o)
		ch := o.changed
		o.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// waitDone waits until notice id is finished.
func (o *memOutbox) waitDone(ctx context.Context, id string) (renovote.Notice, error) {
	err := o.waitFor(ctx, func(o *memOutbox) bool { return o.notices[id].Counts.Finished() })
	return o.notice(id), err
}

// waitSettled waits until at least k messages of notice id are settled.
func (o *memOutbox) waitSettled(ctx context.Context, id string, k int64) error {
	return o.waitFor(ctx, func(o *memOutbox) bool { return outcomes(o.notices[id].Counts) >= k })
}

// entry returns a copy of a message's state.
func (o *memOutbox) entry(id string) obEntry {
	o.mu.Lock()
	defer o.mu.Unlock()
	e := *o.byID[id]
	e.owners = append([]string(nil), e.owners...)
	return e
}

// all returns copies of every message's state, in queue order.
func (o *memOutbox) all() []obEntry {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]obEntry, len(o.entries))
	for i, e := range o.entries {
		out[i] = *e
		out[i].owners = append([]string(nil), e.owners...)
	}
	return out
}

// The fake's semantics: a claim hands a message to one consumer; one
// unsettled for minIdle goes again, to any consumer, with Attempts+1;
// settling counts once.
func TestMemOutbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob := newMemOutbox()
	id := ob.add(renovote.Notice{Text: "x"}, 1, 2, 3)
	a, _ := ob.ClaimOutbox(ctx, "a", 2, time.Hour, 0)
	b, _ := ob.ClaimOutbox(ctx, "b", 2, time.Hour, 0)
	if len(a) != 2 || len(b) != 1 || a[0].ChatID != 1 || b[0].ChatID != 3 || a[0].Attempts != 1 {
		t.Fatalf("claims %v %v", a, b)
	}
	if none, _ := ob.ClaimOutbox(ctx, "b", 2, time.Hour, 10*time.Millisecond); len(none) != 0 {
		t.Fatalf("claimed again %v", none)
	}
	time.Sleep(20 * time.Millisecond)
	again, _ := ob.ClaimOutbox(ctx, "b", 5, 10*time.Millisecond, 0)
	if len(again) != 3 || again[0].Attempts != 2 {
		t.Fatalf("taken over %v", again)
	}
	for range 2 {
		if _, err := ob.SettleOutbox(ctx, again[0], renovote.Delivered, "", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	n, _ := ob.SettleOutbox(ctx, again[1], renovote.Unreachable, "blocked", time.Now())
	if n.Counts != (renovote.NoticeCounts{Recipients: 3, Delivered: 1, Unreachable: 1}) || n.ID != id {
		t.Errorf("notice %+v", n)
	}
	time.Sleep(20 * time.Millisecond)
	if last, _ := ob.ClaimOutbox(ctx, "c", 5, 10*time.Millisecond, 0); len(last) != 1 || last[0].ChatID != 3 {
		t.Errorf("settled ones claimed again: %v", last)
	}
}
