package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"golang.org/x/time/rate"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/dialogs"
)

// Handler turns one input into a response: dialogs.Engine is one.
type Handler interface {
	Handle(ctx context.Context, in dialogs.Input, now time.Time) (dialogs.Response, error)
}

// Dedupe remembers update ids: FirstSeen is true only the first time. When
// it is also an UpdateLog (the store), long polling alone uses that instead,
// in batches, after handling (poll.go).
type Dedupe interface {
	FirstSeen(ctx context.Context, updateID int64) (bool, error)
}

// Config configures a Bot.
type Config struct {
	Token     string
	ServerURL string // Bot API server; empty means the official one
	Handler   Handler
	Dedupe    Dedupe
	Logger    *slog.Logger
	Now       func() time.Time // default time.Now

	// PollTimeout is the long-polling timeout (default 50s, at least 2s); a
	// poll asks the server to wait PollTimeout-1s, in whole seconds.
	PollTimeout time.Duration
	// Shards is how many chats are handled at once (default 256); one chat
	// is always handled serially. Most of a press's time is spent waiting
	// on the store and Telegram, so many chats at once keep both cores busy.
	Shards int
	// Rate limits outgoing calls per second across all chats (default 25),
	// bulk messages included, with a burst of Rate/20 (at least 2). Replies
	// take their turn ahead of bulk messages (limit.go).
	Rate float64
	// HandleTimeout bounds one update's handling (default 30s), and at
	// shutdown the handling of every update still queued, together.
	HandleTimeout time.Duration
	// Commands gives the command menu for a language code; nil sets none. The
	// menu is set at start for the default language (Chinese) and for "en".
	Commands func(lang string) []dialogs.Command
	// MenuFor gives the menu of a role (dialogs.CommandsFor): staff get theirs
	// with a chat scope when the Handler implements Menus.
	MenuFor func(role renovote.Role, lang string) []dialogs.Command
	// ReplyChatGap spaces new reply messages to one chat (default 1s, Telegram's
	// pace for a chat; a negative value: no spacing, for tests that type faster
	// than people). Edits and callback answers are never spaced.
	ReplyChatGap time.Duration
	// HTTPClient overrides the HTTP client (tests).
	HTTPClient *http.Client
	// Metrics, when set, is told of updates handled, 429s and outbox
	// outcomes (metrics.Metrics); nil records nothing.
	Metrics Metrics

	// Outbox, when set, makes Run deliver the bulk messages (notices,
	// reminders) queued in it; nil sends none. See outbox.go.
	Outbox Outbox
	// Progress, when set, edits a notice's progress message as its messages
	// get their outcomes: about once a second per notice, and when it is done.
	Progress Progress
	// Consumer is this process's name in the outbox (default hostname-pid):
	// it must differ between processes sharing an outbox.
	Consumer string
	// OutboxRate limits bulk messages per second (default Rate). They take
	// from Rate's budget too, after the replies: Rate is never exceeded and a
	// reply waits behind at most one bulk message.
	OutboxRate float64
	// MaxAttempts bounds the attempts at an outbox message that meets network
	// or server errors, counted across processes (default 5); it is then
	// settled as failed. A 429 is not an attempt.
	MaxAttempts int
	// OutboxMinIdle is how long a message taken by a consumer may stay
	// unsettled before another one (or this one) takes it over (default 1 min).
	OutboxMinIdle time.Duration
	// OutboxBackoff is the wait before retrying an outbox message after a
	// network or server error, doubled at each retry up to 30s (default 1s).
	OutboxBackoff time.Duration
	// OutboxWorkers is how many outbox messages are sent at once (default 8),
	// each chat's in order.
	OutboxWorkers int

	// Webhook, with its URL set, makes Run serve a webhook endpoint instead
	// of long polling (webhook.go); Dedupe must then be an UpdateClaims.
	Webhook WebhookConfig
	// Replicas runs the bot as one of several processes on one store: an
	// elected poller when long polling, one rate limit for all (replica.go,
	// limit_shared.go). The zero value: a single process.
	Replicas ReplicaConfig
}

// Bot runs the Telegram side.
type Bot struct {
	cfg  Config
	api  *tg.Bot
	log  *slog.Logger
	disp *dispatcher // set by Run
	poll *poller     // the loop of long polling alone, set by Run (poll.go)
	// The gates of outgoing calls (limit.go) and the chats' last sends.
	pause  pause
	global *bucket
	bulk   *rate.Limiter
	chats  *chatClock

	client  *http.Client // the HTTP client New made, nil if given one
	me      *models.User
	started atomic.Bool

	// httpc is the HTTP client calls go through (the elected poller's too).
	httpc *http.Client
	// sharedWarn paces the log of a shared rate limit out of reach.
	sharedWarn func() bool
}

// minPollTimeout is the shortest PollTimeout: go-telegram asks for
// PollTimeout-1s in whole seconds, and 0 would make it poll without waiting.
const minPollTimeout = 2 * time.Second

// DefaultShards is Config.Shards's default.
const DefaultShards = 256

// getMeTimeout bounds the getMe call of New.
const getMeTimeout = 10 * time.Second

// New checks the configuration and connects to the Bot API (getMe). It starts
// no goroutines: Run does.
func New(ctx context.Context, cfg Config) (*Bot, error) {
	if cfg.Handler == nil || cfg.Dedupe == nil {
		return nil, errors.New("bot: Handler and Dedupe are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.Logger = newRedactLogger(cfg.Logger, cfg.Token)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 50 * time.Second
	}
	cfg.PollTimeout = max(cfg.PollTimeout, minPollTimeout)
	if cfg.Shards <= 0 {
		cfg.Shards = DefaultShards
	}
	if cfg.Rate <= 0 {
		cfg.Rate = 25
	}
	if cfg.ReplyChatGap == 0 {
		cfg.ReplyChatGap = perChatGap
	}
	if cfg.HandleTimeout <= 0 {
		cfg.HandleTimeout = 30 * time.Second
	}
	if cfg.OutboxRate <= 0 {
		cfg.OutboxRate = cfg.Rate
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.OutboxMinIdle <= 0 {
		cfg.OutboxMinIdle = time.Minute
	}
	if cfg.OutboxBackoff <= 0 {
		cfg.OutboxBackoff = time.Second
	}
	if cfg.OutboxWorkers <= 0 {
		cfg.OutboxWorkers = 8
	}
	if cfg.Metrics == nil {
		cfg.Metrics = noMetrics{}
	}
	if err := cfg.Webhook.prepare(cfg.Token, cfg.Dedupe); err != nil {
		return nil, err
	}
	cfg.Replicas.prepare()
	if cfg.Consumer == "" {
		host, _ := os.Hostname()
		cfg.Consumer = fmt.Sprintf("%s-%d", cmp.Or(host, "bot"), os.Getpid())
	}
	b := &Bot{
		cfg: cfg, log: cfg.Logger,
		global: newBucket(cfg.Rate, globalBurst(cfg.Rate)),
		bulk:   rate.NewLimiter(rate.Limit(cfg.OutboxRate), 1),
		chats:  newChatClock(),

		sharedWarn: every(time.Minute),
	}
	if cfg.Replicas.Limit != nil {
		// The shared bucket keeps Rate for all replicas; this one is the
		// replica's share, for when the store cannot be reached.
		share := cfg.Rate / float64(cfg.Replicas.Count)
		b.global = newBucket(share, globalBurst(share))
	}
	client := cfg.HTTPClient
	if client == nil {
		// Our own transport, so that Run can close its connections, with
		// enough idle connections for every shard and the long poll.
		tr := &http.Transport{Proxy: http.ProxyFromEnvironment}
		if def, ok := http.DefaultTransport.(*http.Transport); ok {
			tr = def.Clone()
		}
		tr.MaxIdleConnsPerHost = cfg.Shards + 1
		// The default total (100) would close and dial connections again
		// when more shards than that call at once.
		tr.MaxIdleConns = max(tr.MaxIdleConns, tr.MaxIdleConnsPerHost)
		client = &http.Client{Timeout: cfg.PollTimeout + 10*time.Second, Transport: tr}
		b.client = client
	}
	b.httpc = client
	// The library makes every call but getUpdates: the bot polls itself
	// (poll.go, replica.go), so that an update is confirmed only once
	// handled.
	opts := []tg.Option{
		tg.WithHTTPClient(cfg.PollTimeout, client),
		tg.WithErrorsHandler(func(err error) { b.log.Warn("telegram", "err", err) }),
		tg.WithSkipGetMe(), // done below, under ctx
	}
	if cfg.ServerURL != "" {
		opts = append(opts, tg.WithServerURL(cfg.ServerURL))
	}
	api, err := tg.New(cfg.Token, opts...)
	if err != nil {
		return nil, fmt.Errorf("bot: connect to the Bot API: %w", redactErr(err, cfg.Token))
	}
	b.api = api
	gctx, cancel := context.WithTimeout(ctx, getMeTimeout)
	defer cancel()
	me, err := api.GetMe(gctx)
	if err != nil {
		return nil, fmt.Errorf("bot: getMe: %w", redactErr(err, cfg.Token))
	}
	b.me = me
	return b, nil
}

// Username is the bot's username, from getMe.
func (b *Bot) Username() string { return b.me.Username }

// Run long-polls until ctx is done, then lets the updates already taken finish
// before it returns: they have HandleTimeout in all from the end of ctx, and
// the ones still queued then are dropped (logged; their button presses are
// answered). It confirms an update to Telegram only once it was handled (and
// marked done, when Dedupe is an UpdateLog), or journaled (when Dedupe is
// also an UpdateJournal): the updates dropped, or taken by a process that was
// killed, come again at the next start, from the journal or from Telegram
// (poll.go). Run can be called once.
//
// With Config.Webhook.URL set, Run instead listens, sets the webhook and
// serves it until ctx is done (after handling what a lone poller before left
// in the update journal, when Dedupe keeps one: see replayJournal); it then
// stops taking requests and lets those in flight finish within
// HandleTimeout (webhook.go). The webhook stays set unless
// Webhook.DeleteOnExit.
//
// With Config.Replicas.Store set (and no webhook), Run instead (after the
// same replay of the journal) takes part in the replicas' election of a
// poller, polls while elected, and handles the updates the poller hands
// over, until ctx is done; it then gives the lease up and finishes the
// updates it started, as above (replica.go).
//
// With Config.Outbox set, Run also delivers the outbox's messages (see
// outbox.go) until ctx is done; it then stops claiming, leaves the messages
// not sent yet unsettled (another claim takes them over later), finishes and
// settles the sends already on the wire (within the same HandleTimeout), makes
// the last progress edits, and only then returns.
func (b *Bot) Run(ctx context.Context) error {
	if !b.started.CompareAndSwap(false, true) {
		return errors.New("bot: Run called more than once")
	}
	if b.client != nil {
		defer b.client.CloseIdleConnections()
	}
	ctx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	var hook net.Listener
	if b.cfg.Webhook.URL != "" {
		ln, err := b.webhookListen()
		if err != nil {
			return err
		}
		if err := b.setWebhook(ctx); err != nil {
			ln.Close()
			return err
		}
		hook = ln
		defer b.deleteWebhookAtExit(ctx)
	} else {
		err := b.call(ctx, "deleteWebhook", func() error {
			_, err := b.api.DeleteWebhook(ctx, &tg.DeleteWebhookParams{})
			return err
		})
		if err != nil {
			return fmt.Errorf("bot: deleteWebhook before polling: %w", redactErr(err, b.cfg.Token))
		}
	}
	b.setCommands(ctx)
	// Handling outlives ctx, until the shutdown deadline.
	handleCtx, stopHandling := context.WithCancel(context.WithoutCancel(ctx))
	defer stopHandling()
	b.disp = newDispatcher(b.cfg.Shards, b.log)
	var out *sender
	if b.cfg.Outbox != nil {
		// It stops taking messages when ctx ends; a send on the wire then
		// is finished and settled under handleCtx.
		out = b.startSender(ctx, handleCtx)
	}
	replayed := true
	if hook != nil || b.cfg.Replicas.Store != nil {
		// A lone poller before (killed, or stopped with updates left) may
		// have left updates in the journal, confirmed to Telegram: they are
		// handled first, as it would have at its next start.
		replayed = b.replayJournal(ctx, handleCtx)
	}
	var runErr error
	if !replayed { // ctx ended while the journal could not be read
		if hook != nil {
			hook.Close()
		}
	} else if hook != nil {
		// It returns once ctx is done and the requests in flight (whose
		// updates are in the shards) are answered, within HandleTimeout.
		stopAt := context.AfterFunc(ctx, func() { time.AfterFunc(b.cfg.HandleTimeout, stopHandling) })
		defer stopAt()
		runErr = b.serveWebhook(ctx, handleCtx, hook, cancelRun)
	} else if b.cfg.Replicas.Store != nil {
		// Every replica reads the updates the elected poller hands over;
		// it returns once ctx is done and the updates it started are in
		// the shards.
		b.runReplica(ctx, handleCtx)
	} else {
		b.poll = newPoller(b, handleCtx)
		b.log.Info("bot polling", "username", b.me.Username, "update_log", b.poll.ulog != nil)
		// It returns once ctx is done; every update taken is in a shard's
		// queue by then.
		b.poll.run(ctx)
	}
	b.log.Info("bot stopping: finishing the updates taken", "within", b.cfg.HandleTimeout)
	deadline := time.AfterFunc(b.cfg.HandleTimeout, stopHandling)
	defer deadline.Stop()
	b.disp.close()
	if b.poll != nil {
		b.poll.close() // the done marks of the updates just handled
	}
	if out != nil {
		out.wait()
	}
	b.log.Info("bot stopped")
	return runErr
}

// handle runs one update taken by the poll loop, in its chat's order, under
// base (cancelled at the shutdown deadline); with firstSeen it asks Dedupe
// first and skips an update seen before. Every callback query is answered,
// even when the handler fails, panics or runs out of time. It returns false
// when the update was dropped at shutdown, with no time left to handle it.
func (b *Bot) handle(base context.Context, upd *models.Update, firstSeen bool) bool {
	if base.Err() != nil {
		b.log.Error("update dropped at shutdown: no time left to handle it", "update_id", upd.ID)
		if upd.CallbackQuery != nil {
			b.answer(base, upd.CallbackQuery.ID, "", false)
		}
		return false
	}
	ctx, cancel := context.WithTimeout(base, b.cfg.HandleTimeout)
	defer cancel()
	if firstSeen {
		first, err := b.cfg.Dedupe.FirstSeen(ctx, upd.ID)
		if err != nil {
			b.log.Error("dedupe update", "update_id", upd.ID, "err", err)
			// Handling it anyway is safe: votes are idempotent by update id.
			first = true
		}
		if !first {
			b.log.Info("update seen before, skipped", "update_id", upd.ID)
			if upd.CallbackQuery != nil {
				b.answer(ctx, upd.CallbackQuery.ID, "", false)
			}
			return true
		}
	}
	b.process(ctx, upd)
	return true
}
