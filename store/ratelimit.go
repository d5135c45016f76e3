package store

import (
	"context"
	_ "embed"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// The rate limit that several bot processes (replicas) share, so that
// together they stay under Telegram's limits: one token bucket for every call
// to the Bot API ({rate}:bucket), a key per chat held for a second after a
// message to it ({rate}:chat:<id>), and the pause after a 429 ({rate}:pause).
// Each send takes its token in one script (rate_take.lua) that checks the
// pause and the chat and takes from the bucket, all keys in the {rate} slot.
//
// Time is Redis's: the scripts read TIME, so the replicas' clocks (which may
// disagree by more than a token's worth of time) play no part; a test may
// pass its own.

var (
	//go:embed scripts/rate_take.lua
	luaRateTake string
	//go:embed scripts/rate_pause.lua
	luaRatePause string

	scriptRateTake  = redis.NewScript(luaRateTake)
	scriptRatePause = redis.NewScript(luaRatePause)
)

// TakeSend takes a token for one call to Telegram from the bucket the
// replicas share (perSec tokens a second, at most burst), leaving reserve
// tokens in it (bulk messages leave one for replies). With waitChat, chat's
// last message must be older than the hold it set; with hold > 0, this call
// holds chat for that long. It returns 0 when the token was taken, else how
// long to wait before asking again (nothing was taken): the pause after a
// 429, the chat's hold, or the time until the bucket has the tokens.
func (s *Store) TakeSend(ctx context.Context, perSec float64, burst, reserve int, chat int64, waitChat bool, hold time.Duration) (time.Duration, error) {
	return s.takeSend(ctx, perSec, burst, reserve, chat, waitChat, hold, "")
}

func (s *Store) takeSend(ctx context.Context, perSec float64, burst, reserve int, chat int64, waitChat bool, hold time.Duration, now string) (time.Duration, error) {
	if perSec <= 0 || math.IsInf(perSec, 0) || math.IsNaN(perSec) || burst < 1 || reserve < 0 || reserve >= burst || hold < 0 {
		return 0, fmt.Errorf("take send: rate %v burst %d reserve %d: %w", perSec, burst, reserve, renovote.ErrInvalid)
	}
	w := "0"
	if waitChat {
		w = "1"
	}
	_, res, err := s.run(ctx, scriptRateTake, []string{s.k.rateBucket(), s.k.ratePause(), s.k.rateChat(chat)},
		strconv.FormatFloat(perSec, 'f', -1, 64), burst, reserve, w, hold.Milliseconds(), now)
	if err != nil {
		return 0, fmt.Errorf("take send: %w", err)
	}
	us, _ := res[0].(int64)
	return time.Duration(us) * time.Microsecond, nil
}

// PauseSends pauses every replica's calls for d from now (Redis's time), as
// a 429's retry_after asks; a longer pause already on is kept.
func (s *Store) PauseSends(ctx context.Context, d time.Duration) error {
	return s.pauseSends(ctx, d, "")
}

func (s *Store) pauseSends(ctx context.Context, d time.Duration, now string) error {
	if d <= 0 {
		return fmt.Errorf("pause sends %v: %w", d, renovote.ErrInvalid)
	}
	if _, _, err := s.run(ctx, scriptRatePause, []string{s.k.ratePause()}, d.Microseconds(), now); err != nil {
		return fmt.Errorf("pause sends: %w", err)
	}
	return nil
}
