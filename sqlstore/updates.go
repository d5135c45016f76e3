package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// FirstSeen reports whether updateID is seen for the first time (within
// Options.UpdateTTL).
func (s *Store) FirstSeen(ctx context.Context, updateID int64) (bool, error) {
	first := false
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := s.now().UnixNano()
		res, err := tx.ExecContext(ctx, `INSERT INTO updates (id, expires_ns) VALUES (?, ?)
			ON CONFLICT (id) DO UPDATE SET expires_ns = excluded.expires_ns, kind = 'seen', token = '', attempt = 0
			WHERE updates.expires_ns <= ?`,
			updateID, s.now().Add(s.opts.UpdateTTL).UnixNano(), now)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		first = n == 1
		if err == nil && now%64 == 0 {
			_, err = tx.ExecContext(ctx, `DELETE FROM updates WHERE expires_ns <= ?`, now)
		}
		return err
	})
	if err != nil {
		return false, fmt.Errorf("first seen %d: %w", updateID, err)
	}
	return first, nil
}

const maxThrottleEntries = 1000

// AddInviteFailure notes a failed invitation code attempt by userID at time
// at. Attempts older than Options.ThrottleWindow before it are dropped, and
// the latest 1,000 kept.
func (s *Store) AddInviteFailure(ctx context.Context, userID int64, at time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO throttle (user_id, at_ns, token) VALUES (?, ?, ?)`,
			userID, at.UnixNano(), token()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM throttle WHERE user_id = ? AND at_ns < ?`,
			userID, at.Add(-s.opts.ThrottleWindow).UnixNano()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM throttle WHERE user_id = ? AND (at_ns, token) NOT IN
			(SELECT at_ns, token FROM throttle WHERE user_id = ? ORDER BY at_ns DESC, token DESC LIMIT ?)`,
			userID, userID, maxThrottleEntries)
		return err
	})
	if err != nil {
		return fmt.Errorf("add invite failure: %w", err)
	}
	return nil
}

// InviteFailures counts userID's failed attempts at or after since and
// returns the oldest of them.
func (s *Store) InviteFailures(ctx context.Context, userID int64, since time.Time) (int, time.Time, error) {
	var n int
	var oldest sql.NullInt64
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*), MIN(at_ns) FROM throttle WHERE user_id = ? AND at_ns >= ?`,
		userID, unixNano(since)).Scan(&n, &oldest); err != nil {
		return 0, time.Time{}, fmt.Errorf("invite failures: %w", err)
	}
	if !oldest.Valid {
		return 0, time.Time{}, nil
	}
	return n, time.Unix(0, oldest.Int64), nil
}

// token returns a random 128-bit hex string.
func token() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// GetSession returns a conversation's session bytes; nil, nil when there is
// none (or it expired).
func (s *Store) GetSession(ctx context.Context, key string) ([]byte, error) {
	var b []byte
	err := s.r.QueryRowContext(ctx, `SELECT data FROM sessions WHERE key = ? AND (expires_ns IS NULL OR expires_ns > ?)`,
		key, s.now().UnixNano()).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get session: %w", err)
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

// PutSession stores a session for ttl (ttl <= 0: no expiry).
func (s *Store) PutSession(ctx context.Context, key string, data []byte, ttl time.Duration) error {
	var exp any
	now := s.now()
	if ttl > 0 {
		exp = now.Add(ttl).UnixNano()
	}
	if data == nil {
		data = []byte{}
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO sessions (key, data, expires_ns) VALUES (?, ?, ?)`,
			key, data, exp); err != nil {
			return err
		}
		if now.UnixNano()%64 == 0 {
			_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_ns <= ?`, now.UnixNano())
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("put session: %w", err)
	}
	return nil
}

// DeleteSession drops a session; a no-op when there is none.
func (s *Store) DeleteSession(ctx context.Context, key string) error {
	if err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE key = ?`, key)
		return err
	}); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}
