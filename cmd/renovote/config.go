package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/renovote/renovote/web"
)

// config is everything a command may need. Each field comes from an environment
// variable and can be overridden by a flag of the same meaning.
type config struct {
	Token       string
	APIURL      string
	RedisURL    string
	Admins      []int64
	TZ          *time.Location
	BotUsername string
	LogLevel    slog.Level
	// Outbox: bulk messages per second, and how long a message taken by a
	// sender that died stays pending before another sender takes it over.
	OutboxRate    float64
	OutboxReclaim time.Duration
	// HTTPAddr is host:port of the /healthz and /metrics server; empty: none.
	HTTPAddr string
	// PublicURL is where browsers reach that server; set, it serves the web
	// dashboard and /dashboard gives links to it. DashboardSecret signs them
	// (empty: random per start).
	PublicURL       string
	DashboardSecret string
	// Webhook mode (run; webhook.go): Telegram posts updates to WebhookURL,
	// served on WebhookAddr; empty URL: long polling.
	WebhookURL, WebhookSecret, WebhookAddr  string
	WebhookDeleteOnExit, WebhookDropPending bool

	// DataDir holds the SQLite store when REDIS_URL is empty; Memory (-memory,
	// run only) runs on an in-process store instead, lost on exit.
	DataDir string
	Memory  bool

	// The confirmed mode (store.Options.ConfirmReplicas): a vote is confirmed
	// once this many replicas hold it, waited for at most ConfirmTimeout.
	ConfirmReplicas int
	ConfirmTimeout  time.Duration

	// Replica mode (replicas.go): how many bot processes run for the bot on
	// one Redis (1: this one alone), and the poller's and updates' lease.
	Replicas     int
	ReplicaLease time.Duration

	// Run only: files applied at start (handy with the in-memory store).
	Programme  string
	Register   string
	InvitesOut string
}

// settings describes the configuration for the usage text and the README.
var settings = []struct{ env, flag, def, help string }{
	{"TELEGRAM_TOKEN", "token", "", "bot token from @BotFather (required to run the bot)"},
	{"TELEGRAM_API_URL", "api-url", "https://api.telegram.org", "Bot API server (a fake one in tests)"},
	{"REDIS_URL", "redis-url", "", "redis://host:port/db, redis-sentinel://sentinel:port/db?master_name=NAME&addr=sentinel2:port, or redis-cluster://host:port?addr=host2:port; empty keeps the data in SQLite in RENOVOTE_DATA"},
	{"RENOVOTE_CONFIRM_REPLICAS", "confirm-replicas", "0", "confirm a vote to the resident only once this many Redis replicas hold it (WAIT); 0: once the master has it"},
	{"RENOVOTE_CONFIRM_TIMEOUT", "confirm-timeout", "1s", "how long a vote waits for its replicas; then the resident is told it is pending"},
	{"RENOVOTE_DATA", "data", "renovote-data", "data directory of the SQLite store (without REDIS_URL), held by one process at a time"},
	{"RENOVOTE_ADMINS", "admins", "", "comma-separated Telegram user ids of admins"},
	{"RENOVOTE_TZ", "tz", "Asia/Shanghai", "time zone of programme files that name none"},
	{"BOT_USERNAME", "bot-username", "", "bot username for invitation links (default: from getMe)"},
	{"LOG_LEVEL", "log-level", "info", "debug, info, warn or error"},
	{"RENOVOTE_RATE", "rate", "25", "messages per second to Telegram, all chats together"},
	{"RENOVOTE_OUTBOX_RECLAIM", "outbox-reclaim", "1m", "take over a dead sender's outbox messages after this long"},
	{"RENOVOTE_HTTP_ADDR", "http-addr", "", "host:port serving /healthz and /metrics (e.g. 127.0.0.1:8080); empty serves none"},
	{"RENOVOTE_PUBLIC_URL", "public-url", "", "URL where browsers reach the HTTP server (e.g. https://vote.example.org); set, it serves the staff dashboard"},
	{"RENOVOTE_DASHBOARD_SECRET", "dashboard-secret", "", "secret (16+ characters) signing dashboard links; empty: random, links die with a restart"},
	{"RENOVOTE_WEBHOOK_URL", "webhook-url", "", "public https URL Telegram posts updates to (webhook mode); empty: long polling"},
	{"RENOVOTE_WEBHOOK_ADDR", "webhook-addr", "", "host:port the webhook endpoint listens on, behind the TLS proxy (e.g. :8081)"},
	{"RENOVOTE_WEBHOOK_SECRET", "webhook-secret", "", "secret token Telegram sends with each update, the same on every replica; empty: derived from the bot token"},
	{"RENOVOTE_REPLICAS", "replicas", "1", "bot processes running for this bot on one Redis; 2 or more: one elected poller hands the updates to all, one rate limit for all (needs REDIS_URL)"},
	{"RENOVOTE_REPLICA_LEASE", "replica-lease", "10s", "with RENOVOTE_REPLICAS > 1: a bot process that dies is replaced as the poller, and its updates taken over, within about this long"},
}

var tokenPattern = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{10,}$`)

// parseConfig reads the environment, then the flags in args, and checks every
// setting, returning one error that lists every problem.
func parseConfig(fs *flag.FlagSet, args []string, getenv func(string) string, needToken bool) (config, []string, error) {
	vals := map[string]*string{}
	for _, s := range settings {
		v := getenv(s.env)
		if v == "" {
			v = s.def
		}
		vals[s.env] = fs.String(s.flag, v, s.help+" (env "+s.env+")")
	}
	var c config
	fs.StringVar(&c.Programme, "programme", "", "run: apply this programme file at start")
	fs.StringVar(&c.Register, "register", "", "run: import this register file at start")
	fs.StringVar(&c.InvitesOut, "invites-out", "", "run: write the invitation links CSV here at start")
	fs.BoolVar(&c.WebhookDeleteOnExit, "webhook-delete-on-exit", false, "run: delete the webhook when the bot stops (default: leave it for the other replicas)")
	fs.BoolVar(&c.Memory, "memory", false, "run: keep everything in memory, lost on exit (no REDIS_URL, no data directory)")
	fs.BoolVar(&c.WebhookDropPending, "drop-pending", false, "webhook delete: also drop the updates Telegram holds")
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return c, nil, err
	}
	var problems []string
	c.Token = strings.TrimSpace(*vals["TELEGRAM_TOKEN"])
	switch {
	case c.Token == "" && needToken:
		problems = append(problems, "TELEGRAM_TOKEN (-token) is missing: get one from @BotFather")
	case c.Token != "" && !tokenPattern.MatchString(c.Token):
		problems = append(problems, "TELEGRAM_TOKEN (-token) does not look like a bot token (digits:letters)")
	}
	c.APIURL = strings.TrimRight(strings.TrimSpace(*vals["TELEGRAM_API_URL"]), "/")
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		problems = append(problems, fmt.Sprintf("TELEGRAM_API_URL (-api-url) %q is not an http(s) URL", c.APIURL))
	}
	problems = append(problems, parseRedis(&c, vals)...)
	c.DataDir = strings.TrimSpace(*vals["RENOVOTE_DATA"])
	switch {
	case c.Memory && c.RedisURL != "":
		problems = append(problems, "-memory and REDIS_URL (-redis-url) exclude each other: choose one store")
	case c.RedisURL == "" && !c.Memory && c.DataDir == "":
		problems = append(problems, "RENOVOTE_DATA (-data) is empty: name the data directory, set REDIS_URL, or run with -memory")
	}
	for _, f := range strings.FieldsFunc(*vals["RENOVOTE_ADMINS"], func(r rune) bool { return r == ',' || r == ' ' }) {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			problems = append(problems, fmt.Sprintf("RENOVOTE_ADMINS (-admins): %q is not a Telegram user id", f))
			continue
		}
		c.Admins = append(c.Admins, id)
	}
	loc, err := time.LoadLocation(strings.TrimSpace(*vals["RENOVOTE_TZ"]))
	if err != nil {
		problems = append(problems, fmt.Sprintf("RENOVOTE_TZ (-tz): unknown time zone %q", *vals["RENOVOTE_TZ"]))
	}
	c.TZ = loc
	c.BotUsername = strings.TrimPrefix(strings.TrimSpace(*vals["BOT_USERNAME"]), "@")
	if err := c.LogLevel.UnmarshalText([]byte(*vals["LOG_LEVEL"])); err != nil {
		problems = append(problems, fmt.Sprintf("LOG_LEVEL (-log-level): %q is not debug, info, warn or error", *vals["LOG_LEVEL"]))
	}
	if r, err := strconv.ParseFloat(strings.TrimSpace(*vals["RENOVOTE_RATE"]), 64); err != nil || r <= 0 || r > 1000 {
		problems = append(problems, fmt.Sprintf("RENOVOTE_RATE (-rate): %q is not a rate between 0 and 1000 messages/s", *vals["RENOVOTE_RATE"]))
	} else {
		c.OutboxRate = r
	}
	if d, err := time.ParseDuration(strings.TrimSpace(*vals["RENOVOTE_OUTBOX_RECLAIM"])); err != nil || d < time.Second {
		problems = append(problems, fmt.Sprintf("RENOVOTE_OUTBOX_RECLAIM (-outbox-reclaim): %q is not a duration of at least 1s", *vals["RENOVOTE_OUTBOX_RECLAIM"]))
	} else {
		c.OutboxReclaim = d
	}
	c.HTTPAddr = strings.TrimSpace(*vals["RENOVOTE_HTTP_ADDR"])
	if c.HTTPAddr != "" && !validHostPort(c.HTTPAddr) {
		problems = append(problems, fmt.Sprintf("RENOVOTE_HTTP_ADDR (-http-addr): %q is not host:port with a port from 1 to 65535 (e.g. 127.0.0.1:8080)", c.HTTPAddr))
	}
	problems = append(problems, parseWebhook(&c, vals)...)
	problems = append(problems, parseReplicas(&c, vals)...)
	c.PublicURL = strings.TrimRight(strings.TrimSpace(*vals["RENOVOTE_PUBLIC_URL"]), "/")
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			problems = append(problems, fmt.Sprintf("RENOVOTE_PUBLIC_URL (-public-url): %q is not an http(s) URL (e.g. https://vote.example.org)", c.PublicURL))
		} else if c.HTTPAddr == "" {
			problems = append(problems, "RENOVOTE_PUBLIC_URL (-public-url) needs RENOVOTE_HTTP_ADDR (-http-addr): the dashboard is served there")
		}
	}
	c.DashboardSecret = strings.TrimSpace(*vals["RENOVOTE_DASHBOARD_SECRET"])
	if c.DashboardSecret != "" && len(c.DashboardSecret) < web.MinSecretLen {
		problems = append(problems, fmt.Sprintf("RENOVOTE_DASHBOARD_SECRET (-dashboard-secret): %d characters, at least %d", len(c.DashboardSecret), web.MinSecretLen))
	}
	if len(problems) > 0 {
		return c, nil, fmt.Errorf("configuration has %d problem(s):\n  - %s", len(problems), strings.Join(problems, "\n  - "))
	}
	return c, rest, nil
}

// validHostPort reports whether addr is host:port (the host may be empty:
// every interface) with a numeric port from 1 to 65535.
func validHostPort(addr string) bool {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || strings.ContainsAny(host, " /") {
		return false
	}
	n, err := strconv.ParseUint(port, 10, 16)
	return err == nil && n > 0
}

// parseInterspersed parses flags wherever they stand among the arguments, as
// the usage shows them after the operands ("paper liangmao 1-1-101 agree -by
// 王"); the standard flag package stops at the first operand. Everything after
// "--" is an operand.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var operands []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		left := fs.Args()
		if len(left) == 0 {
			return operands, nil
		}
		if consumed := len(args) - len(left); consumed > 0 && args[consumed-1] == "--" {
			return append(operands, left...), nil
		}
		operands = append(operands, left[0])
		args = left[1:]
	}
}

// redactURL removes the URL, which may hold a password, from an error message
// about it, leaving its redacted form.
func redactURL(msg, raw string) string {
	shown := "(the URL)"
	if u, err := url.Parse(raw); err == nil {
		shown = u.Redacted()
	}
	return strings.ReplaceAll(msg, raw, shown)
}
