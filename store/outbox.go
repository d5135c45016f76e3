package store

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/renovote/renovote"
)

// The outbox is one Redis stream ({outbox}:stream) with one consumer group
// ("senders") shared by every bot process: an entry is one notice to one chat.
// A consumer reads new entries with XREADGROUP and takes over those another
// consumer has held too long (it died or hangs) with XAUTOCLAIM; an entry is
// acknowledged and deleted when its outcome is settled, so the stream holds
// only what is still to be sent.

// maxDetailRunes bounds the error kept with a dead letter.
const maxDetailRunes = 1000

// ClaimOutbox returns up to n messages for consumer (a name unique to the
// process, such as host:pid): first entries pending longer than minIdle under
// any consumer, taken over (their Attempts is the stream's delivery count:
// 2 for the first takeover), then new entries (Attempts 1). It waits up to
// block for new entries only when it took over none; a block ≤ 0 does not
// wait (Redis's BLOCK 0 would wait forever), and a minIdle ≤ 0 takes nothing
// over (it would take messages being sent right now). The wait is not cut
// short by ctx: keep block short (a few seconds). The consumer group is
// created on first use, from the start of the stream. Messages must be
// settled with SettleOutbox; unsettled ones come back to some consumer after
// minIdle.
func (s *Store) ClaimOutbox(ctx context.Context, consumer string, n int, minIdle, block time.Duration) ([]renovote.OutMsg, error) {
	wrap := func(err error) error { return fmt.Errorf("claim outbox for %s: %w", consumer, err) }
	if consumer == "" || len(consumer) > maxIDLen || n <= 0 {
		return nil, wrap(fmt.Errorf("consumer %q, n %d: %w", consumer, n, renovote.ErrInvalid))
	}
	out, err := s.claimOutbox(ctx, consumer, n, minIdle, block)
	if isNoGroup(err) { // the stream was deleted meanwhile: make the group again
		s.groupReady.Store(false)
		out, err = s.claimOutbox(ctx, consumer, n, minIdle, block)
	}
	if err != nil {
		return nil, wrap(err)
	}
	return out, nil
}

func (s *Store) claimOutbox(ctx context.Context, consumer string, n int, minIdle, block time.Duration) ([]renovote.OutMsg, error) {
	if err := s.ensureGroup(ctx); err != nil {
		return nil, err
	}
	es, err := s.takeEntries(ctx, s.k.outbox(), outboxGroup, consumer, n, minIdle, block)
	if err != nil {
		return nil, err
	}
	out := make([]renovote.OutMsg, len(es))
	for i, e := range es {
		out[i] = outMsg(e.id, e.values, e.deliveries)
	}
	return out, nil
}

// outMsg decodes an outbox entry.
func outMsg(id string, v map[string]any, attempts int64) renovote.OutMsg {
	f := func(k string) string { s, _ := v[k].(string); return s }
	chat, _ := strconv.ParseInt(f("chat"), 10, 64)
	return renovote.OutMsg{ID: id, NoticeID: f("notice"), ChatID: chat, Text: f("text"),
		Photo: f("photo"), Document: f("document"), Attempts: max(attempts, 1)}
}

// ensureGroup creates the outbox's consumer group (and the stream) once per
// store; another store having made it is fine.
func (s *Store) ensureGroup(ctx context.Context) error {
	if s.groupReady.Load() {
		return nil
	}
	err := s.rdb.XGroupCreateMkStream(ctx, s.k.outbox(), outboxGroup, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("create consumer group: %w", err)
	}
	s.groupReady.Store(true)
	return nil
}

func isNoGroup(err error) bool { return err != nil && strings.Contains(err.Error(), "NOGROUP") }

var streamID = regexp.MustCompile(`^[0-9]{1,20}-[0-9]{1,20}$`)

// SettleOutbox records the outcome of a message claimed from the outbox, in
// one script: the entry is acknowledged and deleted; the first outcome for the
// message's (notice, chat) counts in the notice (Counts.Delivered, Unreachable
// or Failed), marks the chat unreachable on renovote.Unreachable (and
// reachable again on renovote.Delivered), keeps a renovote.DeadLetter (m,
// detail, at) on renovote.Failed, and makes the notice done when it was the
// last one outstanding. A later outcome for the same (notice, chat) (a retry,
// or a consumer that was taken over finishing late) only acknowledges. It
// returns the notice with its counts. renovote.ErrNotFound (after
// acknowledging) when the notice is unknown or the chat not one of its
// recipients; renovote.ErrInvalid for a message not from the outbox or an
// unknown outcome.
func (s *Store) SettleOutbox(ctx context.Context, m renovote.OutMsg, d renovote.Delivery, detail string, at time.Time) (renovote.Notice, error) {
	wrap := func(err error) error {
		return fmt.Errorf("settle outbox %s (%s to %d): %w", m.ID, m.NoticeID, m.ChatID, err)
	}
	if d != renovote.Delivered && d != renovote.Unreachable && d != renovote.Failed {
		return renovote.Notice{}, wrap(fmt.Errorf("outcome %q: %w", d, renovote.ErrInvalid))
	}
	if !streamID.MatchString(m.ID) || !validNoticeID(m.NoticeID) {
		return renovote.Notice{}, wrap(fmt.Errorf("not an outbox message: %w", renovote.ErrInvalid))
	}
	dead := ""
	if d == renovote.Failed {
		if r := []rune(detail); len(r) > maxDetailRunes {
			detail = string(r[:maxDetailRunes])
		}
		js, err := json.Marshal(renovote.DeadLetter{Msg: m, Error: detail, At: nowOr(at).UTC()})
		if err != nil {
			return renovote.Notice{}, wrap(err)
		}
		dead = string(js)
	}
	nk := s.k.notice(m.NoticeID)
	_, res, err := s.run(ctx, scriptOutboxSettle, // OK, or DUP for an outcome settled before
		[]string{s.k.outbox(), nk.record, nk.state, nk.queued, nk.settled, s.k.unreachable(), s.k.deadLetters()},
		outboxGroup, m.ID, strconv.FormatInt(m.ChatID, 10), string(d), dead, maxDeadLetters)
	if err != nil {
		return renovote.Notice{}, wrap(err)
	}
	state := map[string]string{}
	if l, ok := res[1].([]any); ok {
		for i := 0; i+1 < len(l); i += 2 {
			k, _ := l[i].(string)
			v, _ := l[i+1].(string)
			state[k] = v
		}
	}
	n, err := assembleNotice(str(res, 0), state)
	if err != nil {
		return renovote.Notice{}, wrap(err)
	}
	return n, nil
}
