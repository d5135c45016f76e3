package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// The update journal of a bot long polling alone (table update_journal): the
// updates it took from Telegram, kept before its offset confirms them, so a
// crash loses none. UpdatesDone (updates_log.go) deletes them once handled;
// so does JournalDone, which is UpdatesDone here: a done row per update costs
// SQLite little in the transaction that deletes it from the journal, so the
// poller's through is not kept (a done row is its own proof).

// JournalUpdates keeps updates taken from Telegram and not handled yet: the
// raw JSON of each by update id, stamped with the store's clock, in one
// transaction. Writing an id again replaces it; a retry is harmless. through
// is not needed (see above).
func (s *Store) JournalUpdates(ctx context.Context, updates map[int64][]byte, _ int64) error {
	if len(updates) == 0 {
		return nil
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO update_journal (id, raw, at_ns) VALUES (?, ?, ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		at := s.now().UnixNano()
		for id, raw := range updates {
			if raw == nil {
				raw = []byte{} // the column is NOT NULL; kept as an empty value
			}
			if _, err := st.ExecContext(ctx, id, raw, at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("journal updates (%d): %w", len(updates), err)
	}
	return nil
}

// JournaledUpdates returns the journaled updates not marked done since,
// except those journaled Options.UpdateTTL ago or more, which it deletes
// (Telegram itself keeps an update 24 hours; their done marks may be gone).
// The delete and the read are one write transaction.
func (s *Store) JournaledUpdates(ctx context.Context) (map[int64][]byte, error) {
	out := map[int64][]byte{}
	err := s.write(ctx, func(tx *sql.Tx) error {
		old := s.now().Add(-s.opts.UpdateTTL).UnixNano()
		if _, err := tx.ExecContext(ctx, `DELETE FROM update_journal WHERE at_ns <= ?`, old); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, raw FROM update_journal`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var raw []byte
			if err := rows.Scan(&id, &raw); err != nil {
				return err
			}
			out[id] = raw
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("journaled updates: %w", err)
	}
	return out, nil
}

// JournalDone marks journaled updates done: UpdatesDone, a done row each and
// their deletion from the journal in one transaction.
func (s *Store) JournalDone(ctx context.Context, ids []int64) error {
	if err := s.UpdatesDone(ctx, ids); err != nil {
		return fmt.Errorf("journal done: %w", err)
	}
	return nil
}
