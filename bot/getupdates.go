package bot

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// getUpdates, for the bot's own poll loops: the lone poller's (poll.go) and
// the elected poller's (replica.go). The go-telegram client polls only
// inside its own Start, which confirms an update's offset before the update
// is handled and hands it to a handler; the lone poller confirms an update
// only once it was handled, and the elected one keeps the offset in the
// store and hands the updates' bytes on as Telegram sent them, so both make
// the call themselves.

// defaultServerURL is the official Bot API server.
const defaultServerURL = "https://api.telegram.org"

// pollLimit is getUpdates' limit: Telegram's most.
const pollLimit = 100

// pollError is a Bot API answer with ok=false.
type pollError struct {
	Code        int
	Description string
	RetryAfter  int // seconds, for a 429
}

func (e *pollError) Error() string {
	return fmt.Sprintf("bot api: %d %s", e.Code, e.Description)
}

// getUpdates asks for the updates from offset on, waiting up to the poll
// timeout (PollTimeout-1s, whole seconds, as the library asks) for some, and
// returns each update's JSON as sent. Errors never carry the token.
func (b *Bot) getUpdates(ctx context.Context, offset int64) ([]json.RawMessage, error) {
	body, err := json.Marshal(map[string]any{
		"offset": offset, "limit": pollLimit, "timeout": int((b.cfg.PollTimeout - time.Second).Seconds()),
		"allowed_updates": allowedUpdates,
	})
	if err != nil {
		return nil, err
	}
	url := strings.TrimRight(cmp.Or(b.cfg.ServerURL, defaultServerURL), "/") + "/bot" + b.cfg.Token + "/getUpdates"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", redactErr(err, b.cfg.Token))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.httpc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", redactErr(err, b.cfg.Token))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("getUpdates: read: %w", redactErr(err, b.cfg.Token))
	}
	var r struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		ErrorCode   int               `json:"error_code"`
		Description string            `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("getUpdates: HTTP %d, not a Bot API answer: %w", resp.StatusCode, err)
	}
	if !r.OK {
		return nil, fmt.Errorf("getUpdates: %w", &pollError{Code: cmp.Or(r.ErrorCode, resp.StatusCode),
			Description: r.Description, RetryAfter: r.Parameters.RetryAfter})
	}
	return r.Result, nil
}
