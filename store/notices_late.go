package store

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

var (
	//go:embed scripts/notice_late.lua
	luaNoticeLate string

	scriptNoticeLate = redis.NewScript(luaNoticeLate)
)

// MarkNoticeLate records that a scheduled notice is being queued late, at at:
// its time passed while no scheduler ran (see scheduler.LateAfter). It reports
// whether it marked it: a notice no longer scheduled (queued or cancelled
// meanwhile) is left alone. renovote.ErrNotFound for an unknown notice.
func (s *Store) MarkNoticeLate(ctx context.Context, id string, at time.Time) (bool, error) {
	wrap := func(err error) error { return fmt.Errorf("mark notice late %s: %w", id, err) }
	if !validNoticeID(id) {
		return false, wrap(renovote.ErrNotFound)
	}
	_, res, err := s.run(ctx, scriptNoticeLate, []string{s.k.notice(id).state}, fmtTime(nowOr(at)))
	if err != nil {
		return false, wrap(err)
	}
	n, _ := res[0].(int64)
	return n == 1, nil
}

// NoticeLate reports whether a notice was marked late, and when it was queued
// then (zero when not late). An unknown notice is not late.
func (s *Store) NoticeLate(ctx context.Context, id string) (bool, time.Time, error) {
	if !validNoticeID(id) {
		return false, time.Time{}, fmt.Errorf("notice late %s: %w", id, renovote.ErrNotFound)
	}
	v, err := s.rdb.HMGet(ctx, s.k.notice(id).state, "late", "late_at").Result()
	if err != nil {
		return false, time.Time{}, fmt.Errorf("notice late %s: %w", id, err)
	}
	late, _ := v[0].(string)
	at, _ := v[1].(string)
	if late != "1" {
		return false, time.Time{}, nil
	}
	return true, parseTime(at), nil
}
