package bottest

import (
	"strconv"
	"strings"
	"time"
)

// DefaultToken is the bot token used when WithToken is not given. The part
// before the colon is the bot's user id, as with real tokens.
const DefaultToken = "1234567890:TEST-bottest-token"

// Option configures a Server.
type Option func(*config)

type config struct {
	token        string
	botUsername  string
	botFirstName string
	autoChats    bool
	rate         RateLimits
	now          func() time.Time
	logf         func(format string, args ...any)
	control      bool
	webhooks     *WebhookOptions // nil: webhooks are stored, never called
}

func defaultConfig() config {
	return config{
		token:        DefaultToken,
		botUsername:  "bottest_bot",
		botFirstName: "Test Bot",
		now:          time.Now,
	}
}

// WithToken sets the token the server accepts. Requests under another token
// get 401 Unauthorized. The numeric prefix (before ':') becomes the bot's id.
func WithToken(token string) Option {
	return func(c *config) { c.token = token }
}

// WithBot sets the bot's username (without '@') and first name as returned by
// getMe and used as "from" of the bot's messages.
func WithBot(username, firstName string) Option {
	return func(c *config) {
		c.botUsername = strings.TrimPrefix(username, "@")
		c.botFirstName = firstName
	}
}

// WithAutoChats makes sends to an unknown numeric chat_id create a private
// chat on the fly instead of failing with "Bad Request: chat not found"
// (which is what Telegram answers for a user who never started the bot).
func WithAutoChats() Option {
	return func(c *config) { c.autoChats = true }
}

// WithRateLimits turns on Telegram-like flood limits (off by default).
func WithRateLimits(l RateLimits) Option {
	return func(c *config) { c.rate = l }
}

// WithClock replaces time.Now for message dates, call times and rate limits.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithLogf makes the server log every call (method, status) and HTTP server
// errors through logf, e.g. log.Printf or t.Logf.
func WithLogf(logf func(format string, args ...any)) Option {
	return func(c *config) { c.logf = logf }
}

// WithControlAPI enables the JSON control endpoints under /_bottest/ (see
// control.go) so that a standalone fake can be driven over HTTP.
func WithControlAPI() Option {
	return func(c *config) { c.control = true }
}

// botIDFromToken returns the numeric prefix of a token, or 1.
func botIDFromToken(token string) int64 {
	prefix, _, _ := strings.Cut(token, ":")
	id, err := strconv.ParseInt(prefix, 10, 64)
	if err != nil || id <= 0 {
		return 1
	}
	return id
}
