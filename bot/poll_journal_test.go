package bot

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/renovote/renovote/dialogs"
)

// memJournal is memLog with an UpdateJournal, as the store keeps both:
// UpdatesDone and JournalDone delete the ids they mark from the journal
// (JournalDone marks them as sqlstore does, with a done mark each).
type memJournal struct {
	*memLog
	jmu      sync.Mutex
	entries  map[int64][]byte
	writes   [][]int64 // the ids of each JournalUpdates that succeeded
	throughs []int64   // the through of each
	jdone    [][]int64 // the ids of each JournalDone
	fail     bool      // JournalUpdates fails while set
}

func newMemJournal() *memJournal {
	return &memJournal{memLog: newMemLog(), entries: map[int64][]byte{}}
}

func (j *memJournal) JournalUpdates(_ context.Context, ups map[int64][]byte, through int64) error {
	j.jmu.Lock()
	defer j.jmu.Unlock()
	if j.fail {
		return errors.New("store down")
	}
	j.writes = append(j.writes, slices.Sorted(maps.Keys(ups)))
	j.throughs = append(j.throughs, through)
	for id, raw := range ups {
		j.entries[id] = slices.Clone(raw)
	}
	return nil
}

func (j *memJournal) JournaledUpdates(context.Context) (map[int64][]byte, error) {
	j.jmu.Lock()
	defer j.jmu.Unlock()
	return maps.Clone(j.entries), nil
}

func (j *memJournal) UpdatesDone(ctx context.Context, ids []int64) error {
	if err := j.memLog.UpdatesDone(ctx, ids); err != nil {
		return err
	}
	j.jmu.Lock()
	defer j.jmu.Unlock()
	for _, id := range ids {
		delete(j.entries, id)
	}
	return nil
}

func (j *memJournal) JournalDone(ctx context.Context, ids []int64) error {
	if err := j.UpdatesDone(ctx, ids); err != nil {
		return err
	}
	j.jmu.Lock()
	defer j.jmu.Unlock()
	j.jdone = append(j.jdone, slices.Clone(ids))
	return nil
}

// journalMarked is every id JournalDone marked.
func (j *memJournal) journalMarked() []int64 {
	j.jmu.Lock()
	defer j.jmu.Unlock()
	return slices.Sorted(slices.Values(slices.Concat(j.jdone...)))
}

// journaled is the ids in the journal now.
func (j *memJournal) journaled() []int64 {
	j.jmu.Lock()
	defer j.jmu.Unlock()
	return slices.Sorted(maps.Keys(j.entries))
}

// With a journal, an update being handled no longer holds the offset: once
// journaled, Telegram is told to forget it, and later polls bring only new
// updates. The update stays in the journal until it is handled and marked.
func TestPollJournalConfirmsAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	j := newMemJournal()
	started, release := make(chan struct{}), make(chan struct{})
	e.run(e.newBot(slowEcho(started, release), func(c *Config) { c.Dedupe = j }))
	s := e.srv.User(2501, "S", "en").Send("slow")
	<-started
	if err := e.srv.WaitConfirmed(e.ctx, s); err != nil {
		t.Fatalf("update in flight not confirmed though journaled: %v", err)
	}
	if got := j.journaled(); !slices.Equal(got, []int64{s}) {
		t.Fatalf("journal holds %v while %d is handled, want just it", got, s)
	}
	u := e.srv.User(2502, "F", "en")
	f := u.Send("fast")
	e.reply(u.ID, 0, "re: fast")
	j.marked(e, f)
	if e.srv.Delivered(s) != 1 {
		t.Errorf("update in flight delivered %d times: polls brought it again", e.srv.Delivered(s))
	}
	close(release)
	e.reply(2501, 0, "re: slow")
	j.marked(e, s)
	if got := j.journaled(); len(got) != 0 {
		t.Errorf("journal holds %v once every update was marked done", got)
	}
}

// slowWithFailingJournal runs a bot whose journal writes fail and returns
// once a "slow" message of user uid is being handled (release lets it end).
func slowWithFailingJournal(t *testing.T, uid int64) (e *env, j *memJournal, slow int64, release chan struct{}) {
	t.Helper()
	e, j = newEnv(t), newMemJournal()
	j.fail = true
	started := make(chan struct{})
	release = make(chan struct{})
	e.run(e.newBot(slowEcho(started, release), func(c *Config) { c.Dedupe = j }))
	slow = e.srv.User(uid, "S", "en").Send("slow")
	<-started
	return e, j, slow, release
}

// A write to the journal that fails leaves the updates it held not safe: the
// offset waits for them to be handled and marked, as without a journal.
func TestPollJournalFailureHoldsOffset(t *testing.T) {
	t.Parallel()
	e, j, s, release := slowWithFailingJournal(t, 2511)
	u := e.srv.User(2512, "F", "en")
	f := u.Send("fast")
	e.reply(u.ID, 0, "re: fast")
	j.marked(e, f)
	if e.srv.Confirmed(s) || e.srv.Confirmed(f) {
		t.Fatal("updates confirmed while one not journaled was in flight")
	}
	if lines := e.logs.lines("updates not journaled"); len(lines) == 0 {
		t.Error("the failed journal write was not logged")
	}
	close(release)
	if err := e.srv.WaitConfirmed(e.ctx, f); err != nil {
		t.Fatalf("offset not moved once the update was done: %v", err)
	}
}

// A journaled update's done mark is its deletion from the journal
// (JournalDone), when a write recorded that every update up to it was
// journaled (through): the store then counts it handled once deleted. A
// write's through never passes an update in flight whose write failed;
// that one, and a journaled one above it, get a mark of their own
// (UpdatesDone).
func TestPollJournalThrough(t *testing.T) {
	t.Parallel()
	e, j, s, release := slowWithFailingJournal(t, 2531)
	for len(e.logs.lines("updates not journaled")) == 0 {
		if e.ctx.Err() != nil {
			t.Fatal("the failed journal write was not logged")
		}
		time.Sleep(5 * time.Millisecond)
	}
	j.jmu.Lock()
	j.fail = false
	j.jmu.Unlock()
	u := e.srv.User(2532, "F", "en")
	f := u.Send("fast")
	e.reply(u.ID, 0, "re: fast")
	j.marked(e, f)
	close(release)
	e.reply(2531, 0, "re: slow")
	j.marked(e, s)
	if err := e.srv.WaitConfirmed(e.ctx, s); err != nil { // finished
		t.Fatal(err)
	}
	g := u.Send("fast again")
	e.reply(u.ID, 0, "re: fast again")
	j.marked(e, g)

	j.jmu.Lock()
	writes, throughs := slices.Clone(j.writes), slices.Clone(j.throughs)
	j.jmu.Unlock()
	for i, w := range writes {
		switch {
		case slices.Contains(w, f) && throughs[i] >= s:
			t.Errorf("write %v recorded through %d, at or past update %d whose write failed", w, throughs[i], s)
		case slices.Contains(w, g) && throughs[i] < g:
			t.Errorf("write %v recorded through %d, below its own update %d with none in flight", w, throughs[i], g)
		}
	}
	if got := j.journalMarked(); !slices.Equal(got, []int64{g}) {
		t.Errorf("JournalDone marked %v, want just %d (journaled up to a through)", got, g)
	}
	j.get(func(l *memLog) {
		for _, id := range []int64{s, f, g} {
			if l.done[id] != 1 {
				t.Errorf("update %d marked %d times, want once", id, l.done[id])
			}
		}
	})
}

// recordingEcho is echo that also records the texts it handled, in order.
func recordingEcho() (handlerFunc, func() []string) {
	var mu sync.Mutex
	var order []string
	h := func(ctx context.Context, in dialogs.Input, now time.Time) (dialogs.Response, error) {
		mu.Lock()
		order = append(order, in.Text)
		mu.Unlock()
		return echo(ctx, in, now)
	}
	return h, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(order)
	}
}

// waitEmpty waits, a second at most, until the journal is empty.
func (j *memJournal) waitEmpty(t *testing.T) {
	t.Helper()
	for range 100 {
		if len(j.journaled()) == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("journal holds %v after the replay", j.journaled())
}

// journaledMessage is a text message update as Telegram writes it.
func journaledMessage(id, user int64, text string) []byte {
	return fmt.Appendf(nil, `{"update_id":%d,"message":{"message_id":%d,"date":1589076000,`+
		`"chat":{"id":%d,"type":"private","first_name":"J"},"from":{"id":%d,"is_bot":false,"first_name":"J"},"text":%q}}`,
		id, id, user, user, text)
}

// A start handles what the journal holds from a process before, ahead of
// any new update of the same chat: those marked done before are not handled
// again but marked again, which empties the journal.
func TestPollJournalReplay(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	j := newMemJournal()
	u := e.srv.User(2521, "J", "en")
	fresh := u.Send("from telegram")
	// Journaled by a process before: one done (its mark written, not yet
	// its removal), two not handled. Their ids are above the one Telegram
	// still holds (a journal write may have failed before them): the replay
	// must not confirm it.
	done, j1, j2 := fresh+10, fresh+20, fresh+30
	for id, text := range map[int64]string{done: "done before", j1: "journaled 1", j2: "journaled 2"} {
		j.entries[id] = journaledMessage(id, u.ID, text)
	}
	j.done[done] = 1

	h, handled := recordingEcho()
	e.run(e.newBot(h, func(c *Config) { c.Dedupe = j }))
	e.reply(u.ID, 0, "re: from telegram")
	j.marked(e, fresh, j1, j2)
	got := handled()
	if want := []string{"journaled 1", "journaled 2", "from telegram"}; !slices.Equal(got, want) {
		t.Errorf("handled %q, want %q", got, want)
	}
	j.get(func(l *memLog) {
		if l.done[done] != 2 {
			t.Errorf("the update done before was marked %d times in all, want 2 (again, to leave the journal)", l.done[done])
		}
	})
	j.waitEmpty(t)
}

// claimsJournal is the store as a webhook or replica bot sees it: claims,
// and the update log and journal a lone poller before left.
type claimsJournal struct {
	*memClaims
	*memJournal
}

func (c claimsJournal) FirstSeen(ctx context.Context, id int64) (bool, error) {
	return c.memClaims.FirstSeen(ctx, id)
}

// A bot started with a webhook after a lone poller was killed handles what
// the poller left in the journal (confirmed to Telegram, so nowhere else)
// first, in update-id order, each taken with FirstSeen so that replicas
// replaying the same journal at once handle it once, and empties the
// journal; one another process took is skipped.
func TestWebhookReplaysJournal(t *testing.T) {
	t.Parallel()
	e := newHookEnv(t)
	j := claimsJournal{newMemClaims(), newMemJournal()}
	u := e.srv.User(2541, "J", "en")
	const j1, j2, taken = 9001, 9002, 9003
	for id, text := range map[int64]string{j1: "journaled 1", j2: "journaled 2", taken: "taken by another"} {
		j.entries[id] = journaledMessage(id, u.ID, text)
	}
	if first, err := j.memClaims.FirstSeen(e.ctx, taken); !first || err != nil {
		t.Fatal("set-up: another process takes update", taken)
	}
	h, handled := recordingEcho()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	own := "http://" + ln.Addr().String() + hookPath
	b := e.newBot(h, func(c *Config) {
		c.Dedupe = j
		c.Webhook = WebhookConfig{URL: own, Secret: "test-secret", Listener: ln, MaxAttempts: 4}
	})
	e.runHook(b, own)
	e.reply(u.ID, 0, "re: journaled 1")
	e.reply(u.ID, 0, "re: journaled 2")
	st, _ := post(t, own, "test-secret", updateBody(9100, u.ID, "through the webhook"))
	if st != http.StatusOK {
		t.Fatalf("webhook update after the replay: %d", st)
	}
	e.reply(u.ID, 0, "re: through the webhook")
	got := handled()
	if want := []string{"journaled 1", "journaled 2", "through the webhook"}; !slices.Equal(got, want) {
		t.Errorf("handled %q, want %q", got, want)
	}
	j.waitEmpty(t)
}
