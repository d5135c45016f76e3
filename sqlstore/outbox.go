package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/renovote/renovote"
)

// The outbox is one table: a row is one notice to one chat, still to be
// sent. A consumer claims new rows (claimed_ms, consumer, deliveries 1) and
// takes over rows another consumer has held longer than minIdle (it died or
// hangs; deliveries + 1); settling deletes the row, so the table holds only
// what is still to be sent.

// maxDetailRunes bounds the error kept with a dead letter.
const maxDetailRunes = 1000

// ClaimOutbox returns up to n messages for consumer (a name unique to the
// process): first rows claimed longer than minIdle ago by any consumer, taken
// over (their Attempts counts deliveries: 2 for the first takeover), then new
// rows (Attempts 1). It waits up to block for new rows only when it took over
// none; a block ≤ 0 does not wait, and a minIdle ≤ 0 takes nothing over. The
// wait ends early when rows are queued or ctx is done. Messages must be
// settled with SettleOutbox; unsettled ones come back to some consumer after
// minIdle.
func (s *Store) ClaimOutbox(ctx context.Context, consumer string, n int, minIdle, block time.Duration) ([]renovote.OutMsg, error) {
	wrap := func(err error) error { return fmt.Errorf("claim outbox for %s: %w", consumer, err) }
	if consumer == "" || len(consumer) > maxIDLen || n <= 0 {
		return nil, wrap(fmt.Errorf("consumer %q, n %d: %w", consumer, n, renovote.ErrInvalid))
	}
	var deadline <-chan time.Time
	first := true
	for {
		wake := s.claimWake()
		out, err := s.claimOutbox(ctx, consumer, n, minIdle, first)
		if err != nil {
			return nil, wrap(err)
		}
		if len(out) > 0 || block <= 0 {
			return out, nil
		}
		if deadline == nil {
			t := time.NewTimer(block)
			defer t.Stop()
			deadline = t.C
		}
		first = false
		select {
		case <-wake:
		case <-deadline:
			return nil, nil
		case <-ctx.Done():
			return nil, nil
		}
	}
}

// claimOutbox claims in one transaction: takeovers (when takeover), then new rows.
func (s *Store) claimOutbox(ctx context.Context, consumer string, n int, minIdle time.Duration, takeover bool) ([]renovote.OutMsg, error) {
	var out []renovote.OutMsg
	err := s.write(ctx, func(tx *sql.Tx) error {
		out = nil
		nowMS := s.now().UnixMilli()
		claim := func(query string, args ...any) error {
			var got []renovote.OutMsg
			defer func() { // RETURNING has no order: by outbox row
				slices.SortFunc(got, func(a, b renovote.OutMsg) int { return cmpInt(seqOf(a), seqOf(b)) })
				out = append(out, got...)
			}()
			return eachRow(ctx, tx, query, args, func(r *sql.Rows) error {
				var m renovote.OutMsg
				var seq int64
				if err := r.Scan(&seq, &m.NoticeID, &m.ChatID, &m.Text, &m.Photo, &m.Document, &m.Attempts); err != nil {
					return err
				}
				m.ID = seqID(seq)
				m.Attempts = max(m.Attempts, 1)
				got = append(got, m)
				return nil
			})
		}
		if takeover && minIdle > 0 {
			idle := max(minIdle.Milliseconds(), 1)
			if err := claim(`UPDATE outbox SET consumer = ?, claimed_ms = ?, deliveries = deliveries + 1
				WHERE seq IN (SELECT seq FROM outbox WHERE claimed_ms IS NOT NULL AND claimed_ms <= ? ORDER BY seq LIMIT ?)
				RETURNING seq, notice, chat, text, photo, document, deliveries`,
				consumer, nowMS, nowMS-idle, n); err != nil {
				return err
			}
		}
		if len(out) >= n {
			return nil
		}
		return claim(`UPDATE outbox SET consumer = ?, claimed_ms = ?, deliveries = 1
			WHERE seq IN (SELECT seq FROM outbox WHERE claimed_ms IS NULL ORDER BY seq LIMIT ?)
			RETURNING seq, notice, chat, text, photo, document, deliveries`,
			consumer, nowMS, n-len(out))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func seqOf(m renovote.OutMsg) int64 { n, _ := parseSeqID(m.ID); return n }

// claimWake returns a channel closed when outbox rows are next queued.
func (s *Store) claimWake() <-chan struct{} {
	s.omu.Lock()
	defer s.omu.Unlock()
	return s.queued
}

// wakeClaimers wakes the ClaimOutbox calls waiting for rows.
func (s *Store) wakeClaimers() {
	s.omu.Lock()
	close(s.queued)
	s.queued = make(chan struct{})
	s.omu.Unlock()
}

var outboxID = regexp.MustCompile(`^[0-9]{1,20}-[0-9]{1,20}$`)

// SettleOutbox records the outcome of a message claimed from the outbox, in
// one transaction: the row is deleted; the first outcome for the message's
// (notice, chat) counts in the notice (Counts.Delivered, Unreachable or
// Failed), marks the chat unreachable on renovote.Unreachable (and reachable
// again on renovote.Delivered), keeps a renovote.DeadLetter on
// renovote.Failed, and makes the notice done when it was the last one
// outstanding. A later outcome for the same (notice, chat) only deletes. It
// returns the notice with its counts. renovote.ErrNotFound (after deleting)
// when the notice is unknown or the chat not one of its recipients;
// renovote.ErrInvalid for a message not from the outbox or an unknown outcome.
func (s *Store) SettleOutbox(ctx context.Context, m renovote.OutMsg, d renovote.Delivery, detail string, at time.Time) (renovote.Notice, error) {
	wrap := func(err error) error {
		return fmt.Errorf("settle outbox %s (%s to %d): %w", m.ID, m.NoticeID, m.ChatID, err)
	}
	if d != renovote.Delivered && d != renovote.Unreachable && d != renovote.Failed {
		return renovote.Notice{}, wrap(fmt.Errorf("outcome %q: %w", d, renovote.ErrInvalid))
	}
	seq, ok := parseSeqID(m.ID)
	if !outboxID.MatchString(m.ID) || !ok || !validNoticeID(m.NoticeID) {
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
	var out renovote.Notice
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq = ?`, seq); err != nil {
			return err
		}
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM notices WHERE id = ?`, m.NoticeID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return keepErr{fail("notice", renovote.ErrNotFound)}
		}
		res, err := tx.ExecContext(ctx, `UPDATE notice_chats SET outcome = ? WHERE notice = ? AND chat = ? AND outcome IS NULL`,
			string(d), m.NoticeID, m.ChatID)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			var queued int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM notice_chats WHERE notice = ? AND chat = ?`,
				m.NoticeID, m.ChatID).Scan(&queued); err != nil {
				return err
			}
			if queued == 0 {
				return keepErr{fail("recipient of the notice", renovote.ErrNotFound)}
			}
		} else {
			if err := settleFirst(ctx, tx, m, d, dead); err != nil {
				return err
			}
		}
		out, err = notice(ctx, tx, m.NoticeID)
		return err
	})
	if err != nil {
		return renovote.Notice{}, wrap(err)
	}
	return out, nil
}

// settleFirst counts a (notice, chat)'s first outcome.
func settleFirst(ctx context.Context, tx *sql.Tx, m renovote.OutMsg, d renovote.Delivery, dead string) error {
	col := map[renovote.Delivery]string{renovote.Delivered: "delivered", renovote.Unreachable: "unreachable",
		renovote.Failed: "failed"}[d]
	if _, err := tx.ExecContext(ctx, `UPDATE notices SET `+col+` = `+col+` + 1 WHERE id = ?`, m.NoticeID); err != nil {
		return err
	}
	var err error
	switch d {
	case renovote.Unreachable:
		_, err = tx.ExecContext(ctx, `INSERT OR IGNORE INTO unreachable (chat) VALUES (?)`, m.ChatID)
	case renovote.Delivered:
		_, err = tx.ExecContext(ctx, `DELETE FROM unreachable WHERE chat = ?`, m.ChatID)
	default:
		if _, err = tx.ExecContext(ctx, `INSERT INTO dead_letters (js) VALUES (?)`, dead); err == nil {
			_, err = tx.ExecContext(ctx, `DELETE FROM dead_letters WHERE seq <= (SELECT MAX(seq) FROM dead_letters) - ?`,
				maxDeadLetters)
		}
	}
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE notices SET status = 'done' WHERE id = ? AND status = 'sending'
		AND enqueued = 1 AND delivered + unreachable + failed >= recipients`, m.NoticeID)
	return err
}

// OutboxQueued is the number of outbox messages still to be sent, claimed or
// not. For the renovote_outbox_pending gauge.
func (s *Store) OutboxQueued(ctx context.Context) (int64, error) {
	var n int64
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&n); err != nil {
		return 0, fmt.Errorf("outbox length: %w", err)
	}
	return n, nil
}
