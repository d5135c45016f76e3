package bot

import (
	"cmp"
	"context"
	"errors"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	tg "github.com/go-telegram/bot"

	"github.com/renovote/renovote"
)

// The outbox sender delivers bulk messages (notices, reminders) from the
// Outbox while the bot runs.
//
// A claim loop takes batches of messages from the outbox and hands each to
// one of Config.OutboxWorkers workers, by chat, so that one chat's messages
// go in order and one at a time; at most two batches are held at once. A
// worker waits until the chat's last message (bulk or reply) is a second old,
// passes the gates (limit.go: the pause after a 429, the bulk limiter, the
// global bucket behind replies), sends, and settles the outcome:
//
//   - sent: Delivered;
//   - 403 (blocked the bot, deleted account): Unreachable, not retried;
//   - 400 (chat not found, bad file id, ...): Failed with Telegram's
//     description, not retried;
//   - 429: every call of the bot pauses for retry_after (set in Bot.do), and
//     the same message is tried again after it; not an attempt;
//   - anything else (network, 5xx): tried again after a backoff; once
//     MaxAttempts is reached, Failed. OutMsg.Attempts counts the deliveries
//     of the message by the outbox, across processes: a delivery is one
//     attempt, the retries here more.
//
// At shutdown (the end of Run's context) the claim loop stops and the
// workers take no more messages; a message waiting for a gate is left as it
// is, but one whose call is on the wire is finished and settled (within
// HandleTimeout). Messages left unsettled are taken over by the outbox's
// next claim after OutboxMinIdle, by any process: nothing is lost, but a
// message whose settle failed after it was sent may arrive twice.
//
// A message is one call, or more: its photo or document with the text as the
// caption, a text too long for a caption (1024 UTF-16 units) first as a
// message of its own, a photo before a document. A retry sends the parts not
// sent yet.
//
// After each settle, the notice's counts go to the progress editor, which
// edits its progress message (Config.Progress) through call like a reply:
// at most once per progressEvery per notice but always when it is finished,
// one edit at a time, never going back to older counts.
//
// A message that stays claimed longer than OutboxMinIdle (a long 429 pause
// or backoff) may be taken over by another process while this one still
// holds it; this process skips its own messages when they come back to it.

// Claiming: up to outboxBatch messages at a time, waiting up to outboxBlock
// for new ones.
const (
	outboxBatch = 20
	outboxBlock = 2 * time.Second
	// maxBackoff caps the wait between attempts at an outbox message.
	maxBackoff = 30 * time.Second
	// claimRetry is the wait after a failed claim.
	claimRetry = time.Second
)

// sender is the outbox sender of a running Bot.
type sender struct {
	b        *Bot
	stop     context.Context // ends at shutdown: no more claims or sends
	callCtx  context.Context // the calls and settles; ends HandleTimeout later
	queues   []chan renovote.OutMsg
	slots    chan struct{} // one per message held, claimed and not done
	progress *progress
	claimWG  sync.WaitGroup
	workWG   sync.WaitGroup
	progDone chan struct{}

	mu   sync.Mutex
	held map[string]bool // ids of the messages held
}

// startSender starts the claim loop, the workers and the progress editor.
func (b *Bot) startSender(stop, callCtx context.Context) *sender {
	s := &sender{
		b: b, stop: stop, callCtx: callCtx,
		queues:   make([]chan renovote.OutMsg, b.cfg.OutboxWorkers),
		slots:    make(chan struct{}, 2*outboxBatch),
		held:     map[string]bool{},
		progress: newProgress(b),
		progDone: make(chan struct{}),
	}
	for i := range s.queues {
		q := make(chan renovote.OutMsg, cap(s.slots))
		s.queues[i] = q
		s.workWG.Go(func() { s.work(q) })
	}
	s.claimWG.Go(s.claimLoop)
	go func() {
		defer close(s.progDone)
		s.progress.run(callCtx)
	}()
	b.log.Info("outbox sender started", "consumer", b.cfg.Consumer, "rate", b.cfg.OutboxRate, "workers", b.cfg.OutboxWorkers)
	return s
}

// wait returns once the sender has stopped (after stop ended): claims, then
// sends in progress, then the last progress edits.
func (s *sender) wait() {
	s.claimWG.Wait()
	for _, q := range s.queues {
		close(q)
	}
	s.workWG.Wait()
	s.progress.close()
	<-s.progDone
	s.b.log.Info("outbox sender stopped")
}

func (s *sender) claimLoop() {
	cfg := &s.b.cfg
	for {
		// Room for a batch: at most two are held.
		for range outboxBatch {
			select {
			case s.slots <- struct{}{}:
			case <-s.stop.Done():
				return
			}
		}
		msgs, err := cfg.Outbox.ClaimOutbox(s.stop, cfg.Consumer, outboxBatch, cfg.OutboxMinIdle, outboxBlock)
		if s.stop.Err() != nil {
			return // what it may have claimed is taken over later
		}
		if err != nil {
			s.b.log.Error("outbox claim", "err", err)
			s.release(outboxBatch)
			if sleep(s.stop, claimRetry) != nil {
				return
			}
			continue
		}
		taken := 0
		for _, m := range msgs {
			if !s.hold(m.ID) {
				continue // ours already: came back after OutboxMinIdle
			}
			taken++
			s.queues[uint64(m.ChatID)%uint64(len(s.queues))] <- m
		}
		s.release(outboxBatch - taken)
	}
}

func (s *sender) release(n int) {
	for range n {
		<-s.slots
	}
}

// hold marks a message as held, false if it already is.
func (s *sender) hold(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held[id] {
		return false
	}
	s.held[id] = true
	return true
}

func (s *sender) done(id string) {
	s.mu.Lock()
	delete(s.held, id)
	s.mu.Unlock()
	s.release(1)
}

func (s *sender) work(q <-chan renovote.OutMsg) {
	for m := range q {
		if s.stop.Err() == nil {
			s.deliver(m)
		}
		s.done(m.ID) // at shutdown: left unsettled
	}
}

// deliver sends one message and settles its outcome, or leaves it
// unsettled at shutdown.
func (s *sender) deliver(m renovote.OutMsg) {
	b := s.b
	cfg := &b.cfg
	parts := s.parts(m)
	attempt := max(m.Attempts, 1)
	backoff := cfg.OutboxBackoff
	c := b.bulkCaller(s.stop, m.ChatID)
	sent := 0 // parts sent: a retry sends the others
	for {
		var err error
		for sent < len(parts) && err == nil {
			if err = b.chats.wait(s.stop, m.ChatID); err != nil {
				break
			}
			if err = parts[sent](s.callCtx, c); err == nil {
				b.chats.note(m.ChatID, time.Now()) // a message: not a failed call
				sent++
			}
		}
		if err == nil {
			s.settle(m, renovote.Delivered, "")
			return
		}
		err = redactErr(err, cfg.Token)
		var tooMany *tg.TooManyRequestsError
		var migrate *tg.MigrateError
		switch {
		case errors.Is(err, tg.ErrorForbidden):
			s.settle(m, renovote.Unreachable, describe(err))
			return
		case errors.Is(err, tg.ErrorBadRequest), errors.As(err, &migrate):
			// Would fail again: a chat not found, a bad file id, ...
			s.settle(m, renovote.Failed, describe(err))
			return
		case s.stop.Err() != nil:
			return // shutdown: left for a later claim
		case errors.As(err, &tooMany):
			continue // not an attempt: the gate waits for the pause
		case attempt >= int64(cfg.MaxAttempts):
			s.settle(m, renovote.Failed, describe(err))
			return
		}
		b.log.Warn("outbox message not sent: trying again", "outbox_id", m.ID, "notice", m.NoticeID,
			"attempt", attempt, "of", cfg.MaxAttempts, "in", backoff, "err", err)
		if sleep(s.stop, backoff) != nil {
			return
		}
		attempt++
		backoff = min(2*backoff, maxBackoff)
	}
}

// parts turns a message into its calls: a text message, or its media with
// the text as the first one's caption (a text too long for a caption goes
// first as a message of its own).
func (s *sender) parts(m renovote.OutMsg) []func(ctx context.Context, c caller) error {
	b, chat, caption := s.b, m.ChatID, m.Text
	var ps []func(context.Context, caller) error
	if m.Photo == "" && m.Document == "" || utf16Len(m.Text) > maxCaption {
		ps = append(ps, func(ctx context.Context, c caller) error {
			_, err := b.sendMessage(ctx, c, chat, m.Text, nil)
			return err
		})
		caption = ""
	}
	if m.Photo != "" {
		capt := caption
		ps = append(ps, func(ctx context.Context, c caller) error {
			_, err := b.sendPhoto(ctx, c, chat, nil, m.Photo, capt, nil)
			return err
		})
		caption = ""
	}
	if m.Document != "" {
		capt := caption
		ps = append(ps, func(ctx context.Context, c caller) error {
			_, err := b.sendDocument(ctx, c, chat, nil, m.Document, capt, nil)
			return err
		})
	}
	return ps
}

// settle records an outcome and passes the notice's counts to the progress
// editor. A failed settle is logged: the message is taken over later, and
// sent again.
func (s *sender) settle(m renovote.OutMsg, d renovote.Delivery, detail string) {
	b := s.b
	n, err := b.cfg.Outbox.SettleOutbox(s.callCtx, m, d, detail, b.cfg.Now())
	if err != nil {
		b.log.Error("outbox settle", "outbox_id", m.ID, "notice", m.NoticeID, "delivery", d, "err", err)
		return
	}
	b.cfg.Metrics.OutboxSettled(string(d))
	if d != renovote.Delivered {
		b.log.Warn("outbox message not delivered", "outbox_id", m.ID, "notice", m.NoticeID, "delivery", d,
			"attempts", m.Attempts, "detail", detail)
	}
	s.progress.update(n)
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// describe is the error's text without the client's prefix: Telegram's
// description for an API error ("Bad Request: chat not found").
func describe(err error) string {
	s := err.Error()
	for _, e := range []error{tg.ErrorBadRequest, tg.ErrorForbidden, tg.ErrorUnauthorized, tg.ErrorNotFound, tg.ErrorConflict} {
		if rest, ok := strings.CutPrefix(s, e.Error()+", "); ok {
			return rest
		}
	}
	return s
}

// progressEvery is the least time between two edits of a notice's progress
// message, but for the one that shows it done.
const progressEvery = time.Second

// progress edits notices' progress messages, one edit at a time, so that
// they are applied in order and never go back to older counts.
type progress struct {
	b      *Bot
	fn     Progress
	mu     sync.Mutex
	m      map[string]*noticeProgress
	kick   chan struct{}
	closed chan struct{}
}

type noticeProgress struct {
	pending *renovote.Notice // counts to show, nil if shown
	shownAt time.Time        // when the last edit was made
	shown   int64            // outcomes it showed
}

func newProgress(b *Bot) *progress {
	return &progress{b: b, fn: b.cfg.Progress, m: map[string]*noticeProgress{},
		kick: make(chan struct{}, 1), closed: make(chan struct{})}
}

func outcomes(c renovote.NoticeCounts) int64 { return c.Delivered + c.Unreachable + c.Failed }

// update notes a notice's counts after a settle.
func (p *progress) update(n renovote.Notice) {
	if p.fn == nil || n.ID == "" {
		return
	}
	p.mu.Lock()
	st := p.m[n.ID]
	if st == nil {
		st = &noticeProgress{shown: -1}
		p.m[n.ID] = st
	}
	if o := outcomes(n.Counts); o > st.shown && (st.pending == nil || o >= outcomes(st.pending.Counts)) {
		st.pending = &n
	}
	p.mu.Unlock()
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// close makes run show what is pending and return.
func (p *progress) close() { close(p.closed) }

func (p *progress) run(ctx context.Context) {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		if next, ok := p.flush(ctx, false); ok {
			t.Reset(time.Until(next))
		}
		select {
		case <-p.kick:
		case <-t.C:
		case <-p.closed:
			p.flush(ctx, true)
			return
		}
	}
}

// progressForget is how long a notice's state is kept after its last edit.
const progressForget = 10 * time.Minute

// flush makes the edits that are due (all pending ones with force) and
// returns when the next one is.
func (p *progress) flush(ctx context.Context, force bool) (next time.Time, ok bool) {
	now := time.Now()
	var due []renovote.Notice
	p.mu.Lock()
	for id, st := range p.m {
		if st.pending == nil {
			if now.Sub(st.shownAt) > progressForget {
				delete(p.m, id)
			}
			continue
		}
		at := st.shownAt.Add(progressEvery)
		if force || st.pending.Counts.Finished() || !now.Before(at) {
			due = append(due, *st.pending)
			st.shown = outcomes(st.pending.Counts)
			st.pending = nil
		} else if !ok || at.Before(next) {
			next, ok = at, true
		}
	}
	p.mu.Unlock()
	for _, n := range due {
		p.edit(ctx, n)
		p.mu.Lock()
		if st := p.m[n.ID]; st != nil {
			st.shownAt = time.Now()
			if st.pending != nil && !st.pending.Counts.Finished() {
				if at := st.shownAt.Add(progressEvery); !ok || at.Before(next) {
					next, ok = at, true
				}
			}
		}
		p.mu.Unlock()
	}
	return next, ok
}

// edit shows a notice's counts, through call like a reply.
func (p *progress) edit(ctx context.Context, n renovote.Notice) {
	r, ok := p.fn(n)
	if !ok {
		return
	}
	chat := cmp.Or(r.ChatID, n.ByChat)
	if _, err := p.b.deliver(ctx, chat, r, false); err != nil {
		p.b.log.Warn("notice progress not shown", "notice", n.ID, "err", err)
	}
}
