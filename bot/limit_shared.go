package bot

import (
	"context"
	"math/rand/v2"
	"time"
)

// The rate limit shared by replicas (ReplicaConfig.Limit). Telegram's limits
// are per bot, not per process: two replicas each keeping 25 messages a
// second would together send 50. With a shared limit, the global bucket
// (gate 3 in limit.go) is one token bucket in the store for every replica:
// Config.Rate is the rate of all of them together, with the same burst
// (Rate/20, at least 2). A call takes its token in one store round trip,
// which also:
//
//   - waits out the pause after a 429 that any replica met (Bot.do shares
//     it: PauseSends with the retry_after);
//   - keeps a chat's pace across replicas: a new message to a chat (a bulk
//     message, or a new reply message) waits until the chat's last message
//     from any replica is a second old, and every call to a chat holds it
//     for a second;
//   - keeps replies ahead of bulk messages: a bulk message takes a token only
//     while the bucket holds two, leaving the last one to replies.
//
// The bucket runs on the store's clock (Redis's TIME, read in the script):
// the replicas' own clocks, which may disagree by more than a token's time,
// play no part. When the store cannot be reached, each replica falls back to
// a bucket of its own at Rate/Count, so that together they still stay under
// the limit, and says so in the log (once a minute).

// SharedLimit is the rate limit the replicas share (store.Store is one).
type SharedLimit interface {
	// TakeSend takes a token from the shared bucket (perSec a second, at
	// most burst), leaving reserve tokens in it. With waitChat, chat's last
	// message must be older than the hold it set; with hold > 0 this call
	// holds chat that long. It returns 0 when taken, else how long to wait
	// before asking again (nothing taken).
	TakeSend(ctx context.Context, perSec float64, burst, reserve int, chat int64, waitChat bool, hold time.Duration) (time.Duration, error)
	// PauseSends pauses every replica's calls for d (a 429's retry_after).
	PauseSends(ctx context.Context, d time.Duration) error
}

// sharedTimeout bounds one round trip to the shared limit.
const sharedTimeout = 2 * time.Second

// sendTo names the chat a call goes to, for the shared limit's chat pace:
// chat 0 for calls to no chat (callback answers, commands); wait for a new
// message, which keeps the chat's pace (an edit only holds the chat).
type sendTo struct {
	chat int64
	wait bool
}

// take takes a token for one call: from the shared bucket when there is one
// (and it answers), else from this process's bucket.
func (b *Bot) take(ctx context.Context, bulk bool, to sendTo) error {
	sl := b.cfg.Replicas.Limit
	if sl == nil {
		return b.global.wait(ctx, bulk)
	}
	reserve := 0
	if bulk {
		reserve = 1
	}
	var hold time.Duration
	if to.chat != 0 {
		hold = perChatGap
	}
	burst := globalBurst(b.cfg.Rate)
	for {
		tctx, cancel := context.WithTimeout(ctx, sharedTimeout)
		w, err := sl.TakeSend(tctx, b.cfg.Rate, burst, reserve, to.chat, to.wait, hold)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if b.sharedWarn() {
				b.log.Error("shared rate limit not reachable: this replica keeps its share by itself",
					"rate", b.cfg.Rate/float64(b.cfg.Replicas.Count), "err", err)
			}
			return b.global.wait(ctx, bulk)
		}
		if w <= 0 {
			return nil
		}
		// A little later than asked, each at its own time: the replicas'
		// workers waiting for the same token do not all ask at once.
		if err := sleep(ctx, w+rand.N(w/4+time.Millisecond)); err != nil {
			return err
		}
	}
}

// sharePause tells the other replicas of a 429's pause.
func (b *Bot) sharePause(d time.Duration) {
	sl := b.cfg.Replicas.Limit
	if sl == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
	defer cancel()
	if err := sl.PauseSends(ctx, d); err != nil {
		b.log.Warn("429 pause not shared with the other replicas", "err", err)
	}
}
