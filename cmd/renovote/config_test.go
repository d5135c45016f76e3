package main

import (
	"errors"
	"flag"
	"io"
	"log/slog"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// An operator with a badly filled .env hears of every mistake at once, not one
// per restart.
func TestConfigReportsEveryProblemTogether(t *testing.T) {
	s := &staff{t: t, env: map[string]string{
		"REDIS_URL":       "http://localhost:6379",
		"RENOVOTE_ADMINS": "12,abc",
		"RENOVOTE_TZ":     "Mars/Olympus_Mons",
		"LOG_LEVEL":       "loud",
	}}
	err := s.fails("run") // no TELEGRAM_TOKEN either
	msg := err.Error()
	wantContains(t, "error", msg,
		"5 problem(s)",
		"TELEGRAM_TOKEN (-token) is missing",
		"REDIS_URL (-redis-url)",
		`RENOVOTE_ADMINS (-admins): "abc" is not a Telegram user id`,
		`RENOVOTE_TZ (-tz): unknown time zone "Mars/Olympus_Mons"`,
		`LOG_LEVEL (-log-level): "loud"`)
	if strings.Contains(msg, `"12"`) {
		t.Errorf("the good admin id 12 is reported too:\n%s", msg)
	}

	// A token that is not one is reported as such (and never echoed).
	s.env = map[string]string{"TELEGRAM_TOKEN": "secret-but-wrong"}
	msg = s.fails("run").Error()
	wantContains(t, "error", msg, "1 problem(s)", "TELEGRAM_TOKEN (-token) does not look like a bot token")
	if strings.Contains(msg, "secret-but-wrong") {
		t.Errorf("the token is repeated in the error:\n%s", msg)
	}

	// A bad API URL too.
	s.env = map[string]string{"TELEGRAM_TOKEN": "123:abcdefghijklmnop", "TELEGRAM_API_URL": "ftp://example.org"}
	wantContains(t, "error", s.fails("run").Error(), "TELEGRAM_API_URL (-api-url)")

	// And a bad HTTP address; a good one, or none, is no problem.
	for _, bad := range []string{"8080", "localhost", "127.0.0.1:http", "127.0.0.1:0", ":70000", "a b:80"} {
		s.env = map[string]string{"TELEGRAM_TOKEN": "123:abcdefghijklmnop", "RENOVOTE_HTTP_ADDR": bad}
		wantContains(t, "error", s.fails("run").Error(), "1 problem(s)", "RENOVOTE_HTTP_ADDR (-http-addr)")
	}
	for _, good := range []string{"", "127.0.0.1:8080", ":9090", "[::1]:8080", "localhost:8080"} {
		if _, _, err := parseConfig(flag.NewFlagSet("t", flag.ContinueOnError), nil,
			envOf(map[string]string{"RENOVOTE_HTTP_ADDR": good}), false); err != nil {
			t.Errorf("RENOVOTE_HTTP_ADDR %q refused: %v", good, err)
		}
	}
}

// A REDIS_URL may carry a password: a config error about it must not print it.
func TestConfigBadRedisURLHidesPassword(t *testing.T) {
	for _, u := range []string{
		"redis://:s3cret@redis.internal:port/1",
		"redis://user:s3cret@redis.internal:6379/abc",
		"http://user:s3cret@redis.internal:6379/0",
	} {
		s := &staff{t: t, env: map[string]string{"REDIS_URL": u}}
		msg := s.fails("tally").Error()
		wantContains(t, "error", msg, "REDIS_URL (-redis-url)")
		if strings.Contains(msg, "s3cret") {
			t.Errorf("REDIS_URL %s: the password is in the error:\n%s", u, msg)
		}
	}
}

// Flags override the environment; the environment fills what flags leave.
func TestConfigFlagsOverrideEnv(t *testing.T) {
	env := envOf(map[string]string{
		"TELEGRAM_TOKEN":  "111:env-token-abcdefgh",
		"RENOVOTE_TZ":     "Europe/Berlin",
		"RENOVOTE_ADMINS": "7, 8",
		"LOG_LEVEL":       "debug",
		"BOT_USERNAME":    "@env_bot",
	})
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg, rest, err := parseConfig(fs, []string{"-tz", "Asia/Shanghai", "-token", "222:flag-token-abcdefgh", "-log-level", "warn"}, env, true)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TZ.String() != "Asia/Shanghai" || cfg.Token != "222:flag-token-abcdefgh" || cfg.LogLevel != slog.LevelWarn {
		t.Errorf("flags did not win: tz %s, token %s, level %s", cfg.TZ, cfg.Token, cfg.LogLevel)
	}
	if len(cfg.Admins) != 2 || cfg.Admins[0] != 7 || cfg.Admins[1] != 8 || cfg.BotUsername != "env_bot" {
		t.Errorf("environment not used: admins %v, bot %q", cfg.Admins, cfg.BotUsername)
	}
	if cfg.APIURL != "https://api.telegram.org" || len(rest) != 0 {
		t.Errorf("default API URL %q, rest %q", cfg.APIURL, rest)
	}

	// Through the command: a bad time zone in the environment is no problem
	// when -tz fixes it (the command then stops at -memory, refused to staff commands)...
	s := &staff{t: t, env: map[string]string{"RENOVOTE_TZ": "Mars/Olympus_Mons"}}
	msg := s.fails("tally", "-tz", "Asia/Shanghai", "-memory").Error()
	if strings.Contains(msg, "RENOVOTE_TZ") || !strings.Contains(msg, "-memory is for renovote run only") {
		t.Errorf("-tz did not override RENOVOTE_TZ: %v", msg)
	}
	// ...and a bad -tz is one even when the environment is fine.
	s.env = map[string]string{"RENOVOTE_TZ": "Asia/Shanghai"}
	wantContains(t, "error", s.fails("tally", "-tz", "Nowhere/Else").Error(), `RENOVOTE_TZ (-tz): unknown time zone "Nowhere/Else"`)
	// -redis-url overrides a bad REDIS_URL.
	s = newStaff(t)
	good := s.env["REDIS_URL"]
	s.env["REDIS_URL"] = "http://nope"
	s.ok("worker", "list", "-redis-url", good)
}

// Flags may follow the operands, as the usage shows them.
func TestConfigFlagsAfterOperands(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	by := fs.String("by", "", "")
	_, rest, err := parseConfig(fs, []string{"liangmao", "1-1-101", "agree", "-by", "王芳", "--", "-x"}, envOf(nil), false)
	if err != nil {
		t.Fatal(err)
	}
	if *by != "王芳" || strings.Join(rest, " ") != "liangmao 1-1-101 agree -x" {
		t.Errorf("by %q, rest %q", *by, rest)
	}
}

// Every staff command refuses to work on a store that would vanish (-memory).
func TestStaffCommandsNeedRedis(t *testing.T) {
	s := &staff{t: t, env: map[string]string{"RENOVOTE_DATA": t.TempDir()}}
	for _, args := range [][]string{
		{"programme", "apply", seedProgramme},
		{"register", "import", seedRegister},
		{"invite", "export", "-bot-username", "x_bot"},
		{"invite", "reissue", "liangmao", "1-1-101"},
		{"invite", "revoke", "liangmao", "1-1-101"},
		{"tally"},
		{"paper", "liangmao", "1-1-101", "agree", "-by", "王芳"},
		{"worker", "list"},
		{"worker", "add", "42"},
	} {
		err := s.fails(append(args, "-memory")...)
		if !strings.Contains(err.Error(), "-memory is for renovote run only") {
			t.Errorf("%s: %v", strings.Join(args, " "), err)
		}
	}
	// An unreachable Redis is an error too, not a hang.
	s.env["REDIS_URL"] = "redis://127.0.0.1:1/0"
	wantContains(t, "error", s.fails("tally").Error(), "open store")
}

func TestUsage(t *testing.T) {
	s := &staff{t: t, env: map[string]string{}}
	for _, args := range [][]string{{"frobnicate"}, {"programme", "frobnicate"}, {"worker", "promote", "1"}} {
		_, stderr, err := s.run(args...)
		if err == nil || !strings.Contains(err.Error(), "unknown command") {
			t.Errorf("%q: err %v", args, err)
		}
		wantContains(t, "usage", stderr, "Usage:", "renovote paper COMPOUND HOUSEHOLD", "REDIS_URL")
	}
	// A forgotten dash is not silently ignored.
	if err := s.fails("tally", "json"); !strings.Contains(err.Error(), `tally: unexpected ["json"]`) {
		t.Errorf("tally json: %v", err)
	}
	if err := s.fails("programme"); !strings.Contains(err.Error(), "which action?") {
		t.Errorf("programme alone: %v", err)
	}
	_, stderr, err := s.run("-h")
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr, "Usage:") {
		t.Errorf("-h: err %v, stderr %q", err, stderr)
	}
}
