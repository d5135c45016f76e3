package storesuite

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

func notice(text string, compounds ...string) renovote.Notice {
	return renovote.Notice{Kind: renovote.KindNotice, Compounds: compounds, Text: text, By: "tg:10", ByChat: 10, Created: during}
}

func nextOp() string { return fmt.Sprintf("op-%d-%d", time.Now().UnixNano(), opSeq.Add(1)) }

// createNotice stores a notice sent at once.
func createNotice(t testing.TB, s Store, text string, compounds ...string) renovote.Notice {
	t.Helper()
	n, err := s.CreateNotice(context.Background(), notice(text, compounds...), nextOp())
	must(t, err)
	return n
}

func TestCreateNotice(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()

	for _, bad := range []renovote.Notice{
		notice("hi"),
		notice("", lm),
		{Kind: "poster", Compounds: []string{lm}, Text: "hi", By: "tg:10"},
		{Kind: renovote.KindNotice, Compounds: []string{lm}, Text: "hi"},
		{Kind: renovote.KindNotice, Compounds: []string{lm, small}, Buildings: []string{"1"}, Text: "hi", By: "tg:10"},
		notice("hi", "Bad Id"),
	} {
		_, err := s.CreateNotice(ctx, bad, nextOp())
		wantErr(t, err, renovote.ErrInvalid)
	}
	_, err := s.CreateNotice(ctx, notice("hi", lm), "")
	wantErr(t, err, renovote.ErrInvalid)

	// At once: sending, to be enqueued.
	op := nextOp()
	n1, err := s.CreateNotice(ctx, notice("停水通知", lm, small), op)
	must(t, err)
	if n1.ID != "N1" || n1.Status != renovote.NoticeSending || !n1.SendAt.Equal(during) || n1.Counts != (renovote.NoticeCounts{}) ||
		n1.Text != "停水通知" || n1.ByChat != 10 {
		t.Fatalf("n1 %+v", n1)
	}
	// A retry: the same notice, no new number.
	again, err := s.CreateNotice(ctx, notice("停水通知", lm, small), op)
	must(t, err)
	if again.ID != "N1" {
		t.Fatalf("retry made %s", again.ID)
	}
	// Scheduled: SendAt after Created.
	sched := notice("明日施工", lm)
	sched.Created, sched.SendAt = during.Add(time.Minute), during.Add(24*time.Hour)
	n2, err := s.CreateNotice(ctx, sched, nextOp())
	must(t, err)
	if n2.ID != "N2" || n2.Status != renovote.NoticeScheduled {
		t.Fatalf("n2 %+v", n2)
	}
	due, err := s.DueNotices(ctx, during.Add(time.Hour), 0)
	must(t, err)
	if len(due) != 0 {
		t.Fatalf("due early: %v", due)
	}
	due, err = s.DueNotices(ctx, sched.SendAt, 10)
	must(t, err)
	if len(due) != 1 || due[0].ID != "N2" {
		t.Fatalf("due %v", due)
	}
	n3 := createNotice(t, s, "第三", lzy)

	must(t, s.SetNoticeProgress(ctx, n2.ID, 77, 1234))
	got, err := s.Notice(ctx, n2.ID)
	must(t, err)
	if got.ByChat != 77 || got.ProgressID != 1234 || got.Text != "明日施工" || got.Status != renovote.NoticeScheduled {
		t.Fatalf("n2 now %+v", got)
	}
	wantErr(t, s.SetNoticeProgress(ctx, "N99", 77, 1), renovote.ErrNotFound)
	for _, id := range []string{"N99", "X1", "", "N0", "N-1"} {
		_, err := s.Notice(ctx, id)
		wantErr(t, err, renovote.ErrNotFound)
	}

	ids := func(ns []renovote.Notice) []string {
		out := []string{}
		for _, n := range ns {
			out = append(out, n.ID)
		}
		return out
	}
	l, err := s.Notices(ctx, lm, 0)
	must(t, err)
	if !slices.Equal(ids(l), []string{"N2", "N1"}) {
		t.Fatalf("notices of %s: %v", lm, ids(l))
	}
	l, err = s.Notices(ctx, small, 5)
	must(t, err)
	if !slices.Equal(ids(l), []string{"N1"}) {
		t.Fatalf("notices of %s: %v", small, ids(l))
	}
	l, err = s.AllNotices(ctx, 2)
	must(t, err)
	if !slices.Equal(ids(l), []string{"N2", n3.ID}) { // N2 was created last
		t.Fatalf("all notices: %v", ids(l))
	}
	if l, err := s.Notices(ctx, "nowhere", 0); err != nil || len(l) != 0 {
		t.Fatalf("notices of a compound without: %v %v", l, err)
	}
	due, err = s.DueNotices(ctx, closes, 0)
	must(t, err)
	if len(due) != 1 {
		t.Fatalf("due, no limit: %v", due)
	}
	_, err = s.Notices(ctx, "Bad Id", 1)
	wantErr(t, err, renovote.ErrInvalid)
}

func TestCancelNotice(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	sched := notice("明日停电", lm)
	sched.SendAt = during.Add(time.Hour)
	n, err := s.CreateNotice(ctx, sched, nextOp())
	must(t, err)
	must(t, s.CancelNotice(ctx, n.ID, "tg:10", during))
	got, err := s.Notice(ctx, n.ID)
	must(t, err)
	if got.Status != renovote.NoticeCancelled {
		t.Fatalf("status %s", got.Status)
	}
	if due, _ := s.DueNotices(ctx, closes, 0); len(due) != 0 {
		t.Fatalf("cancelled notice due: %v", due)
	}
	wantErr(t, s.CancelNotice(ctx, n.ID, "tg:10", during), renovote.ErrConflict)
	_, err = s.EnqueueNotice(ctx, n.ID, []int64{1, 2})
	wantErr(t, err, renovote.ErrConflict)

	now := createNotice(t, s, "now", lm)
	wantErr(t, s.CancelNotice(ctx, now.ID, "tg:10", during), renovote.ErrConflict)
	wantErr(t, s.CancelNotice(ctx, "N404", "tg:10", during), renovote.ErrNotFound)

	// A scheduled notice enqueued (by the scheduler) can no longer be cancelled.
	n2, err := s.CreateNotice(ctx, sched, nextOp())
	must(t, err)
	_, err = s.EnqueueNotice(ctx, n2.ID, []int64{1})
	must(t, err)
	wantErr(t, s.CancelNotice(ctx, n2.ID, "tg:10", during), renovote.ErrConflict)
	if due, _ := s.DueNotices(ctx, closes, 0); len(due) != 0 {
		t.Fatalf("enqueued notice due: %v", due)
	}
}

func TestNoticeRecipients(t *testing.T) {
	t.Parallel()
	s, regs := setup(t)
	ctx := context.Background()
	hh := regs[lm]
	bound := func(i int) bool { return i%3 != 2 }
	for i, h := range hh {
		if i%4 == 0 {
			_, err := s.CastVote(ctx, cmd(h.Ref(), renovote.ChoiceAgree, during))
			must(t, err)
		}
		if !bound(i) {
			continue
		}
		must(t, s.Bind(ctx, int64(100000+i), h.Ref(), 3, opens))
		if i%5 == 0 {
			must(t, s.Bind(ctx, int64(200000+i), h.Ref(), 3, opens))
		}
	}
	for i, h := range regs[lzy][:3] {
		must(t, s.Bind(ctx, int64(300000+i), h.Ref(), 3, opens))
	}
	// Household 1 leaves the register.
	_, err := s.ImportRegister(ctx, lm, slices.Delete(slices.Clone(hh), 1, 2),
		store.ImportOptions{RemoveMissing: true, Actor: "cli:test", Now: during})
	must(t, err)
	// Chat 100003 blocked the bot: a message to it came back unreachable.
	n := createNotice(t, s, "probe", lm)
	_, err = s.EnqueueNotice(ctx, n.ID, []int64{100003})
	must(t, err)
	ms, err := s.ClaimOutbox(ctx, "c1", 10, time.Hour, 0)
	must(t, err)
	if len(ms) != 1 {
		t.Fatalf("claimed %v", ms)
	}
	_, err = s.SettleOutbox(ctx, ms[0], renovote.Unreachable, "Forbidden: bot was blocked by the user", during)
	must(t, err)
	if ok, _ := s.IsUnreachable(ctx, 100003); !ok {
		t.Fatal("not unreachable")
	}

	expect := func(buildings func(i int) bool, nonVoters bool) []int64 {
		var out []int64
		for i := range hh {
			if i == 1 || !bound(i) || !buildings(i) || (nonVoters && i%4 == 0) {
				continue
			}
			if i != 3 {
				out = append(out, int64(100000+i))
			}
			if i%5 == 0 {
				out = append(out, int64(200000+i))
			}
		}
		slices.Sort(out)
		return out
	}
	every := func(int) bool { return true }
	b2 := func(i int) bool { return i/24 == 1 }
	b13 := func(i int) bool { return i/24 != 1 }
	for _, tc := range []struct {
		buildings []string
		nonVoters bool
		want      []int64
	}{
		{nil, false, expect(every, false)},
		{nil, true, expect(every, true)},
		{[]string{"2"}, false, expect(b2, false)},
		{[]string{"2栋"}, false, expect(b2, false)},
		{[]string{"２号楼"}, true, expect(b2, true)},
		{[]string{"1栋", "3"}, false, expect(b13, false)},
		{[]string{"9"}, false, []int64{}},
	} {
		got, err := s.NoticeRecipients(ctx, []string{lm}, tc.buildings, tc.nonVoters)
		must(t, err)
		if !slices.Equal(got, tc.want) {
			t.Fatalf("%v %v:\n got %v\nwant %v", tc.buildings, tc.nonVoters, got, tc.want)
		}
	}
	both, err := s.NoticeRecipients(ctx, []string{lzy, lm, lm}, nil, false)
	must(t, err)
	if want := append(expect(every, false), 300000, 300001, 300002); !slices.Equal(both, want) {
		t.Fatalf("two compounds: %v", both)
	}
	_, err = s.NoticeRecipients(ctx, []string{"nowhere"}, nil, false)
	wantErr(t, err, renovote.ErrNotFound)
	_, err = s.NoticeRecipients(ctx, nil, nil, false)
	wantErr(t, err, renovote.ErrInvalid)

	// Reachable again: back among the recipients.
	must(t, s.MarkReachable(ctx, 100003))
	got, err := s.NoticeRecipients(ctx, []string{lm}, []string{"1"}, false)
	must(t, err)
	if !slices.Contains(got, 100003) {
		t.Fatalf("reachable chat left out: %v", got)
	}

	nv, err := s.NonVoters(ctx, lm)
	must(t, err)
	var want []string
	for i, h := range hh {
		if i != 1 && i%4 != 0 {
			want = append(want, h.ID)
		}
	}
	var gotIDs []string
	for _, h := range nv {
		gotIDs = append(gotIDs, h.ID)
	}
	if !slices.Equal(gotIDs, want) {
		t.Fatalf("non-voters\n got %v\nwant %v", gotIDs, want)
	}
	_, err = s.NonVoters(ctx, "nowhere")
	wantErr(t, err, renovote.ErrNotFound)
}

func TestEnqueueNoticeIdempotent(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	n := createNotice(t, s, "施工通知", lm)
	chats := make([]int64, 0, 1200)
	for i := range 1200 {
		chats = append(chats, int64(5000+i))
	}
	rev := slices.Clone(chats)
	slices.Reverse(rev)
	got, err := s.EnqueueNotice(ctx, n.ID, append(rev, 5000, 0)) // duplicates and 0 left out
	must(t, err)
	if got.Status != renovote.NoticeSending || got.Counts.Recipients != 1200 {
		t.Fatalf("enqueued %+v", got)
	}
	// Retried: nothing more.
	got, err = s.EnqueueNotice(ctx, n.ID, chats)
	must(t, err)
	if l, _ := s.OutboxQueued(ctx); l != 1200 || got.Counts.Recipients != 1200 {
		t.Fatalf("after retry: stream %d, %+v", l, got.Counts)
	}
	// Resumed with more: only the new ones.
	more := append(slices.Clone(chats[600:]), 9000, 9001)
	got, err = s.EnqueueNotice(ctx, n.ID, more)
	must(t, err)
	if l, _ := s.OutboxQueued(ctx); l != 1202 || got.Counts.Recipients != 1202 {
		t.Fatalf("after resume: stream %d, %+v", l, got.Counts)
	}
	ms, err := s.ClaimOutbox(ctx, "c1", 2000, time.Hour, 0)
	must(t, err)
	seen := map[int64]bool{}
	for _, m := range ms {
		if seen[m.ChatID] || m.NoticeID != n.ID || m.Text != "施工通知" || m.Attempts != 1 {
			t.Fatalf("message %+v (seen %v)", m, seen[m.ChatID])
		}
		seen[m.ChatID] = true
	}
	if len(seen) != 1202 {
		t.Fatalf("%d chats", len(seen))
	}

	// No recipients at all: done at once.
	empty := createNotice(t, s, "nobody", small)
	got, err = s.EnqueueNotice(ctx, empty.ID, nil)
	must(t, err)
	if got.Status != renovote.NoticeDone || got.Counts.Recipients != 0 {
		t.Fatalf("empty notice %+v", got)
	}
	_, err = s.EnqueueNotice(ctx, "N999", chats)
	wantErr(t, err, renovote.ErrNotFound)
}
