package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"golang.org/x/time/rate"

	"github.com/renovote/renovote/dialogs"
)

// Handler turns one input into a response: dialogs.Engine is one.
type Handler interface {
	Handle(ctx context.Context, in dialogs.Input, now time.Time) (dialogs.Response, error)
}

// Dedupe remembers update ids: FirstSeen is true only the first time.
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

	// PollTimeout is the long-polling timeout (default 50s).
	PollTimeout time.Duration
	// Shards is how many chats are handled at once (default 32); one chat is
	// always handled serially.
	Shards int
	// Rate limits outgoing calls per second across all chats (default 25).
	Rate float64
	// HandleTimeout bounds one update's handling (default 30s).
	HandleTimeout time.Duration
	// HTTPClient overrides the HTTP client (tests).
	HTTPClient *http.Client
}

// Bot runs the Telegram side.
type Bot struct {
	cfg     Config
	api     *tg.Bot
	log     *slog.Logger
	limiter *rate.Limiter
	disp    *dispatcher
	me      *models.User
}

// New checks the configuration and connects to the Bot API (getMe).
func New(ctx context.Context, cfg Config) (*Bot, error) {
	if cfg.Handler == nil || cfg.Dedupe == nil {
		return nil, errors.New("bot: Handler and Dedupe are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 50 * time.Second
	}
	if cfg.Shards <= 0 {
		cfg.Shards = 32
	}
	if cfg.Rate <= 0 {
		cfg.Rate = 25
	}
	if cfg.HandleTimeout <= 0 {
		cfg.HandleTimeout = 30 * time.Second
	}
	b := &Bot{cfg: cfg, log: cfg.Logger, limiter: rate.NewLimiter(rate.Limit(cfg.Rate), int(cfg.Rate))}
	b.disp = newDispatcher(cfg.Shards, b.handle, b.log)
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: cfg.PollTimeout + 10*time.Second}
	}
	opts := []tg.Option{
		tg.WithDefaultHandler(b.enqueue),
		tg.WithMiddlewares(recoverMiddleware(b.log)),
		tg.WithHTTPClient(cfg.PollTimeout, client),
		tg.WithErrorsHandler(func(err error) { b.log.Warn("telegram", "err", err) }),
		tg.WithAllowedUpdates(tg.AllowedUpdates{"message", "callback_query"}),
	}
	if cfg.ServerURL != "" {
		opts = append(opts, tg.WithServerURL(cfg.ServerURL))
	}
	api, err := tg.New(cfg.Token, append(opts, tg.WithCheckInitTimeout(10*time.Second))...)
	if err != nil {
		return nil, fmt.Errorf("bot: connect to the Bot API: %w", err)
	}
	b.api = api
	me, err := api.GetMe(ctx)
	if err != nil {
		return nil, fmt.Errorf("bot: getMe: %w", err)
	}
	b.me = me
	return b, nil
}

// Username is the bot's username, from getMe.
func (b *Bot) Username() string { return b.me.Username }

// Run long-polls until ctx is done, then lets the updates already taken finish
// (bounded by HandleTimeout) before it returns.
func (b *Bot) Run(ctx context.Context) error {
	if _, err := b.api.DeleteWebhook(ctx, &tg.DeleteWebhookParams{}); err != nil {
		return fmt.Errorf("bot: deleteWebhook before polling: %w", err)
	}
	b.log.Info("bot polling", "username", b.me.Username)
	var wg sync.WaitGroup
	wg.Go(func() { b.api.Start(ctx) })
	<-ctx.Done()
	wg.Wait()
	b.disp.close()
	b.log.Info("bot stopped")
	return nil
}

// enqueue is the library's handler: it only routes the update to its chat's queue.
func (b *Bot) enqueue(_ context.Context, _ *tg.Bot, upd *models.Update) {
	chat, ok := chatOf(upd)
	if !ok {
		return // not a message or callback from a user: ignored
	}
	b.disp.submit(chat, upd)
}

// handle runs one update, in its chat's order. Every callback query is
// answered, even when the handler fails or panics.
func (b *Bot) handle(upd *models.Update) {
	ctx, cancel := context.WithTimeout(context.Background(), b.cfg.HandleTimeout)
	defer cancel()
	in, ok := toInput(upd)
	if !ok {
		return
	}
	answered := upd.CallbackQuery == nil
	defer func() {
		if !answered {
			b.answer(ctx, upd.CallbackQuery.ID, "", false)
		}
	}()
	first, err := b.cfg.Dedupe.FirstSeen(ctx, upd.ID)
	if err != nil {
		b.log.Error("dedupe update", "update_id", upd.ID, "err", err)
		// Handling it anyway is safe: votes are idempotent by update id.
		first = true
	}
	if !first {
		b.log.Info("update seen before, skipped", "update_id", upd.ID)
		return
	}
	resp, err := b.cfg.Handler.Handle(ctx, in, b.cfg.Now())
	if err != nil {
		b.log.Error("handle update", "update_id", upd.ID, "err", err)
	}
	if !answered {
		answered = true
		b.answer(ctx, upd.CallbackQuery.ID, resp.CallbackText, resp.CallbackAlert)
	}
	b.send(ctx, in, resp)
}
