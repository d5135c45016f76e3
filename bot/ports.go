package bot

import (
	"context"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/dialogs"
)

// Outbox is the durable queue of bulk messages (notices, reminders) that the
// bot delivers. store.Store implements it on a Redis stream with a consumer
// group: several bot processes share it, and the messages a dead one took are
// taken over by the others.
type Outbox interface {
	// ClaimOutbox returns up to n messages for consumer: first those pending
	// longer than minIdle (taken from a dead or stuck consumer), then new ones,
	// waiting up to block for new ones when there are none.
	ClaimOutbox(ctx context.Context, consumer string, n int, minIdle, block time.Duration) ([]renovote.OutMsg, error)
	// SettleOutbox records a message's outcome once (a second call for the same
	// message changes nothing), acknowledges it, marks the chat unreachable on
	// renovote.Unreachable, keeps it in the dead-letter list on renovote.Failed,
	// and returns its notice with the counts so far.
	SettleOutbox(ctx context.Context, m renovote.OutMsg, d renovote.Delivery, detail string, at time.Time) (renovote.Notice, error)
}

// Progress turns a notice's counts into the edit of its progress message in
// the sender's chat (dialogs.NoticeProgress); false when it has none.
type Progress func(n renovote.Notice) (dialogs.Reply, bool)

// Tracker is implemented by a Handler that wants to know which message a
// Reply with Track set became (dialogs.Engine does).
type Tracker interface {
	// Sent may return replies to send at once (e.g. a final progress edit).
	Sent(ctx context.Context, track string, chatID int64, messageID int) ([]dialogs.Reply, error)
}

// Metrics receives the bot's events (metrics.Metrics is one); Config.Metrics
// nil records nothing. Its methods must be safe for concurrent use and quick.
type Metrics interface {
	// UpdateHandled: an update ("message" or "callback") went through the
	// Handler and its replies were sent, in d.
	UpdateHandled(kind string, d time.Duration)
	// TooManyRequests: the Bot API answered a call with 429.
	TooManyRequests()
	// OutboxSettled: an outbox message was settled as outcome (a
	// renovote.Delivery: delivered, unreachable or failed).
	OutboxSettled(outcome string)
}

// noMetrics records nothing.
type noMetrics struct{}

func (noMetrics) UpdateHandled(string, time.Duration) {}
func (noMetrics) TooManyRequests()                    {}
func (noMetrics) OutboxSettled(string)                {}
