package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// AddWorker makes userID a community worker and records who did it in the
// staff audit stream. Idempotent.
func (s *Store) AddWorker(ctx context.Context, userID int64, by string, now time.Time) error {
	if err := s.staffChange(ctx, "add", userID, by, now); err != nil {
		return fmt.Errorf("add worker %d: %w", userID, err)
	}
	return nil
}

// RemoveWorker removes userID from the community workers, recording the change.
// Idempotent.
func (s *Store) RemoveWorker(ctx context.Context, userID int64, by string, now time.Time) error {
	if err := s.staffChange(ctx, "remove", userID, by, now); err != nil {
		return fmt.Errorf("remove worker %d: %w", userID, err)
	}
	return nil
}

func (s *Store) staffChange(ctx context.Context, op string, userID int64, by string, now time.Time) error {
	_, _, err := s.run(ctx, scriptStaff, []string{s.k.workers(), s.k.staffAudit()},
		op, strconv.FormatInt(userID, 10), by, fmtTime(nowOr(now)))
	return err
}

// IsWorker reports whether userID is a community worker.
func (s *Store) IsWorker(ctx context.Context, userID int64) (bool, error) {
	ok, err := s.rdb.SIsMember(ctx, s.k.workers(), strconv.FormatInt(userID, 10)).Result()
	if err != nil {
		return false, fmt.Errorf("is worker %d: %w", userID, err)
	}
	return ok, nil
}

// Workers lists the community workers, sorted.
func (s *Store) Workers(ctx context.Context) ([]int64, error) {
	ms, err := s.rdb.SMembers(ctx, s.k.workers()).Result()
	if err != nil {
		return nil, fmt.Errorf("workers: %w", err)
	}
	return sortedIDs(ms), nil
}

// sortedIDs parses user ids (skipping anything else) and sorts them.
func sortedIDs(ms []string) []int64 {
	out := make([]int64, 0, len(ms))
	for _, m := range ms {
		if id, err := strconv.ParseInt(m, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// StaffChange is one entry of a staff audit stream: the global one (community
// workers, Role "worker") or a compound's (resident supervisors, Role
// "supervisor").
type StaffChange struct {
	ID     string    `json:"id"`
	Op     string    `json:"op"` // add | remove
	Role   string    `json:"role"`
	UserID int64     `json:"user"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// StaffAudit returns the community worker changes, oldest first.
func (s *Store) StaffAudit(ctx context.Context) ([]StaffChange, error) {
	out, err := s.readStaffAudit(ctx, s.k.staffAudit())
	if err != nil {
		return nil, fmt.Errorf("staff audit: %w", err)
	}
	return out, nil
}

func (s *Store) readStaffAudit(ctx context.Context, key string) ([]StaffChange, error) {
	msgs, err := s.rdb.XRange(ctx, key, "-", "+").Result()
	if err != nil {
		return nil, err
	}
	out := make([]StaffChange, 0, len(msgs))
	for _, m := range msgs {
		f := func(k string) string { v, _ := m.Values[k].(string); return v }
		id, _ := strconv.ParseInt(f("user"), 10, 64)
		role := f("role")
		if role == "" {
			role = "worker"
		}
		out = append(out, StaffChange{ID: m.ID, Op: f("op"), Role: role, UserID: id, By: f("by"), At: parseTime(f("at"))})
	}
	return out, nil
}
