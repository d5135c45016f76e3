package bot

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/dialogs"
)

// Webhook mode. Telegram posts every update to one HTTPS address, behind which
// any number of bot processes (replicas) may stand behind a load balancer; it
// delivers a chat's updates one after the other and delivers an update again
// until an endpoint answers it with 2xx. So the endpoint answers:
//
//   - 200 only once the update was handled: the Handler returned, the callback
//     query was answered and the replies were sent (a reply Telegram refuses
//     for good, 400 or 403, counts as sent), and the update was marked done in
//     the store;
//   - 200 at once, handling nothing, for an update some process already
//     handled (a redelivery), and for one the bot ignores (not from a private
//     chat, or not a message or a button press);
//   - 503 with Retry-After when it could not be handled now: the store could
//     not be reached, another process is handling the same update, the
//     Handler failed (a store error: dialogs returns one only then), the
//     replies could not be sent, or the process is stopping. Telegram
//     delivers it again; a vote is idempotent by update id, so a repeat
//     changes nothing that counts. The failed attempt's own wording (the
//     busy message, "the vote was NOT recorded") is not sent, as the
//     redelivery will record it: the button press is answered without text.
//   - 500 when the Handler panicked (logged with its stack; the server goes on);
//   - 400 for a body that is not an update, 413 for one over MaxBody, 401
//     without the secret header, 403 with a wrong one, 405 for a method other
//     than POST.
//
// An update that keeps failing (a handler bug, not an outage: a store that
// cannot be reached fails the claim, which counts nothing) would block its
// chat for as long as Telegram insists; after MaxAttempts failed attempts,
// across processes, it is handled a last time and answered 200 whatever
// happens, with the Handler's failure wording sent.
//
// "Handled once" across processes is the store's: Config.Dedupe must also be
// an UpdateClaims. Each delivery claims the update id with a random token and
// a lease (HandleTimeout plus a margin), marks it done after handling, or
// releases it after a failure; a process that dies holding a claim blocks the
// update until the lease ends.

// UpdateClaims is the store's record of the updates handled through the
// webhook (store.Store implements it); see renovote.UpdateClaim.
type UpdateClaims interface {
	// ClaimUpdate claims updateID for this delivery (token) for lease.
	ClaimUpdate(ctx context.Context, updateID int64, token string, lease time.Duration) (renovote.UpdateClaim, error)
	// FinishUpdate marks updateID handled, for good.
	FinishUpdate(ctx context.Context, updateID int64, token string) error
	// ReleaseUpdate gives token's claim up after a failed attempt.
	ReleaseUpdate(ctx context.Context, updateID int64, token string) error
}

// WebhookConfig turns webhook mode on (Config.Webhook). With URL empty the bot
// long-polls, deleting any webhook first (Telegram refuses getUpdates while
// one is set).
type WebhookConfig struct {
	// URL is the public https address Telegram posts updates to, set with
	// setWebhook at start (every replica sets the same). The endpoint serves
	// its path; TLS ends in front of the bot (a load balancer or proxy).
	URL string
	// Secret is setWebhook's secret_token, which Telegram sends back in the
	// X-Telegram-Bot-Api-Secret-Token header: 1 to 256 characters A-Z, a-z,
	// 0-9, _ and -, the same for every replica. Empty: derived from the
	// token (DeriveWebhookSecret), so replicas with one token agree.
	Secret string
	// Addr is the host:port the endpoint listens on (plain HTTP).
	Addr string
	// Listener, when set, is listened on instead of Addr (tests). Run closes it.
	Listener net.Listener
	// MaxConnections is setWebhook's max_connections, 1 to 100 (default 40).
	MaxConnections int
	// DeleteOnExit deletes the webhook when Run returns. By default it stays
	// set: the other replicas still serve it, and Telegram keeps the updates
	// meanwhile (up to 24 hours) for a restarted one.
	DeleteOnExit bool
	// MaxAttempts is how many failed attempts at one update, across
	// processes, are answered non-2xx for Telegram to deliver it again; the
	// last is answered 200 whatever happens (default 5).
	MaxAttempts int
	// MaxBody bounds a request body (default 1 MiB; Telegram's updates are
	// a few kilobytes).
	MaxBody int64
}

// secretHeader carries setWebhook's secret_token in every webhook request.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// webhookRetry is the Retry-After of a failed attempt (advisory: Telegram
// keeps its own pace).
const webhookRetry = 5 * time.Second

// settleTimeout bounds marking an update done or releasing it, after the
// handling, whose context may have run out.
const settleTimeout = 5 * time.Second

// claimMargin is added to HandleTimeout for an update's lease: the callback
// answer and the claim's settling come after the handling.
const claimMargin = answerTimeout + 2*settleTimeout

// allowedUpdates are the update types the bot asks for (polling and webhook).
var allowedUpdates = []string{"message", "callback_query"}

// DeriveWebhookSecret returns the webhook secret the bot uses when none is
// configured: an HMAC of a fixed label under the bot token, 43 characters of
// the allowed alphabet. Every process with the token derives the same; it
// reveals nothing of the token.
func DeriveWebhookSecret(token string) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("renovote webhook secret v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// validSecret reports whether s is a secret_token Telegram accepts.
func validSecret(s string) bool {
	if len(s) < 1 || len(s) > 256 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// prepare checks webhook mode's settings and fills in the defaults; it does
// nothing when URL is empty.
func (w *WebhookConfig) prepare(token string, dedupe Dedupe) error {
	if w.URL == "" {
		return nil
	}
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("bot: webhook URL must be an absolute https URL")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return errors.New("bot: webhook URL must have no query or fragment")
	}
	if w.Secret == "" {
		w.Secret = DeriveWebhookSecret(token)
	}
	if !validSecret(w.Secret) {
		return errors.New("bot: webhook secret must be 1-256 characters A-Z, a-z, 0-9, _ or -")
	}
	if w.Listener == nil && w.Addr == "" {
		return errors.New("bot: webhook mode needs a listen address")
	}
	if _, ok := dedupe.(UpdateClaims); !ok {
		return errors.New("bot: webhook mode needs a Dedupe that is also an UpdateClaims (the store)")
	}
	if w.MaxConnections <= 0 {
		w.MaxConnections = 40
	}
	w.MaxConnections = min(w.MaxConnections, 100)
	if w.MaxAttempts <= 0 {
		w.MaxAttempts = 5
	}
	if w.MaxBody <= 0 {
		w.MaxBody = 1 << 20
	}
	return nil
}

// path is the path the endpoint serves: the URL's.
func (w *WebhookConfig) path() string {
	u, _ := url.Parse(w.URL) // checked by prepare
	if u.Path == "" {
		return "/"
	}
	return u.Path
}

// webhookListen opens the endpoint's listener.
func (b *Bot) webhookListen() (net.Listener, error) {
	if ln := b.cfg.Webhook.Listener; ln != nil {
		return ln, nil
	}
	ln, err := net.Listen("tcp", b.cfg.Webhook.Addr)
	if err != nil {
		return nil, fmt.Errorf("bot: webhook listen: %w", err)
	}
	return ln, nil
}

// setWebhook points Telegram at the endpoint.
func (b *Bot) setWebhook(ctx context.Context) error {
	w := b.cfg.Webhook
	err := b.call(ctx, "setWebhook", func() error {
		_, err := b.api.SetWebhook(ctx, &tg.SetWebhookParams{URL: w.URL, SecretToken: w.Secret,
			MaxConnections: w.MaxConnections, AllowedUpdates: allowedUpdates})
		return err
	})
	if err != nil {
		return fmt.Errorf("bot: setWebhook: %w", redactErr(err, b.cfg.Token))
	}
	return nil
}

// serveWebhook serves the endpoint on ln until ctx is done, then stops taking
// requests and lets those in flight finish until handleCtx ends (the shutdown
// deadline). It returns Serve's error if the server failed, after calling
// fail.
func (b *Bot) serveWebhook(ctx, handleCtx context.Context, ln net.Listener, fail func()) error {
	mux := http.NewServeMux()
	mux.Handle(b.cfg.Webhook.path(), b.webhookHandler(handleCtx))
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(b.log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	b.log.Info("bot serving the webhook", "addr", ln.Addr().String(), "username", b.me.Username)
	var err error
	select {
	case <-ctx.Done():
	case err = <-served:
		b.log.Error("webhook server failed", "err", err)
		fail()
	}
	b.log.Info("webhook server stopping: finishing the requests in flight", "within", b.cfg.HandleTimeout)
	if serr := srv.Shutdown(handleCtx); serr != nil {
		_ = srv.Close() // the deadline passed: cut the connections left
	}
	if err == nil {
		if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
			err = serr
		}
	}
	if err != nil {
		return fmt.Errorf("bot: webhook server: %w", err)
	}
	return nil
}

// deleteWebhookAtExit deletes the webhook when the bot stops, if configured.
func (b *Bot) deleteWebhookAtExit(ctx context.Context) {
	if !b.cfg.Webhook.DeleteOnExit {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), getMeTimeout)
	defer cancel()
	err := b.call(ctx, "deleteWebhook", func() error {
		_, err := b.api.DeleteWebhook(ctx, &tg.DeleteWebhookParams{})
		return err
	})
	if err != nil {
		b.log.Error("webhook not deleted at exit", "err", redactErr(err, b.cfg.Token))
		return
	}
	b.log.Info("webhook deleted at exit")
}

// webhookHandler is the endpoint; the updates are handled under base
// (cancelled at the shutdown deadline).
func (b *Bot) webhookHandler(base context.Context) http.Handler {
	return &webhookHandler{b: b, base: base, secret: sha256.Sum256([]byte(b.cfg.Webhook.Secret))}
}

type webhookHandler struct {
	b      *Bot
	base   context.Context
	secret [sha256.Size]byte
}

func (h *webhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	got := r.Header.Get(secretHeader)
	if got == "" {
		http.Error(w, "no secret token", http.StatusUnauthorized)
		return
	}
	// Digests of equal length, compared in constant time: neither the
	// secret nor its length shows in the timing.
	if sum := sha256.Sum256([]byte(got)); subtle.ConstantTimeCompare(sum[:], h.secret[:]) != 1 {
		h.b.log.Warn("webhook request with a wrong secret token refused", "remote", r.RemoteAddr)
		http.Error(w, "wrong secret token", http.StatusForbidden)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.b.cfg.Webhook.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.b.log.Warn("webhook body too large refused", "limit", tooBig.Limit)
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read the body", http.StatusBadRequest)
		return
	}
	upd, err := decodeSafely(body)
	if err != nil {
		h.b.log.Warn("webhook body is not an update", "bytes", len(body), "err", err)
		http.Error(w, "not an update", http.StatusBadRequest)
		return
	}
	o := h.b.deliverUpdate(r.Context(), h.base, upd)
	if o.retry > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(o.retry.Seconds()))))
	}
	if o.status == http.StatusOK {
		w.WriteHeader(http.StatusOK)
		return
	}
	http.Error(w, http.StatusText(o.status), o.status)
}

// decodeSafely is decodeUpdate that turns a panic of the JSON decoding into
// an error: a body that crashes the decoder is a bad body (400), not one to
// be delivered again (500).
func decodeSafely(body []byte) (upd *models.Update, err error) {
	defer func() {
		if r := recover(); r != nil {
			upd, err = nil, fmt.Errorf("decode update: panic: %v", r)
		}
	}()
	return decodeUpdate(body)
}

// outcome is the answer to one delivery.
type outcome struct {
	status int
	retry  time.Duration // Retry-After, for a 5xx
}

var (
	handledOK = outcome{status: http.StatusOK}
	tryLater  = outcome{status: http.StatusServiceUnavailable, retry: webhookRetry}
	panicked  = outcome{status: http.StatusInternalServerError, retry: webhookRetry}
)

// deliverUpdate handles a delivered update under base in its chat's order
// (the dispatcher's shard) and returns the answer. If ctx ends first (the
// client went away) the handling goes on; the answer is then lost, and a
// redelivery finds the update done.
func (b *Bot) deliverUpdate(ctx, base context.Context, upd *models.Update) outcome {
	chat, ok := chatOf(upd)
	if !ok {
		return handledOK // not a message or a button press: nothing to do
	}
	if _, ok := toInput(upd); !ok {
		return handledOK // not from a private chat: ignored, as when polling
	}
	res := make(chan outcome, 1)
	run := func() {
		o := panicked // if handleDelivery panics outside the handler
		defer func() { res <- o }()
		o = b.handleDelivery(base, upd)
	}
	if err := b.disp.submitFunc(ctx, chat, upd, run); err != nil {
		return outcome{status: http.StatusServiceUnavailable, retry: time.Second}
	}
	select {
	case o := <-res:
		return o
	case <-ctx.Done():
		return tryLater
	}
}

// handleDelivery handles one delivered update under base (cancelled at the
// shutdown deadline), once across processes, and says how to answer it. Every
// callback query is answered (without text when it will come again).
func (b *Bot) handleDelivery(base context.Context, upd *models.Update) (o outcome) {
	in, _ := toInput(upd)
	if base.Err() != nil {
		b.log.Warn("update refused at shutdown: Telegram will deliver it again", "update_id", upd.ID)
		if upd.CallbackQuery != nil {
			b.answer(base, upd.CallbackQuery.ID, "", false)
		}
		return outcome{status: http.StatusServiceUnavailable, retry: time.Second}
	}
	ctx, cancel := context.WithTimeout(base, b.cfg.HandleTimeout)
	defer cancel()
	claims := b.cfg.Dedupe.(UpdateClaims) // checked by New
	token := claimToken()
	c, err := claims.ClaimUpdate(ctx, upd.ID, token, b.cfg.HandleTimeout+claimMargin)
	if err != nil {
		b.log.Error("claim update: Telegram will deliver it again", "update_id", upd.ID, "err", err)
		if upd.CallbackQuery != nil {
			b.answer(ctx, upd.CallbackQuery.ID, "", false) // the redelivery gives the outcome
		}
		return tryLater
	}
	switch c.Status {
	case renovote.UpdateDone:
		b.log.Info("update handled before, skipped", "update_id", upd.ID)
		return handledOK
	case renovote.UpdateBusy:
		b.log.Info("update being handled by another process", "update_id", upd.ID, "for", c.Wait)
		return outcome{status: http.StatusServiceUnavailable, retry: max(c.Wait, time.Second)}
	}
	last := c.Attempt >= b.cfg.Webhook.MaxAttempts
	settle := func(done bool) {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
		defer cancel()
		if done {
			if err := claims.FinishUpdate(sctx, upd.ID, token); err != nil {
				// Handled all the same: a redelivery would find the claim
				// until its lease ends, then replay idempotently.
				b.log.Error("update handled but not marked done", "update_id", upd.ID, "err", err)
			}
			return
		}
		if err := claims.ReleaseUpdate(sctx, upd.ID, token); err != nil {
			b.log.Error("release update (it waits for its lease)", "update_id", upd.ID, "err", err)
		}
	}
	answered := upd.CallbackQuery == nil
	answer := func(text string, alert bool) {
		if !answered {
			answered = true
			b.answer(ctx, upd.CallbackQuery.ID, text, alert)
		}
	}
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		b.log.Error("panic in update handler", "update_id", upd.ID, "attempt", c.Attempt,
			"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		answer("", false)
		if last {
			b.log.Error("update given up after its last attempt", "update_id", upd.ID, "attempts", c.Attempt)
			settle(true)
			o = handledOK
			return
		}
		settle(false)
		o = panicked
	}()

	start := time.Now()
	resp, err := b.cfg.Handler.Handle(ctx, in, b.cfg.Now())
	if err != nil {
		if !last {
			b.log.Error("handle update: Telegram will deliver it again", "update_id", upd.ID, "attempt", c.Attempt, "err", err)
			answer("", false) // the redelivery gives the outcome
			settle(false)
			return tryLater
		}
		b.log.Error("handle update: given up after its last attempt", "update_id", upd.ID, "attempts", c.Attempt, "err", err)
	}
	answer(resp.CallbackText, resp.CallbackAlert)
	if err := b.sendReplies(ctx, in, resp); err != nil && !last {
		b.log.Warn("replies not sent: Telegram will deliver the update again", "update_id", upd.ID, "attempt", c.Attempt, "err", err)
		settle(false)
		return tryLater
	}
	for _, id := range resp.Menus {
		b.refreshMenu(ctx, id)
	}
	settle(true)
	kind := "message"
	if upd.CallbackQuery != nil {
		kind = "callback"
	}
	b.cfg.Metrics.UpdateHandled(kind, time.Since(start))
	return handledOK
}

// sendReplies delivers a response's replies in order, as send does, but stops
// at the first that fails for a reason that may pass (a network or server
// error, 429 after the retries, the time running out) and returns that
// error, so that the update is delivered again and every reply sent then. A
// reply Telegram refuses for good (400, 403: blocked) is logged and skipped.
func (b *Bot) sendReplies(ctx context.Context, in dialogs.Input, resp dialogs.Response) error {
	for _, r := range resp.Replies {
		chat := r.ChatID
		if chat == 0 {
			chat = in.ChatID
		}
		if _, err := b.deliver(ctx, chat, r, true); err != nil {
			if !finalError(err) {
				return err
			}
			b.log.Warn("reply not delivered", "update_id", in.UpdateID, "err", err)
		}
	}
	return nil
}

// finalError reports whether a Bot API error will not pass by trying again.
func finalError(err error) bool {
	var migrate *tg.MigrateError
	return errors.Is(err, tg.ErrorForbidden) || errors.Is(err, tg.ErrorBadRequest) || errors.As(err, &migrate) ||
		errors.Is(err, tg.ErrorUnauthorized) || errors.Is(err, tg.ErrorNotFound)
}

// claimToken returns a random token naming one delivery's claim.
func claimToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
