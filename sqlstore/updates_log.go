package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// The update log of a bot long polling alone (bot.UpdateLog), in the table
// FirstSeen and the webhook claims use: a row not expired, whatever its
// kind, counts as seen; UpdatesDone writes 'done' rows (token "poll"), which
// count as done for a claim.

// seenChunk bounds the ids of one IN list (SQLite's limit on variables is
// far above it).
const seenChunk = 500

// SeenUpdates reports for each id whether the update was handled (or taken
// by FirstSeen, or claimed through the webhook) within Options.UpdateTTL, in
// one read transaction.
func (s *Store) SeenUpdates(ctx context.Context, ids []int64) ([]bool, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	found := map[int64]bool{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		now := s.now().UnixNano()
		for from := 0; from < len(ids); from += seenChunk {
			part := ids[from:min(from+seenChunk, len(ids))]
			args := make([]any, 0, len(part)+1)
			for _, id := range part {
				args = append(args, id)
			}
			args = append(args, now)
			rows, err := tx.QueryContext(ctx, `SELECT id FROM updates WHERE id IN (?`+strings.Repeat(", ?", len(part)-1)+`)
				AND expires_ns > ?`, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				found[id] = true
			}
			if err := rows.Close(); err != nil {
				return err
			}
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seen updates (%d): %w", len(ids), err)
	}
	seen := make([]bool, len(ids))
	for i, id := range ids {
		seen[i] = found[id]
	}
	return seen, nil
}

// UpdatesDone marks the updates handled for Options.UpdateTTL and deletes
// them from the update journal (updates_journal.go), in one transaction. It
// is a plain write: a retry is harmless, and an update already marked stays
// done.
func (s *Store) UpdatesDone(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := s.now()
		st, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO updates (id, expires_ns, kind, token, attempt)
			VALUES (?, ?, 'done', 'poll', 0)`)
		if err != nil {
			return err
		}
		defer st.Close()
		del, err := tx.PrepareContext(ctx, `DELETE FROM update_journal WHERE id = ?`)
		if err != nil {
			return err
		}
		defer del.Close()
		exp := now.Add(s.opts.UpdateTTL).UnixNano()
		for _, id := range ids {
			if _, err := st.ExecContext(ctx, id, exp); err != nil {
				return err
			}
			if _, err := del.ExecContext(ctx, id); err != nil {
				return err
			}
		}
		if now.UnixNano()%64 == 0 {
			_, err = tx.ExecContext(ctx, `DELETE FROM updates WHERE expires_ns <= ?`, now.UnixNano())
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("updates done (%d): %w", len(ids), err)
	}
	return nil
}
