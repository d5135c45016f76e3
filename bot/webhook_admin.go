package bot

import (
	"context"
	"fmt"
	"net/http"
	"time"

	tg "github.com/go-telegram/bot"
)

// WebhookStatus is what Telegram says of the bot's webhook (getWebhookInfo).
type WebhookStatus struct {
	URL            string    // "" when none is set (the bot long-polls)
	PendingUpdates int       // updates not yet accepted by the endpoint
	MaxConnections int       // 0 when none is set
	AllowedUpdates []string  // nil: Telegram's default
	IPAddress      string    // the address Telegram posts to
	LastError      string    // the last delivery that failed, "" if none
	LastErrorAt    time.Time // zero if none
}

// adminTimeout bounds one call of the webhook commands.
const adminTimeout = 20 * time.Second

// adminAPI is a bare client for the commands that manage the webhook from
// outside a running bot.
func adminAPI(token, serverURL string) (*tg.Bot, error) {
	opts := []tg.Option{tg.WithSkipGetMe(), tg.WithHTTPClient(adminTimeout, &http.Client{Timeout: adminTimeout})}
	if serverURL != "" {
		opts = append(opts, tg.WithServerURL(serverURL))
	}
	api, err := tg.New(token, opts...)
	if err != nil {
		return nil, fmt.Errorf("bot: connect to the Bot API: %w", redactErr(err, token))
	}
	return api, nil
}

// GetWebhookInfo asks the Bot API at serverURL ("" for Telegram's) about the
// bot's webhook.
func GetWebhookInfo(ctx context.Context, token, serverURL string) (WebhookStatus, error) {
	api, err := adminAPI(token, serverURL)
	if err != nil {
		return WebhookStatus{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, adminTimeout)
	defer cancel()
	info, err := api.GetWebhookInfo(ctx)
	if err != nil {
		return WebhookStatus{}, fmt.Errorf("bot: getWebhookInfo: %w", redactErr(err, token))
	}
	st := WebhookStatus{URL: info.URL, PendingUpdates: info.PendingUpdateCount, MaxConnections: info.MaxConnections,
		AllowedUpdates: info.AllowedUpdates, IPAddress: info.IPAddress, LastError: info.LastErrorMessage}
	if info.LastErrorDate > 0 {
		st.LastErrorAt = time.Unix(int64(info.LastErrorDate), 0)
	}
	return st, nil
}

// DeleteWebhook removes the bot's webhook (every replica stops getting
// updates; a bot started in long polling takes them). With dropPending the
// updates Telegram still holds are dropped too.
func DeleteWebhook(ctx context.Context, token, serverURL string, dropPending bool) error {
	api, err := adminAPI(token, serverURL)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, adminTimeout)
	defer cancel()
	if _, err := api.DeleteWebhook(ctx, &tg.DeleteWebhookParams{DropPendingUpdates: dropPending}); err != nil {
		return fmt.Errorf("bot: deleteWebhook: %w", redactErr(err, token))
	}
	return nil
}
