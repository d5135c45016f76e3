package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

// Notices (通知) and the outbox. A notice's life: CreateNotice stores it as
// scheduled when SendAt is after Created, else as sending; EnqueueNotice
// queues it to its recipients (one outbox row per chat, each chat once) and
// makes it sending; SettleOutbox counts each recipient's outcome; when the
// last enqueue batch ran and every queued chat is settled it is done. Only a
// scheduled notice can be cancelled.

// enqueueBatch is how many chats one enqueue transaction queues.
const enqueueBatch = 500

// maxDeadLetters caps the dead-letter list (the oldest go first).
const maxDeadLetters = 10000

// CreateNotice validates and stores a notice with a fresh id ("N1", "N2",
// ...), zero counts and status scheduled when n.SendAt is after n.Created,
// sending otherwise (a zero SendAt is Created, a zero Created now), and lists
// it in each of its compounds (a staff digest in none). A creation whose opID
// was applied before returns that notice as it is now and changes nothing.
func (s *Store) CreateNotice(ctx context.Context, n renovote.Notice, opID string) (renovote.Notice, error) {
	wrap := func(err error) error { return fmt.Errorf("create notice: %w", err) }
	if err := n.Validate(); err != nil {
		return renovote.Notice{}, wrap(err)
	}
	v := &renovote.ValidationError{What: "notice"}
	for i, c := range n.Compounds {
		if !renovote.ValidID(c) {
			v.Add(fmt.Sprintf("compounds[%d]", i), "not a compound id")
		}
	}
	for i, b := range n.Buildings {
		if strings.TrimSpace(b) == "" {
			v.Add(fmt.Sprintf("buildings[%d]", i), "empty")
		}
	}
	if err := v.Err(); err != nil {
		return renovote.Notice{}, wrap(err)
	}
	if err := checkOpID(opID); err != nil {
		return renovote.Notice{}, wrap(err)
	}
	n.Created = nowOr(n.Created).UTC()
	if n.SendAt.IsZero() {
		n.SendAt = n.Created
	}
	n.SendAt = n.SendAt.UTC()
	n.Status = renovote.NoticeSending
	if n.SendAt.After(n.Created) {
		n.Status = renovote.NoticeScheduled
	}
	n.Counts = renovote.NoticeCounts{}
	n.Compounds = slices.Clone(n.Compounds)
	var id string
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := s.now()
		done, ok, err := getOp(ctx, tx, opNotice, globalSlot, opID, now)
		if err != nil {
			return err
		}
		if ok {
			id = done
			return nil
		}
		var num int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO kv (k, v) VALUES ('notice_seq', '1')
			ON CONFLICT (k) DO UPDATE SET v = CAST(v AS INTEGER) + 1 RETURNING CAST(v AS INTEGER)`).Scan(&num); err != nil {
			return err
		}
		n.ID = "N" + strconv.FormatInt(num, 10)
		js, err := json.Marshal(n)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO notices (id, num, js, created_ms, send_at_ns, status, due, by_chat, progress_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, n.ID, num, string(js), n.Created.UnixMilli(), n.SendAt.UnixNano(),
			string(n.Status), b2i(n.Status == renovote.NoticeScheduled), n.ByChat, n.ProgressID); err != nil {
			return err
		}
		if n.Kind != renovote.KindDigest { // a staff digest is no compound's notice
			for _, c := range n.Compounds {
				if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO notice_compounds (compound, notice, created_ms, num)
					VALUES (?, ?, ?, ?)`, c, n.ID, n.Created.UnixMilli(), num); err != nil {
					return err
				}
			}
		}
		id = n.ID
		return putOp(ctx, tx, opNotice, globalSlot, opID, n.ID, now, s.opts.OpTTL)
	})
	if err != nil {
		return renovote.Notice{}, wrap(err)
	}
	out, err := s.Notice(ctx, id)
	if err != nil {
		return renovote.Notice{}, wrap(err)
	}
	return out, nil
}

// noticeCols are the columns assembleNotice reads, in order.
const noticeCols = `js, status, recipients, delivered, unreachable, failed, by_chat, progress_id, late`

// scanNotice decodes a notice record and lays its state over it.
func scanNotice(sc interface{ Scan(...any) error }) (renovote.Notice, error) {
	var js, status string
	var n renovote.Notice
	var c renovote.NoticeCounts
	var byChat int64
	var progress int
	var late bool
	if err := sc.Scan(&js, &status, &c.Recipients, &c.Delivered, &c.Unreachable, &c.Failed, &byChat, &progress, &late); err != nil {
		return n, err
	}
	if err := json.Unmarshal([]byte(js), &n); err != nil {
		return n, fmt.Errorf("decode notice: %w", err)
	}
	n.Status = renovote.NoticeStatus(status)
	n.Counts = c
	n.Late = late
	n.ByChat, n.ProgressID = byChat, progress
	return n, nil
}

func notice(ctx context.Context, q querier, id string) (renovote.Notice, error) {
	n, err := scanNotice(q.QueryRowContext(ctx, `SELECT `+noticeCols+` FROM notices WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return n, renovote.ErrNotFound
	}
	return n, err
}

// Notice returns a notice with its status and counts (renovote.ErrNotFound if none).
func (s *Store) Notice(ctx context.Context, id string) (renovote.Notice, error) {
	wrap := func(err error) error { return fmt.Errorf("notice %s: %w", id, err) }
	if !validNoticeID(id) {
		return renovote.Notice{}, wrap(renovote.ErrNotFound)
	}
	n, err := notice(ctx, s.r, id)
	if err != nil {
		return renovote.Notice{}, wrap(err)
	}
	return n, nil
}

func noticeNumber(id string) int64 { return seqNumber("N", id) }

func validNoticeID(id string) bool { return noticeNumber(id) > 0 && len(id) <= 21 }

// noticeList runs a query of notices (selecting noticeCols).
func noticeList(ctx context.Context, q querier, query string, args ...any) ([]renovote.Notice, error) {
	out := []renovote.Notice{}
	err := eachRow(ctx, q, query, args, func(r *sql.Rows) error {
		n, err := scanNotice(r)
		if err != nil {
			return err
		}
		out = append(out, n)
		return nil
	})
	return out, err
}

// SetNoticeProgress records the message in the sender's chat that shows the
// notice's progress (renovote.ErrNotFound for an unknown notice).
func (s *Store) SetNoticeProgress(ctx context.Context, id string, chatID int64, messageID int) error {
	wrap := func(err error) error { return fmt.Errorf("set notice progress %s: %w", id, err) }
	if !validNoticeID(id) {
		return wrap(renovote.ErrNotFound)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notices SET by_chat = ?, progress_id = ? WHERE id = ?`, chatID, messageID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fail("notice", renovote.ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}

// NoticeRecipients lists, sorted and unique, the chats a notice would reach:
// the bound members of the households (not removed) of the compounds, less
// the unreachable chats. Buildings, when given, narrow every compound to the
// households whose building is one of them (as store.Store.NoticeRecipients
// matches them). With onlyNonVoters, only households without a current vote
// count. An unknown compound is renovote.ErrNotFound.
func (s *Store) NoticeRecipients(ctx context.Context, compounds, buildings []string, onlyNonVoters bool) ([]int64, error) {
	wrap := func(err error) error { return fmt.Errorf("notice recipients: %w", err) }
	if len(compounds) == 0 {
		return nil, wrap(fmt.Errorf("no compound: %w", renovote.ErrInvalid))
	}
	want := map[string]bool{}
	for _, b := range buildings {
		if b = strings.TrimSpace(b); b != "" {
			want[b] = true
			want[buildingKey(b)] = true
		}
	}
	seen := map[int64]bool{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		for _, c := range slices.Compact(slices.Sorted(slices.Values(compounds))) {
			if err := checkCompound(c); err != nil {
				return err
			}
			if err := compoundExists(ctx, tx, c); err != nil {
				return fmt.Errorf("compound %s: %w", c, err)
			}
			err := eachRow(ctx, tx, `SELECT h.js, m.user_id FROM members m
				JOIN households h ON h.compound = m.compound AND h.id = m.household
				WHERE m.compound = ? AND h.removed = 0
				AND NOT (? AND EXISTS (SELECT 1 FROM votes v WHERE v.compound = m.compound AND v.household = m.household))
				AND NOT EXISTS (SELECT 1 FROM unreachable u WHERE u.chat = m.user_id)`,
				[]any{c, onlyNonVoters}, func(r *sql.Rows) error {
					var js string
					var uid int64
					if err := r.Scan(&js, &uid); err != nil {
						return err
					}
					if len(want) > 0 {
						h, err := decodeHousehold(js)
						if err != nil {
							return err
						}
						if !inBuildings(h, want) {
							return nil
						}
					}
					seen[uid] = true
					return nil
				})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]int64, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	slices.Sort(out)
	return out, nil
}

// buildingKey is the canonical building part of a household id.
func buildingKey(b string) string { return strings.TrimSuffix(renovote.HouseholdID(b, "", ""), "--") }

func inBuildings(h renovote.Household, want map[string]bool) bool {
	part, _, _ := strings.Cut(h.ID, "-")
	return want[h.Building] || want[buildingKey(h.Building)] || want[part]
}

// EnqueueNotice queues the notice to each recipient (sorted, made unique, 0
// left out) once, in transactions of up to 500 chats: a chat gets an outbox
// row only when new to the notice, so a retried or resumed enqueue adds no
// duplicate. The notice becomes sending with Counts.Recipients the chats
// queued so far, and done once the last batch ran and every queued chat is
// settled (at once for no recipients). renovote.ErrNotFound for an unknown
// notice, renovote.ErrConflict for a cancelled one.
func (s *Store) EnqueueNotice(ctx context.Context, id string, recipients []int64) (renovote.Notice, error) {
	wrap := func(err error) error { return fmt.Errorf("enqueue notice %s: %w", id, err) }
	n, err := s.Notice(ctx, id)
	if err != nil {
		return renovote.Notice{}, wrap(err)
	}
	if n.Status == renovote.NoticeCancelled {
		return n, wrap(fmt.Errorf("notice cancelled: %w", renovote.ErrConflict))
	}
	chats := slices.DeleteFunc(slices.Clone(recipients), func(c int64) bool { return c == 0 })
	slices.Sort(chats)
	chats = slices.Compact(chats)
	for i := 0; i == 0 || i < len(chats); i += enqueueBatch {
		batch := chats[i:min(i+enqueueBatch, len(chats))]
		if err := s.enqueueBatch(ctx, n, batch, i+enqueueBatch >= len(chats)); err != nil {
			return renovote.Notice{}, wrap(err)
		}
	}
	out, err := s.Notice(ctx, id)
	if err != nil {
		return renovote.Notice{}, wrap(err)
	}
	return out, nil
}

// enqueueBatch queues one batch of chats in one transaction.
func (s *Store) enqueueBatch(ctx context.Context, n renovote.Notice, chats []int64, last bool) error {
	added := false
	err := s.write(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM notices WHERE id = ?`, n.ID).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return fail("notice", renovote.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if status == string(renovote.NoticeCancelled) {
			return fail("notice cancelled", renovote.ErrConflict)
		}
		for _, c := range chats {
			res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO notice_chats (notice, chat) VALUES (?, ?)`, n.ID, c)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k == 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (notice, chat, text, photo, document) VALUES (?, ?, ?, ?, ?)`,
				n.ID, c, n.Text, n.Photo, n.Document); err != nil {
				return err
			}
			added = true
		}
		if last {
			if _, err := tx.ExecContext(ctx, `UPDATE notices SET enqueued = 1 WHERE id = ?`, n.ID); err != nil {
				return err
			}
		}
		// The counters sum to the settled chats (see SettleOutbox).
		_, err = tx.ExecContext(ctx, `UPDATE notices SET due = 0,
			recipients = (SELECT COUNT(*) FROM notice_chats WHERE notice = notices.id),
			status = CASE WHEN enqueued = 1 AND delivered + unreachable + failed >=
				(SELECT COUNT(*) FROM notice_chats WHERE notice = notices.id) THEN 'done' ELSE 'sending' END
			WHERE id = ?`, n.ID)
		return err
	})
	if err == nil && added {
		s.wakeClaimers()
	}
	return err
}

// CancelNotice cancels a scheduled notice; renovote.ErrConflict for a notice
// in any other status (also one cancelled already), renovote.ErrNotFound for
// an unknown one. Who and when are kept with the notice.
func (s *Store) CancelNotice(ctx context.Context, id, by string, at time.Time) error {
	wrap := func(err error) error { return fmt.Errorf("cancel notice %s: %w", id, err) }
	if !validNoticeID(id) {
		return wrap(renovote.ErrNotFound)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		var st string
		err := tx.QueryRowContext(ctx, `SELECT status FROM notices WHERE id = ?`, id).Scan(&st)
		if errors.Is(err, sql.ErrNoRows) {
			return fail("notice", renovote.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if st != string(renovote.NoticeScheduled) {
			return fail("notice is "+st, renovote.ErrConflict)
		}
		_, err = tx.ExecContext(ctx, `UPDATE notices SET status = 'cancelled', due = 0, cancelled_by = ?, cancelled_at = ?
			WHERE id = ?`, by, fmtTime(nowOr(at)), id)
		return err
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}

// limit turns "n ≤ 0: all" into an SQL LIMIT.
func limit(n int) int64 {
	if n <= 0 {
		return -1
	}
	return int64(n)
}

// Notices lists the compound's latest n notices (all when n ≤ 0), newest first.
func (s *Store) Notices(ctx context.Context, compoundID string, n int) ([]renovote.Notice, error) {
	wrap := func(err error) error { return fmt.Errorf("notices %s: %w", compoundID, err) }
	if err := checkCompound(compoundID); err != nil {
		return nil, wrap(err)
	}
	out, err := noticeList(ctx, s.r, `SELECT `+noticeCols+` FROM notices WHERE id IN
		(SELECT notice FROM notice_compounds WHERE compound = ? ORDER BY created_ms DESC, num DESC LIMIT ?)
		ORDER BY created_ms DESC, num DESC`, compoundID, limit(n))
	if err != nil {
		return nil, wrap(err)
	}
	sortNoticesNewest(out)
	return out, nil
}

// AllNotices lists the latest n notices of every compound (all when n ≤ 0),
// newest first.
func (s *Store) AllNotices(ctx context.Context, n int) ([]renovote.Notice, error) {
	out, err := noticeList(ctx, s.r, `SELECT `+noticeCols+` FROM notices ORDER BY created_ms DESC, num DESC LIMIT ?`, limit(n))
	if err != nil {
		return nil, fmt.Errorf("all notices: %w", err)
	}
	sortNoticesNewest(out)
	return out, nil
}

// sortNoticesNewest orders notices newest first: by creation, then by number.
func sortNoticesNewest(ns []renovote.Notice) {
	slices.SortStableFunc(ns, func(a, b renovote.Notice) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return cmpInt(noticeNumber(b.ID), noticeNumber(a.ID))
	})
}

// DueNotices lists up to n (all when n ≤ 0) scheduled notices whose SendAt is
// not after at, the earliest first: what a scheduler enqueues.
func (s *Store) DueNotices(ctx context.Context, at time.Time, n int) ([]renovote.Notice, error) {
	out, err := noticeList(ctx, s.r, `SELECT `+noticeCols+` FROM notices
		WHERE due = 1 AND status = 'scheduled' AND send_at_ns <= ? ORDER BY send_at_ns, num LIMIT ?`,
		unixNano(at), limit(n))
	if err != nil {
		return nil, fmt.Errorf("due notices: %w", err)
	}
	return out, nil
}

// MarkNoticeLate records that a scheduled notice is being queued late, at
// at. It reports whether it marked it: a notice no longer scheduled is left
// alone. renovote.ErrNotFound for an unknown notice.
func (s *Store) MarkNoticeLate(ctx context.Context, id string, at time.Time) (bool, error) {
	wrap := func(err error) error { return fmt.Errorf("mark notice late %s: %w", id, err) }
	if !validNoticeID(id) {
		return false, wrap(renovote.ErrNotFound)
	}
	marked := false
	err := s.write(ctx, func(tx *sql.Tx) error {
		var st string
		err := tx.QueryRowContext(ctx, `SELECT status FROM notices WHERE id = ?`, id).Scan(&st)
		if errors.Is(err, sql.ErrNoRows) {
			return fail("notice", renovote.ErrNotFound)
		}
		if err != nil || st != string(renovote.NoticeScheduled) {
			return err
		}
		marked = true
		_, err = tx.ExecContext(ctx, `UPDATE notices SET late = 1, late_at = ? WHERE id = ?`, fmtTime(nowOr(at)), id)
		return err
	})
	if err != nil {
		return false, wrap(err)
	}
	return marked, nil
}

// NoticeLate reports whether a notice was marked late, and when it was queued
// then (zero when not late). An unknown notice is not late.
func (s *Store) NoticeLate(ctx context.Context, id string) (bool, time.Time, error) {
	if !validNoticeID(id) {
		return false, time.Time{}, fmt.Errorf("notice late %s: %w", id, renovote.ErrNotFound)
	}
	var late bool
	var at string
	err := s.r.QueryRowContext(ctx, `SELECT late, late_at FROM notices WHERE id = ?`, id).Scan(&late, &at)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !late) {
		return false, time.Time{}, nil
	}
	if err != nil {
		return false, time.Time{}, fmt.Errorf("notice late %s: %w", id, err)
	}
	return true, parseTime(at), nil
}

// UnqueuedNotices lists, among the latest n notices, those to be sent whose
// queuing never finished: status sending, its last enqueue batch not run, and
// created before before.
func (s *Store) UnqueuedNotices(ctx context.Context, before time.Time, n int) ([]renovote.Notice, error) {
	out, err := noticeList(ctx, s.r, `SELECT `+noticeCols+` FROM (SELECT * FROM notices
		ORDER BY created_ms DESC, num DESC LIMIT ?) WHERE status = 'sending' AND enqueued = 0
		ORDER BY created_ms DESC, num DESC`, int64(max(n, 1)))
	if err != nil {
		return nil, fmt.Errorf("unqueued notices: %w", err)
	}
	return slices.DeleteFunc(out, func(x renovote.Notice) bool { return !x.Created.Before(before) }), nil
}

// DeadLetters lists up to n (all kept when n ≤ 0) outbox messages given up
// on, newest first. The list keeps the latest 10,000.
func (s *Store) DeadLetters(ctx context.Context, n int) ([]renovote.DeadLetter, error) {
	out := []renovote.DeadLetter{}
	err := eachRow(ctx, s.r, `SELECT js FROM dead_letters ORDER BY seq DESC LIMIT ?`, []any{limit(n)},
		func(r *sql.Rows) error {
			var js string
			if err := r.Scan(&js); err != nil {
				return err
			}
			var d renovote.DeadLetter
			if err := json.Unmarshal([]byte(js), &d); err != nil {
				return fmt.Errorf("decode dead letter: %w", err)
			}
			out = append(out, d)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	return out, nil
}

// IsUnreachable reports whether a chat answered 403 to an outbox message and
// no message has been delivered to it since.
func (s *Store) IsUnreachable(ctx context.Context, chatID int64) (bool, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM unreachable WHERE chat = ?`, chatID).Scan(&n); err != nil {
		return false, fmt.Errorf("is unreachable: %w", err)
	}
	return n > 0, nil
}

// MarkReachable takes a chat out of the unreachable set.
func (s *Store) MarkReachable(ctx context.Context, chatID int64) error {
	if err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM unreachable WHERE chat = ?`, chatID)
		return err
	}); err != nil {
		return fmt.Errorf("mark reachable: %w", err)
	}
	return nil
}

// NonVoters lists the compound's households that are not removed and have no
// current vote, in register order; renovote.ErrNotFound for an unknown compound.
func (s *Store) NonVoters(ctx context.Context, compoundID string) ([]renovote.Household, error) {
	wrap := func(err error) error { return fmt.Errorf("non-voters %s: %w", compoundID, err) }
	if err := checkCompound(compoundID); err != nil {
		return nil, wrap(err)
	}
	var out []renovote.Household
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := compoundExists(ctx, tx, compoundID); err != nil {
			return err
		}
		out = []renovote.Household{}
		if err := eachRow(ctx, tx, `SELECT h.js FROM households h WHERE h.compound = ? AND h.removed = 0
			AND NOT EXISTS (SELECT 1 FROM votes v WHERE v.compound = h.compound AND v.household = h.id)`,
			[]any{compoundID}, func(r *sql.Rows) error {
				var js string
				if err := r.Scan(&js); err != nil {
					return err
				}
				h, err := decodeHousehold(js)
				if err != nil {
					return err
				}
				out = append(out, h)
				return nil
			}); err != nil {
			return err
		}
		store.SortHouseholds(out)
		return nil
	})
	if err != nil {
		return nil, wrap(err)
	}
	return out, nil
}
