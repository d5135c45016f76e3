package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

func validKind(k renovote.WindowKind) bool {
	return k == renovote.BallotWindow || k == renovote.SurveyWindow
}

// ReminderTargets lists, sorted by household id, the households of the
// compound (not removed) that have not answered the ballot (no current vote)
// or the survey (no answer), with their bound members less the unreachable
// chats; households without a reachable member are left out.
func (s *Store) ReminderTargets(ctx context.Context, compoundID string, kind renovote.WindowKind) ([]store.ReminderTarget, error) {
	wrap := func(err error) error { return fmt.Errorf("reminder targets %s %s: %w", compoundID, kind, err) }
	if !validKind(kind) {
		return nil, wrap(renovote.ErrInvalid)
	}
	if err := checkCompound(compoundID); err != nil {
		return nil, wrap(err)
	}
	answered := "votes"
	if kind == renovote.SurveyWindow {
		answered = "survey"
	}
	var out []store.ReminderTarget
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := compoundExists(ctx, tx, compoundID); err != nil {
			return err
		}
		return eachRow(ctx, tx, `SELECT m.household, m.user_id FROM members m
			JOIN households h ON h.compound = m.compound AND h.id = m.household
			WHERE m.compound = ? AND h.removed = 0
			AND NOT EXISTS (SELECT 1 FROM `+answered+` a WHERE a.compound = m.compound AND a.household = m.household)
			AND NOT EXISTS (SELECT 1 FROM unreachable u WHERE u.chat = m.user_id)
			ORDER BY m.household, m.user_id`, []any{compoundID}, func(r *sql.Rows) error {
			var hid string
			var uid int64
			if err := r.Scan(&hid, &uid); err != nil {
				return err
			}
			if len(out) == 0 || out[len(out)-1].HouseholdID != hid {
				out = append(out, store.ReminderTarget{HouseholdID: hid})
			}
			out[len(out)-1].Chats = append(out[len(out)-1].Chats, uid)
			return nil
		})
	})
	if err != nil {
		return nil, wrap(err)
	}
	// SQLite orders text by bytes, as Go compares strings; keep it explicit.
	slices.SortFunc(out, func(a, b store.ReminderTarget) int { return strings.Compare(a.HouseholdID, b.HouseholdID) })
	return out, nil
}

// TakeReminders counts one reminder of the ballot or survey for each of the
// households still below capAt, in one transaction, and returns those
// counted. The op id makes it idempotent: a retry returns the households
// counted the first time and counts nothing (kept Options.OpTTL).
func (s *Store) TakeReminders(ctx context.Context, compoundID string, kind renovote.WindowKind, opID string, capAt int, households []string) ([]string, error) {
	wrap := func(err error) error { return fmt.Errorf("take reminders %s %s: %w", compoundID, kind, err) }
	if !validKind(kind) {
		return nil, wrap(renovote.ErrInvalid)
	}
	if err := checkCompound(compoundID); err != nil {
		return nil, wrap(err)
	}
	if err := checkOpID(opID); err != nil {
		return nil, wrap(err)
	}
	var out []string
	scope := compoundID + "\x00" + string(kind)
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := s.now()
		prev, ok, err := getOp(ctx, tx, opRemind, scope, opID, now)
		if err != nil {
			return err
		}
		out = []string{}
		if ok {
			if prev != "" {
				out = strings.Split(prev, "\n")
			}
			return nil
		}
		for _, h := range households {
			if capAt <= 0 {
				break
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO reminders (compound, kind, household, n) VALUES (?, ?, ?, 1)
				ON CONFLICT (compound, kind, household) DO UPDATE SET n = n + 1 WHERE n < ?`,
				compoundID, string(kind), h, capAt)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k == 1 {
				out = append(out, h)
			}
		}
		return putOp(ctx, tx, opRemind, scope, opID, strings.Join(out, "\n"), now, s.opts.OpTTL)
	})
	if err != nil {
		return nil, wrap(err)
	}
	return out, nil
}

// ReminderCounts returns how many reminders of the ballot or survey each
// household of the compound got (households with none left out).
func (s *Store) ReminderCounts(ctx context.Context, compoundID string, kind renovote.WindowKind) (map[string]int, error) {
	wrap := func(err error) error { return fmt.Errorf("reminder counts %s %s: %w", compoundID, kind, err) }
	if !validKind(kind) {
		return nil, wrap(renovote.ErrInvalid)
	}
	if err := checkCompound(compoundID); err != nil {
		return nil, wrap(err)
	}
	out := map[string]int{}
	err := eachRow(ctx, s.r, `SELECT household, n FROM reminders WHERE compound = ? AND kind = ?`,
		[]any{compoundID, string(kind)}, func(r *sql.Rows) error {
			var h string
			var n int
			if err := r.Scan(&h, &n); err != nil {
				return err
			}
			out[h] = n
			return nil
		})
	if err != nil {
		return nil, wrap(err)
	}
	return out, nil
}

// Announced reports whether the announcement named key was made (MarkAnnounced).
func (s *Store) Announced(ctx context.Context, key string) (bool, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM announced WHERE key = ?`, key).Scan(&n); err != nil {
		return false, fmt.Errorf("announced %s: %w", key, err)
	}
	return n > 0, nil
}

// MarkAnnounced records that the announcement named key was queued; it is
// kept for good, so that it is never made twice.
func (s *Store) MarkAnnounced(ctx context.Context, key string) error {
	if err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO announced (key) VALUES (?)`, key)
		return err
	}); err != nil {
		return fmt.Errorf("mark announced %s: %w", key, err)
	}
	return nil
}

// VotesSince counts the compound's accepted vote commands (audit entries)
// whose time is after since and not after until.
func (s *Store) VotesSince(ctx context.Context, compoundID string, since, until time.Time) (int, error) {
	return s.countBetween(ctx, "vote_audit", compoundID, since, until)
}

// SurveyAnswersSince counts the compound's accepted survey submissions whose
// time is after since and not after until.
func (s *Store) SurveyAnswersSince(ctx context.Context, compoundID string, since, until time.Time) (int, error) {
	return s.countBetween(ctx, "survey_audit", compoundID, since, until)
}

func (s *Store) countBetween(ctx context.Context, table, compoundID string, since, until time.Time) (int, error) {
	if err := checkCompound(compoundID); err != nil {
		return 0, fmt.Errorf("count %s %s: %w", table, compoundID, err)
	}
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE compound = ? AND at_ns > ? AND at_ns <= ?`,
		compoundID, unixNano(since), unixNano(until)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s %s: %w", table, compoundID, err)
	}
	return n, nil
}
