package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

const usage = `renovote: the consent ballot of old-compound renovation, on Telegram.

Usage:
  renovote [run] [flags]                       run the bot (long polling, or a webhook with -webhook-url)
  renovote programme apply FILE                apply a programme file (idempotent)
  renovote register import FILE [-remove-missing]
                                               import the household register (CSV or XLSX)
  renovote invite export [-out FILE] [-compound ID]
                                               write invitation links as CSV for printing
  renovote invite reissue COMPOUND HOUSEHOLD   revoke a household's code and issue a new one
  renovote invite revoke COMPOUND HOUSEHOLD    revoke a household's code
  renovote tally [-json]                       every compound's tally against its rule
  renovote survey results [-json] [-compound ID]
                                               the survey: items ranked, contribution, response
  renovote report [-xlsx FILE] [-csv DIR] [-charts DIR] [-json] [-personal] [-compound ID] [-detail]
                                               the housing bureau's tables: summary, buildings,
                                               survey, households (names and phones with -personal;
                                               buildings and households only up to 50,000 households
                                               unless -detail); -charts writes consent.png,
                                               survey.png and response.png
  renovote report -publicity COMPOUND [-html FILE] [-pdf FILE]
                                               the public notice (公示) of a compound's ballot, A4 HTML
                                               (to standard output without -html); -pdf needs chromium
  renovote objections [-compound ID] [-open] [-json]
                                               the objections (异议) filed in the publicity windows
  renovote paper COMPOUND HOUSEHOLD agree|disagree -by NAME [-channel paper|proxy] [-evidence REF]
                                               record a paper or proxy ballot
  renovote worker add|remove|list [USER_ID]    name community workers
  renovote schedule                            the scheduled jobs: next run, last run and outcome
  renovote migrate -from sqlite:DIR|redis://... -to sqlite:DIR|redis://...
                                               copy every piece of data into an empty store (bot stopped)
  renovote webhook info [-json] | delete [-drop-pending]
                                               the bot's webhook as Telegram sees it; delete it
  renovote sandbox [-dir DIR] [-addr HOST:PORT] [--reset]
                                               try it without Telegram: the bot on a fake Telegram,
                                               a chat page in the browser, a clock to move forward
  renovote faketelegram [-addr HOST:PORT] [-token T] [-users ID:NAME[:LANG],...]
                                               the fake Telegram Bot API server alone, for tests
  renovote load [-residents N] [-duration D | -presses N] [-rounds N] [-redis-aof [-redis-config "NAME VALUE ..."]] [-json] [-cpuprofile FILE]
                                               N residents vote through a fake Telegram: the bot's
                                               throughput and latency against a bare bot's

HOUSEHOLD is building-unit-room, e.g. 3-2-301. Settings (environment, or flag):
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := dispatch(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0) // the usage was asked for and printed
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "renovote:", err)
		os.Exit(2)
	}
}

// nowFunc is the clock of the commands; tests set it to a time in a ballot window.
var nowFunc = time.Now

// dispatch runs one command line. It is main without the process, for tests.
func dispatch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "run"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	sub := ""
	switch cmd {
	case "programme", "program", "register", "invite", "worker", "survey", "webhook":
		if len(args) == 0 {
			return fmt.Errorf("%s: which action? see renovote -h", cmd)
		}
		sub, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("renovote "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		for _, s := range settings {
			fmt.Fprintf(stderr, "  %-18s -%-14s %s\n", s.env, s.flag, s.help)
		}
	}
	env := &cli{out: stdout, errOut: stderr, now: nowFunc}
	env.declareFlags(fs)
	cfg, rest, err := parseConfig(fs, args, getenv, cmd == "run" || cmd == "webhook")
	if err != nil {
		return err
	}
	env.cfg = cfg
	env.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	switch cmd + " " + sub {
	case "run ", "tally ", "objections ", "schedule ", "report ", "sandbox ", "faketelegram ", "migrate ", "load ":
		if len(rest) > 0 {
			return fmt.Errorf("%s: unexpected %q (flags start with -)", cmd, rest)
		}
	}
	switch cmd + " " + sub {
	case "run ":
		return env.run(ctx)
	case "programme apply", "program apply":
		return env.withStore(ctx, func(c *cli) error { return c.programmeApply(ctx, rest) })
	case "register import":
		return env.withStore(ctx, func(c *cli) error { return c.registerImport(ctx, rest) })
	case "invite export":
		return env.withStore(ctx, func(c *cli) error { return c.inviteExport(ctx, rest) })
	case "invite reissue", "invite revoke":
		return env.withStore(ctx, func(c *cli) error { return c.inviteChange(ctx, sub, rest) })
	case "tally ":
		return env.withStore(ctx, func(c *cli) error { return c.tally(ctx) })
	case "report ":
		return env.withStore(ctx, func(c *cli) error { return c.reportCmd(ctx) })
	case "objections ":
		return env.withStore(ctx, func(c *cli) error { return c.objections(ctx) })
	case "schedule ":
		return env.withStore(ctx, func(c *cli) error { return c.schedule(ctx) })
	case "survey results":
		if len(rest) > 0 {
			return fmt.Errorf("survey results: unexpected %q (flags start with -)", rest)
		}
		return env.withStore(ctx, func(c *cli) error { return c.surveyResults(ctx) })
	case "paper ":
		return env.withStore(ctx, func(c *cli) error { return c.paper(ctx, rest) })
	case "sandbox ":
		return env.sandboxCmd(ctx)
	case "faketelegram ":
		return env.fakeTelegram(ctx)
	case "webhook info", "webhook delete":
		return env.webhookCmd(ctx, sub, rest)
	case "migrate ":
		return env.migrate(ctx)
	case "load ":
		return env.loadCmd(ctx)
	case "worker add", "worker remove", "worker list":
		return env.withStore(ctx, func(c *cli) error { return c.worker(ctx, sub, rest) })
	}
	fs.Usage()
	return fmt.Errorf("unknown command %q", strings.TrimSpace(cmd+" "+sub))
}
