package store

import (
	"context"
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// Reminders to households that have not answered (issue 5), the phase
// announcements made, and what the staff digest counts.

var (
	//go:embed scripts/remind_take.lua
	luaRemindTake    string
	scriptRemindTake = redis.NewScript(luaRemindTake)
)

// ReminderTarget is a household that has not answered, with its reachable
// bound members.
type ReminderTarget struct {
	HouseholdID string
	Chats       []int64
}

func validKind(k renovote.WindowKind) bool {
	return k == renovote.BallotWindow || k == renovote.SurveyWindow
}

// ReminderTargets lists, sorted by household id, the households of the
// compound (not removed) that have not answered the ballot (no current vote)
// or the survey (no answer), with their bound members less the unreachable
// chats; households without a reachable member are left out.
func (s *Store) ReminderTargets(ctx context.Context, compoundID string, kind renovote.WindowKind) ([]ReminderTarget, error) {
	wrap := func(err error) error { return fmt.Errorf("reminder targets %s %s: %w", compoundID, kind, err) }
	if !validKind(kind) {
		return nil, wrap(renovote.ErrInvalid)
	}
	ck, err := s.compound(compoundID)
	if err != nil {
		return nil, wrap(err)
	}
	answered := ck.choice
	if kind == renovote.SurveyWindow {
		answered = ck.survey
	}
	h, err := s.readHashes(ctx, ck, ck.hh, ck.members, answered)
	if err != nil {
		return nil, wrap(err)
	}
	hh, members, done := h[0], h[1], h[2]
	var out []ReminderTarget
	for hid, list := range members {
		js, ok := hh[hid]
		if !ok {
			continue
		}
		if _, ok := done[hid]; ok {
			continue
		}
		hs, err := decodeHousehold(js)
		if err != nil {
			return nil, wrap(err)
		}
		if hs.Removed {
			continue
		}
		chats := parseMembers(list)
		if len(chats) == 0 {
			continue
		}
		ms := make([]any, len(chats))
		for i, c := range chats {
			ms[i] = strconv.FormatInt(c, 10)
		}
		gone, err := s.rdb.SMIsMember(ctx, s.k.unreachable(), ms...).Result()
		if err != nil {
			return nil, wrap(err)
		}
		var reach []int64
		for i, c := range chats {
			if !gone[i] {
				reach = append(reach, c)
			}
		}
		if len(reach) == 0 {
			continue
		}
		slices.Sort(reach)
		out = append(out, ReminderTarget{HouseholdID: hid, Chats: reach})
	}
	slices.SortFunc(out, func(a, b ReminderTarget) int { return cmpString(a.HouseholdID, b.HouseholdID) })
	return out, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TakeReminders counts one reminder of the ballot or survey for each of the
// households still below capAt, atomically, and returns those counted: they
// are the ones to remind. The op id makes it idempotent: a retry returns the
// households counted the first time and counts nothing (kept Options.OpTTL).
// Callers count just before queuing the reminder, with an op id of the
// reminder's notice, so that a failed queue is retried with the same op and
// every count stands for one queued reminder.
func (s *Store) TakeReminders(ctx context.Context, compoundID string, kind renovote.WindowKind, opID string, capAt int, households []string) ([]string, error) {
	wrap := func(err error) error { return fmt.Errorf("take reminders %s %s: %w", compoundID, kind, err) }
	if !validKind(kind) {
		return nil, wrap(renovote.ErrInvalid)
	}
	ck, err := s.compound(compoundID)
	if err != nil {
		return nil, wrap(err)
	}
	if err := checkOpID(opID); err != nil {
		return nil, wrap(err)
	}
	args := make([]any, 0, 2+len(households))
	args = append(args, capAt, s.opts.OpTTL.Milliseconds())
	for _, h := range households {
		args = append(args, h)
	}
	_, res, err := s.run(ctx, scriptRemindTake, []string{ck.reminders(kind), ck.remindOp(opID)}, args...)
	if err != nil {
		return nil, wrap(err)
	}
	return strs(res, 0), nil
}

// ReminderCounts returns how many reminders of the ballot or survey each
// household of the compound got (households with none left out).
func (s *Store) ReminderCounts(ctx context.Context, compoundID string, kind renovote.WindowKind) (map[string]int, error) {
	wrap := func(err error) error { return fmt.Errorf("reminder counts %s %s: %w", compoundID, kind, err) }
	if !validKind(kind) {
		return nil, wrap(renovote.ErrInvalid)
	}
	ck, err := s.compound(compoundID)
	if err != nil {
		return nil, wrap(err)
	}
	m, err := s.rdb.HGetAll(ctx, ck.reminders(kind)).Result()
	if err != nil {
		return nil, wrap(err)
	}
	out := make(map[string]int, len(m))
	for h, v := range m {
		n, _ := strconv.Atoi(v)
		out[h] = n
	}
	return out, nil
}

// Announced reports whether the announcement named key (e.g. "phase:survey")
// was made (MarkAnnounced).
func (s *Store) Announced(ctx context.Context, key string) (bool, error) {
	ok, err := s.rdb.SIsMember(ctx, s.k.announced(), key).Result()
	if err != nil {
		return false, fmt.Errorf("announced %s: %w", key, err)
	}
	return ok, nil
}

// MarkAnnounced records that the announcement named key was queued; it is
// kept for good (unlike op ids), so that it is never made twice.
func (s *Store) MarkAnnounced(ctx context.Context, key string) error {
	if err := s.rdb.SAdd(ctx, s.k.announced(), key).Err(); err != nil {
		return fmt.Errorf("mark announced %s: %w", key, err)
	}
	return nil
}

// VotesSince counts the compound's accepted vote commands (audit entries)
// whose time is after since and not after until.
func (s *Store) VotesSince(ctx context.Context, compoundID string, since, until time.Time) (int, error) {
	es, err := s.Audit(ctx, compoundID, "", 0)
	if err != nil {
		return 0, err
	}
	return countBetween(es, func(e AuditEntry) time.Time { return e.At }, since, until), nil
}

// SurveyAnswersSince counts the compound's accepted survey submissions whose
// time is after since and not after until.
func (s *Store) SurveyAnswersSince(ctx context.Context, compoundID string, since, until time.Time) (int, error) {
	es, err := s.SurveyAudit(ctx, compoundID)
	if err != nil {
		return 0, err
	}
	return countBetween(es, func(e SurveyChange) time.Time { return e.At }, since, until), nil
}

// countBetween counts the entries whose time is after since and not after until.
func countBetween[T any](es []T, at func(T) time.Time, since, until time.Time) int {
	n := 0
	for _, e := range es {
		if t := at(e); t.After(since) && !t.After(until) {
			n++
		}
	}
	return n
}
