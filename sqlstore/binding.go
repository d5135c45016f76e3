package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/renovote/renovote"
)

// Bind makes userID a member of ref, in one transaction. Binding again to the
// same household is a no-op; renovote.ErrAlreadyBound if bound elsewhere,
// renovote.ErrHouseholdFull if the household has maxMembers members,
// renovote.ErrRemoved for a removed household, renovote.ErrNotFound for an
// unknown one.
func (s *Store) Bind(ctx context.Context, userID int64, ref renovote.HouseholdRef, maxMembers int, now time.Time) error {
	wrap := func(err error) error { return fmt.Errorf("bind %s: %w", ref, err) }
	if err := checkRef(ref); err != nil {
		return wrap(err)
	}
	if maxMembers <= 0 {
		return wrap(fmt.Errorf("max members %d: %w", maxMembers, renovote.ErrInvalid))
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		cur, ok, err := binding(ctx, tx, userID)
		if err != nil {
			return err
		}
		if ok && cur != ref {
			return renovote.ErrAlreadyBound
		}
		if err := checkHousehold(ctx, tx, ref); err != nil {
			return err
		}
		var n int
		var member bool
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(user_id = ?), 0) FROM members
			WHERE compound = ? AND household = ?`, userID, ref.CompoundID, ref.HouseholdID).Scan(&n, &member); err != nil {
			return err
		}
		if !member {
			if n >= maxMembers {
				return renovote.ErrHouseholdFull
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO members (compound, household, user_id) VALUES (?, ?, ?)`,
				ref.CompoundID, ref.HouseholdID, userID); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO users (user_id, compound, household) VALUES (?, ?, ?)`,
			userID, ref.CompoundID, ref.HouseholdID)
		return err
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}

func binding(ctx context.Context, q querier, userID int64) (renovote.HouseholdRef, bool, error) {
	var ref renovote.HouseholdRef
	err := q.QueryRowContext(ctx, `SELECT compound, household FROM users WHERE user_id = ?`, userID).
		Scan(&ref.CompoundID, &ref.HouseholdID)
	if errors.Is(err, sql.ErrNoRows) {
		return ref, false, nil
	}
	if err != nil {
		return ref, false, err
	}
	return ref, true, nil
}

// Binding returns the household userID is bound to, if any.
func (s *Store) Binding(ctx context.Context, userID int64) (renovote.HouseholdRef, bool, error) {
	ref, ok, err := binding(ctx, s.r, userID)
	if err != nil {
		return renovote.HouseholdRef{}, false, fmt.Errorf("binding: %w", err)
	}
	return ref, ok, nil
}

// Members lists the user ids bound to the household, sorted.
func (s *Store) Members(ctx context.Context, ref renovote.HouseholdRef) ([]int64, error) {
	wrap := func(err error) error { return fmt.Errorf("members %s: %w", ref, err) }
	if err := checkRef(ref); err != nil {
		return nil, wrap(err)
	}
	var ids []int64
	err := eachRow(ctx, s.r, `SELECT user_id FROM members WHERE compound = ? AND household = ? ORDER BY user_id`,
		[]any{ref.CompoundID, ref.HouseholdID}, func(r *sql.Rows) error {
			var id int64
			if err := r.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
			return nil
		})
	if err != nil {
		return nil, wrap(err)
	}
	return ids, nil
}

// Unbind removes userID from their household; a no-op when not bound.
func (s *Store) Unbind(ctx context.Context, userID int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		ref, ok, err := binding(ctx, tx, userID)
		if err != nil || !ok {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM members WHERE compound = ? AND household = ? AND user_id = ?`,
			ref.CompoundID, ref.HouseholdID, userID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM users WHERE user_id = ?`, userID)
		return err
	})
	if err != nil {
		return fmt.Errorf("unbind: %w", err)
	}
	return nil
}
