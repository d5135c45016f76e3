package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/renovote/renovote"
)

// Updates received through the webhook, handled once: an update id's row is
// 'run' while a delivery handles it (token, attempt, the lease as expiry),
// 'fail' once an attempt failed and was released (the attempt remembered),
// 'done' once handled (also written by UpdatesDone, updates_log.go);
// FirstSeen's 'seen' counts as done.

// ClaimUpdate claims updateID for handling under token for lease. A retry of
// the same call (same token) gets its claim back. Done and failure records
// are kept for Options.UpdateTTL.
func (s *Store) ClaimUpdate(ctx context.Context, updateID int64, token string, lease time.Duration) (renovote.UpdateClaim, error) {
	if !validClaimToken(token) || lease <= 0 {
		return renovote.UpdateClaim{}, fmt.Errorf("claim update %d: %w", updateID, renovote.ErrInvalid)
	}
	var c renovote.UpdateClaim
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := s.now()
		var kind, tok string
		var attempt, exp int64
		err := tx.QueryRowContext(ctx, `SELECT kind, token, attempt, expires_ns FROM updates WHERE id = ? AND expires_ns > ?`,
			updateID, now.UnixNano()).Scan(&kind, &tok, &attempt, &exp)
		next := int64(1)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case kind == "run" && tok == token: // a retry of this very claim
			c = renovote.UpdateClaim{Status: renovote.UpdateClaimed, Attempt: int(max(attempt, 1))}
			return nil
		case kind == "run":
			c = renovote.UpdateClaim{Status: renovote.UpdateBusy, Wait: time.Duration(exp-now.UnixNano()) / time.Millisecond * time.Millisecond}
			return nil
		case kind == "fail":
			next = attempt + 1
		default:
			c = renovote.UpdateClaim{Status: renovote.UpdateDone}
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO updates (id, expires_ns, kind, token, attempt)
			VALUES (?, ?, 'run', ?, ?)`, updateID, now.Add(max(lease, time.Millisecond)).UnixNano(), token, next); err != nil {
			return err
		}
		c = renovote.UpdateClaim{Status: renovote.UpdateClaimed, Attempt: int(next)}
		return nil
	})
	if err != nil {
		return renovote.UpdateClaim{}, fmt.Errorf("claim update %d: %w", updateID, err)
	}
	return c, nil
}

// FinishUpdate marks updateID done: every later claim answers UpdateDone,
// also when the claim expired meanwhile (the handling did finish).
func (s *Store) FinishUpdate(ctx context.Context, updateID int64, token string) error {
	if !validClaimToken(token) {
		return fmt.Errorf("finish update %d: %w", updateID, renovote.ErrInvalid)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO updates (id, expires_ns, kind, token, attempt)
			VALUES (?, ?, 'done', ?, 0)`, updateID, s.now().Add(s.opts.UpdateTTL).UnixNano(), token)
		return err
	})
	if err != nil {
		return fmt.Errorf("finish update %d: %w", updateID, err)
	}
	return nil
}

// ReleaseUpdate gives up token's claim on updateID after a failed attempt,
// so that a redelivery handles it again; the attempt is remembered. It does
// nothing when the claim is not token's any more.
func (s *Store) ReleaseUpdate(ctx context.Context, updateID int64, token string) error {
	if !validClaimToken(token) {
		return fmt.Errorf("release update %d: %w", updateID, renovote.ErrInvalid)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := s.now()
		_, err := tx.ExecContext(ctx, `UPDATE updates SET kind = 'fail', token = '', expires_ns = ?
			WHERE id = ? AND kind = 'run' AND token = ? AND expires_ns > ?`,
			now.Add(s.opts.UpdateTTL).UnixNano(), updateID, token, now.UnixNano())
		return err
	})
	if err != nil {
		return fmt.Errorf("release update %d: %w", updateID, err)
	}
	return nil
}

// validClaimToken: as the Redis store takes them.
func validClaimToken(t string) bool {
	return t != "" && len(t) <= 128 && !strings.ContainsAny(t, "|{}")
}
