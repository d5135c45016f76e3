package storesuite

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store/storetest"
)

// enqueued creates a notice to chats 1..n, queued.
func enqueued(t testing.TB, s Store, n int) renovote.Notice {
	t.Helper()
	no := createNotice(t, s, "施工通知", lm)
	chats := make([]int64, n)
	for i := range chats {
		chats[i] = int64(i + 1)
	}
	out, err := s.EnqueueNotice(context.Background(), no.ID, chats)
	must(t, err)
	return out
}

// outcome is the fixture's outcome of a chat: mostly delivered, every 7th
// unreachable, every 11th failed.
func outcome(chat int64) renovote.Delivery {
	switch {
	case chat%7 == 0:
		return renovote.Unreachable
	case chat%11 == 0:
		return renovote.Failed
	}
	return renovote.Delivered
}

func wantCounts(t testing.TB, n renovote.Notice, chats int64) {
	t.Helper()
	var want renovote.NoticeCounts
	want.Recipients = chats
	for c := int64(1); c <= chats; c++ {
		switch outcome(c) {
		case renovote.Delivered:
			want.Delivered++
		case renovote.Unreachable:
			want.Unreachable++
		default:
			want.Failed++
		}
	}
	if n.Counts != want || n.Status != renovote.NoticeDone || !n.Counts.Finished() {
		t.Fatalf("notice %s %s %+v, want done %+v", n.ID, n.Status, n.Counts, want)
	}
}

func wantEmptyOutbox(t testing.TB, s Store) {
	t.Helper()
	ctx := context.Background()
	l, err := s.OutboxQueued(ctx)
	must(t, err)
	p, err := hooks(t, s).OutboxPending(ctx)
	must(t, err)
	if l != 0 || p != 0 {
		t.Fatalf("outbox: %d entries, %d pending", l, p)
	}
}

func TestOutboxConsumersShare(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	const chats = 1000
	n := enqueued(t, s, chats)

	var mu sync.Mutex
	owner := map[int64]string{}
	var last renovote.Notice
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for c := range 4 {
		consumer := fmt.Sprintf("bot-%d", c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ms, err := s.ClaimOutbox(ctx, consumer, 25, time.Hour, 0)
				if err != nil {
					errs <- err
					return
				}
				if len(ms) == 0 {
					return
				}
				for _, m := range ms {
					mu.Lock()
					prev, dup := owner[m.ChatID]
					owner[m.ChatID] = consumer
					mu.Unlock()
					if dup {
						errs <- fmt.Errorf("chat %d claimed by %s and %s", m.ChatID, prev, consumer)
						return
					}
					got, err := s.SettleOutbox(ctx, m, outcome(m.ChatID), "gave up", during)
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					if got.Counts.Delivered+got.Counts.Unreachable+got.Counts.Failed >
						last.Counts.Delivered+last.Counts.Unreachable+last.Counts.Failed {
						last = got
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(owner) != chats {
		t.Fatalf("%d chats claimed", len(owner))
	}
	per := map[string]int{}
	for _, c := range owner {
		per[c]++
	}
	t.Logf("per consumer: %v", per)
	wantCounts(t, last, chats)
	got, err := s.Notice(ctx, n.ID)
	must(t, err)
	wantCounts(t, got, chats)
	wantEmptyOutbox(t, s)
}

func TestOutboxTakeover(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	const chats = 30
	n := enqueued(t, s, chats)
	const minIdle = 500 * time.Millisecond

	// "dead" claims 10 and never settles them (until it wakes up late).
	held, err := s.ClaimOutbox(ctx, "dead", 10, minIdle, 0)
	must(t, err)
	if len(held) != 10 {
		t.Fatalf("dead claimed %d", len(held))
	}
	// "live" sees none of them yet: they are not idle long enough.
	ms, err := s.ClaimOutbox(ctx, "live", 100, minIdle, 0)
	must(t, err)
	if len(ms) != 20 {
		t.Fatalf("live claimed %d", len(ms))
	}
	for _, m := range ms {
		if m.Attempts != 1 || slices.ContainsFunc(held, func(h renovote.OutMsg) bool { return h.ChatID == m.ChatID }) {
			t.Fatalf("live got %+v", m)
		}
		_, err := s.SettleOutbox(ctx, m, outcome(m.ChatID), "timeout", during)
		must(t, err)
	}
	if ms, err := s.ClaimOutbox(ctx, "live", 100, minIdle, 0); err != nil || len(ms) != 0 {
		t.Fatalf("early takeover: %v %v", ms, err)
	}

	time.Sleep(minIdle + 50*time.Millisecond)
	// "slow" takes them over and dies too: a third consumer gets them with
	// Attempts 3.
	took, err := s.ClaimOutbox(ctx, "slow", 4, minIdle, 0)
	must(t, err)
	if len(took) != 4 || took[0].Attempts != 2 {
		t.Fatalf("slow took %+v", took)
	}
	ms, err = s.ClaimOutbox(ctx, "live", 100, minIdle, 0)
	must(t, err)
	if len(ms) != 6 {
		t.Fatalf("live took over %d", len(ms))
	}
	time.Sleep(minIdle + 50*time.Millisecond)
	// Slow's 4 and live's own 6 (unsettled for as long) come back, each for
	// the third time.
	ms2, err := s.ClaimOutbox(ctx, "live", 100, minIdle, 0)
	must(t, err)
	if len(ms2) != 10 {
		t.Fatalf("second takeover %d", len(ms2))
	}
	attempts := map[int64]int64{}
	for _, m := range append(ms, ms2...) {
		attempts[m.ChatID] = m.Attempts
	}
	if len(attempts) != 10 {
		t.Fatalf("took over %d chats: %v", len(attempts), attempts)
	}
	for chat, a := range attempts {
		if a != 3 {
			t.Fatalf("chat %d: attempts %d, want 3", chat, a)
		}
	}
	for _, m := range append(ms, ms2...) {
		if m.Text != "施工通知" || m.NoticeID != n.ID {
			t.Fatalf("taken over %+v", m)
		}
		_, err := s.SettleOutbox(ctx, m, outcome(m.ChatID), fmt.Sprintf("attempt %d failed", m.Attempts), during)
		must(t, err)
	}
	// The dead consumer wakes up and settles what it held: already counted,
	// with another outcome even.
	for _, m := range held {
		got, err := s.SettleOutbox(ctx, m, renovote.Failed, "late", during)
		must(t, err)
		wantCounts(t, got, chats)
	}
	// Settling twice changes nothing either.
	got, err := s.SettleOutbox(ctx, ms[0], renovote.Delivered, "", during)
	must(t, err)
	wantCounts(t, got, chats)
	wantEmptyOutbox(t, s)

	// Failed messages are dead letters, newest first; unreachable chats are
	// known.
	dl, err := s.DeadLetters(ctx, 0)
	must(t, err)
	var failed []int64
	for c := int64(1); c <= chats; c++ {
		if outcome(c) == renovote.Failed {
			failed = append(failed, c)
		}
	}
	if len(dl) != len(failed) {
		t.Fatalf("dead letters %+v, want chats %v", dl, failed)
	}
	for _, d := range dl {
		if d.Msg.NoticeID != n.ID || outcome(d.Msg.ChatID) != renovote.Failed || d.Error == "" || d.Error == "late" ||
			!d.At.Equal(during) || d.Msg.Text != "施工通知" {
			t.Fatalf("dead letter %+v", d)
		}
	}
	if one, _ := s.DeadLetters(ctx, 1); len(one) != 1 || one[0] != dl[0] {
		t.Fatalf("newest dead letter %+v", one)
	}
	for c := int64(1); c <= chats; c++ {
		ok, err := s.IsUnreachable(ctx, c)
		must(t, err)
		if ok != (outcome(c) == renovote.Unreachable) {
			t.Fatalf("chat %d unreachable %v", c, ok)
		}
	}
}

func TestSettleOutboxRefusals(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	n := enqueued(t, s, 2)
	ms, err := s.ClaimOutbox(ctx, "c", 10, time.Second, 0)
	must(t, err)
	if len(ms) != 2 {
		t.Fatalf("claimed %v", ms)
	}
	m := ms[0]
	_, err = s.SettleOutbox(ctx, m, "lost", "", during)
	wantErr(t, err, renovote.ErrInvalid)
	bad := m
	bad.ID = "x"
	_, err = s.SettleOutbox(ctx, bad, renovote.Delivered, "", during)
	wantErr(t, err, renovote.ErrInvalid)
	bad = m
	bad.NoticeID = "N404"
	_, err = s.SettleOutbox(ctx, bad, renovote.Delivered, "", during)
	wantErr(t, err, renovote.ErrNotFound)
	bad = m
	bad.ChatID = 999
	_, err = s.SettleOutbox(ctx, bad, renovote.Delivered, "", during)
	wantErr(t, err, renovote.ErrNotFound)
	got, err := s.Notice(ctx, n.ID)
	must(t, err)
	if got.Counts != (renovote.NoticeCounts{Recipients: 2}) || got.Status != renovote.NoticeSending {
		t.Fatalf("refusals counted: %+v", got)
	}
	// The refused settlement acknowledged the entry (it would come back
	// forever otherwise); the other chat is still to settle.
	for _, m := range ms[1:] {
		_, err := s.SettleOutbox(ctx, m, renovote.Delivered, "", during)
		must(t, err)
	}
	if got, _ := s.Notice(ctx, n.ID); got.Status != renovote.NoticeSending || got.Counts.Delivered != 1 {
		t.Fatalf("after one of two: %+v", got)
	}
}

// TestOutboxSettleDuringEnqueue: messages of the first batches settled before
// the last batch is queued do not make the notice done early.
func TestOutboxSettleDuringEnqueue(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	n := createNotice(t, s, "分批", lm)
	all := make([]int64, 1100)
	for i := range all {
		all[i] = int64(i + 1)
	}
	// An enqueue cut short after its first batch, whose messages are all
	// settled before the enqueue is resumed.
	must(t, hooks(t, s).EnqueueFirstBatch(ctx, n.ID, all[:500]))
	drain(t, s, "c")
	got, err := s.Notice(ctx, n.ID)
	must(t, err)
	if got.Status != renovote.NoticeSending || got.Counts.Recipients != 500 || !got.Counts.Finished() {
		t.Fatalf("after the first batch: %+v", got)
	}
	got, err = s.EnqueueNotice(ctx, n.ID, all)
	must(t, err)
	if got.Status != renovote.NoticeSending || got.Counts.Recipients != 1100 {
		t.Fatalf("resumed: %+v", got)
	}
	if l, _ := s.OutboxQueued(ctx); l != 600 {
		t.Fatalf("resumed enqueue queued %d", l)
	}
	drain(t, s, "c")
	got, err = s.Notice(ctx, n.ID)
	must(t, err)
	wantCounts(t, got, 1100)

	// Every queued chat settled when the last batch runs: done at once.
	n2 := createNotice(t, s, "分批2", lm)
	must(t, hooks(t, s).EnqueueFirstBatch(ctx, n2.ID, all[:10]))
	drain(t, s, "c")
	got, err = s.EnqueueNotice(ctx, n2.ID, all[:10])
	must(t, err)
	wantCounts(t, got, 10)
}

// drain claims and settles (by outcome) until the outbox is empty.
func drain(t testing.TB, s Store, consumer string) {
	t.Helper()
	ctx := context.Background()
	for {
		ms, err := s.ClaimOutbox(ctx, consumer, 100, time.Hour, 0)
		must(t, err)
		if len(ms) == 0 {
			return
		}
		for _, m := range ms {
			_, err := s.SettleOutbox(ctx, m, outcome(m.ChatID), "failed", during)
			must(t, err)
		}
	}
}

// BenchmarkOutboxClaimSettle measures messages through claim and settle
// alone (one consumer, batches of 100; the enqueue is not timed).
func BenchmarkOutboxClaimSettle(b *testing.B) {
	s := storetest.New(b)
	ctx := context.Background()
	n := createNotice(b, s, "基准测试通知：明日8时至18时停水，请提前储水。", lm)
	chats := make([]int64, b.N)
	for i := range chats {
		chats[i] = int64(i + 1)
	}
	_, err := s.EnqueueNotice(ctx, n.ID, chats)
	must(b, err)
	b.ResetTimer()
	done := 0
	for done < b.N {
		ms, err := s.ClaimOutbox(ctx, "bench", 100, time.Hour, 0)
		must(b, err)
		if len(ms) == 0 {
			b.Fatalf("outbox empty after %d of %d", done, b.N)
		}
		for _, m := range ms {
			if _, err := s.SettleOutbox(ctx, m, renovote.Delivered, "", during); err != nil {
				b.Fatal(err)
			}
		}
		done += len(ms)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	got, err := s.Notice(ctx, n.ID)
	must(b, err)
	if got.Counts.Delivered != int64(b.N) || got.Status != renovote.NoticeDone {
		b.Fatalf("counts %+v %s", got.Counts, got.Status)
	}
}
