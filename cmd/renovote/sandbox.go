package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/bot"
	"github.com/renovote/renovote/bot/bottest"
	"github.com/renovote/renovote/dialogs"
	"github.com/renovote/renovote/programme"
	"github.com/renovote/renovote/register"
	"github.com/renovote/renovote/sandbox"
	"github.com/renovote/renovote/scheduler"
	"github.com/renovote/renovote/sqlstore"
	"github.com/renovote/renovote/store"
)

// Defaults of renovote sandbox and renovote faketelegram.
const (
	defaultSandboxDir  = "renovote-sandbox"
	defaultSandboxAddr = "127.0.0.1:8088"
	defaultFakeAddr    = "127.0.0.1:8081"
	sandboxBotUsername = "renovote_sandbox_bot"
	sandboxStoreDir    = "store" // the SQLite store, inside the sandbox directory
)

// sandboxFlags are the flags of renovote sandbox and renovote faketelegram.
type sandboxFlags struct {
	dir   string
	addr  string
	reset bool
	users string
}

func (f *sandboxFlags) declare(fs *flag.FlagSet) {
	fs.StringVar(&f.dir, "dir", defaultSandboxDir, "sandbox: the sandbox directory (its data, until --reset)")
	fs.StringVar(&f.addr, "addr", "", "sandbox: host:port of the page ("+defaultSandboxAddr+"); faketelegram: of the fake Bot API ("+defaultFakeAddr+")")
	fs.BoolVar(&f.reset, "reset", false, "sandbox: start over (removes the sandbox directory first)")
	fs.StringVar(&f.users, "users", "", "faketelegram: users to create, ID:NAME[:LANG],... (e.g. 42:Alice:en,43:王芳:zh)")
}

// sandboxStart is where a new sandbox's clock starts: two hours after the
// first ballot opens (the seed: 2020-05-01 10:00, Asia/Shanghai).
func sandboxStart(p renovote.Programme) time.Time {
	var first time.Time
	for _, c := range p.Compounds {
		if o := c.Ballot.Opens; !o.IsZero() && (first.IsZero() || o.Before(first)) {
			first = o
		}
	}
	if first.IsZero() {
		return time.Now()
	}
	return first.Add(2 * time.Hour)
}

// resetSandboxDir removes a sandbox directory, refusing one that does not
// look like a sandbox's (not empty, and no clock file).
func resetSandboxDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sandbox --reset: %w", err)
	}
	if len(entries) > 0 {
		if _, err := os.Stat(filepath.Join(dir, sandbox.ClockFile)); err != nil {
			return fmt.Errorf("sandbox --reset: %s does not look like a sandbox directory (no %s): not removing it", dir, sandbox.ClockFile)
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("sandbox --reset: %w", err)
	}
	return nil
}

// clearSandboxState removes the sandbox's own files (clock, identities,
// chats) for a store that starts empty (its directory was removed): they
// describe data that is gone.
func clearSandboxState(dir string) error {
	for _, f := range []string{sandbox.ClockFile, sandbox.UsersFile, sandbox.TelegramFile} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("sandbox: %w", err)
		}
	}
	return nil
}

// sandboxCmd runs renovote sandbox: the store with the seed programme and
// its generated register, the fake Telegram, the bot on it, the scheduler on
// the sandbox's clock and the page, until ctx ends. Everything is kept in the
// sandbox directory (the SQLite store in DIR/store, the clock, the
// identities and the chats) until --reset.
func (c *cli) sandboxCmd(ctx context.Context) error {
	dir, addr := c.sb.dir, c.sb.addr
	if addr == "" {
		addr = defaultSandboxAddr
	}
	if !validHostPort(addr) {
		return fmt.Errorf("sandbox -addr %q: want host:port, e.g. %s", addr, defaultSandboxAddr)
	}
	if c.sb.reset {
		if err := resetSandboxDir(dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}

	// The store: SQLite in DIR/store (its expiries and leases on the real
	// clock; every time of the domain is given by the sandbox's clock).
	st, err := sqlstore.Open(ctx, filepath.Join(dir, sandboxStoreDir), sqlstore.Options{})
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	defer st.Close()
	c.st = st
	fresh := false
	if _, err := st.Programme(ctx); errors.Is(err, renovote.ErrNotFound) {
		fresh = true
	} else if err != nil {
		return err
	}
	p := programme.Seed()
	if fresh {
		if err := clearSandboxState(dir); err != nil {
			return err
		}
		if err := seedSandbox(ctx, st, p); err != nil {
			return err
		}
	} else if p, err = st.Programme(ctx); err != nil {
		return err
	}
	loc, err := p.Location()
	if err != nil {
		return err
	}

	clock, err := sandbox.OpenClock(dir, sandboxStart(p))
	if err != nil {
		return err
	}
	c.now = clock.Now
	fake, err := bottest.Start("127.0.0.1:0", bottest.WithClock(clock.Now), bottest.WithBot(sandboxBotUsername, "renovote"))
	if err != nil {
		return fmt.Errorf("sandbox: fake Telegram: %w", err)
	}
	defer fake.Close()

	// The page's address first: the dashboard's links lead there.
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sandbox -addr: %w", err)
	}
	defer ln.Close()
	// The bot's configuration, as renovote run reads it: the sandbox's admin,
	// the dashboard on the page's server (its secret random unless
	// configured: links die with the process).
	c.cfg.Admins = []int64{sandbox.Admin}
	c.cfg.PublicURL = "http://" + ln.Addr().String()
	c.cfg.BotUsername = sandboxBotUsername
	if c.cfg.DashboardSecret == "" {
		c.cfg.DashboardSecret = rand.Text()
	}
	dash, err := c.dashboard(st)
	if err != nil {
		return err
	}
	member := func(ctx context.Context, userID int64) (renovote.StaffMember, bool, error) {
		if userID == sandbox.Admin {
			return renovote.StaffMember{UserID: userID, Role: renovote.RoleAdmin, Compounds: []string{renovote.AllCompounds}}, true, nil
		}
		return st.StaffMember(ctx, userID)
	}

	sch := scheduler.NewWith(scheduler.Config{Location: loc, Logger: c.log, Runs: st, Now: clock.Now})
	if err := sch.AddNotices(st); err != nil {
		return err
	}
	if err := sch.AddCalendar(st, p, scheduler.CalendarOptions{}); err != nil {
		return err
	}
	sb, err := sandbox.New(sandbox.Config{Dir: dir, Fake: fake, Store: st, Clock: clock, Logger: c.log,
		RunDue: func(ctx context.Context, from, to time.Time, marks []time.Time) ([]string, error) {
			ran, err := sch.RunDue(ctx, from, to, marks)
			out := make([]string, len(ran))
			for i, r := range ran {
				out[i] = r.Job + " " + r.Tick.In(loc).Format("01-02 15:04")
			}
			return out, err
		},
		Dashboard: dash.Handler(),
		DashboardLink: func(ctx context.Context, userID int64) (string, error) {
			m, ok, err := member(ctx, userID)
			if err != nil {
				return "", err
			}
			if !ok {
				return "", fmt.Errorf("user %d is not staff: %w", userID, renovote.ErrForbidden)
			}
			link, _, err := dash.Link(m, clock.Now())
			return link, err
		}})
	if err != nil {
		return err
	}
	if err := sb.Setup(ctx); err != nil {
		return err
	}

	// The dialogs as renovote run wires them.
	engine := dialogs.New(dialogs.Config{Store: st, Admins: c.cfg.Admins, BotUsername: c.cfg.BotUsername, Logger: c.log,
		XLSX: register.WriteXLSX,
		Schedule: func(ctx context.Context, now time.Time) ([]dialogs.ScheduleEntry, error) {
			_, es, err := c.scheduleEntries(ctx, now)
			return es, err
		},
		Objections: st, Publicity: publicityDoc(st),
		Report: reportXLSX(st, clock.Now), Charts: reportCharts(st), DashboardLink: dashboardLink(dash)})
	b, err := bot.New(ctx, bot.Config{Token: fake.Token, ServerURL: fake.URL, Handler: engine, Dedupe: st,
		Commands: dialogs.Commands, MenuFor: dialogs.CommandsFor, Outbox: st, Progress: dialogs.NoticeProgress,
		Rate: c.cfg.OutboxRate, OutboxMinIdle: c.cfg.OutboxReclaim, Logger: c.log, Now: clock.Now, PollTimeout: 10 * time.Second})
	if err != nil {
		return err
	}

	srv := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 5 * time.Second}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			c.log.Error("sandbox: http server", "err", err)
		}
	})
	runCtx, stopRun := context.WithCancel(ctx)
	wg.Go(func() { _ = sb.Run(runCtx) })
	fmt.Fprintf(c.out, "renovote sandbox: open http://%s/ in a browser\n", ln.Addr())
	fmt.Fprintf(c.out, "  programme %s, %d compounds; sandbox time %s; data in %s (--reset starts over)\n",
		p.Name, len(p.Compounds), clock.Now().In(loc).Format("2006-01-02 15:04"), dir)
	fmt.Fprintf(c.out, "  fake Telegram Bot API at %s (token %s)\n", fake.URL, fake.Token)

	err = b.Run(ctx)
	// Stop in order: the page (its streams end), the clock's pump (it saves
	// the chats), then the fake and the store (deferred).
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if serr := srv.Shutdown(sctx); serr != nil {
		_ = srv.Close()
	}
	stopRun()
	wg.Wait()
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

// seedSandbox applies the seed programme and imports its generated register.
func seedSandbox(ctx context.Context, st Store, p renovote.Programme) error {
	if err := st.ApplyProgramme(ctx, p); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	byCompound := map[string][]renovote.Household{}
	for _, h := range register.GenerateSeed(p, 2020) {
		byCompound[h.CompoundID] = append(byCompound[h.CompoundID], h)
	}
	for _, cp := range p.Compounds {
		if _, err := st.ImportRegister(ctx, cp.ID, byCompound[cp.ID], store.ImportOptions{Actor: "sandbox", Now: sandboxStart(p)}); err != nil {
			return fmt.Errorf("sandbox: register %s: %w", cp.ID, err)
		}
	}
	return nil
}

// fakeTelegram runs renovote faketelegram: the fake Bot API server alone,
// with its control API, until ctx ends.
func (c *cli) fakeTelegram(ctx context.Context) error {
	addr := c.sb.addr
	if addr == "" {
		addr = defaultFakeAddr
	}
	if !validHostPort(addr) {
		return fmt.Errorf("faketelegram -addr %q: want host:port, e.g. %s", addr, defaultFakeAddr)
	}
	users, err := parseFakeUsers(c.sb.users)
	if err != nil {
		return err
	}
	token := c.cfg.Token
	if token == "" {
		token = bottest.DefaultToken
	}
	username := c.cfg.BotUsername
	if username == "" {
		username = sandboxBotUsername
	}
	opts := []bottest.Option{bottest.WithToken(token), bottest.WithBot(username, "renovote"), bottest.WithControlAPI(),
		bottest.WithWebhookDelivery(bottest.WebhookOptions{})}
	if c.cfg.LogLevel <= -4 { // debug: every call
		opts = append(opts, bottest.WithLogf(func(format string, args ...any) { c.log.Debug(fmt.Sprintf(format, args...)) }))
	}
	fake, err := bottest.Start(addr, opts...)
	if err != nil {
		return fmt.Errorf("faketelegram: %w", err)
	}
	defer fake.Close()
	for _, u := range users {
		fake.AddUser(u)
	}
	fmt.Fprintf(c.out, "fake Telegram Bot API at %s, bot @%s, token %s\n", fake.URL, username, token)
	fmt.Fprintf(c.out, "  the bot:  TELEGRAM_API_URL=%s TELEGRAM_TOKEN=%s renovote run\n", fake.URL, token)
	fmt.Fprintf(c.out, "  a user:   curl -d '{\"text\":\"/start\"}' %s/_bottest/users/42/send\n", fake.URL)
	fmt.Fprintf(c.out, "  the chat: curl %s/_bottest/chats/42/messages\n", fake.URL)
	<-ctx.Done()
	return nil
}

// parseFakeUsers reads ID:NAME[:LANG],...
func parseFakeUsers(s string) ([]bottest.UserProfile, error) {
	var out []bottest.UserProfile
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		parts := strings.SplitN(f, ":", 3)
		id, err := strconv.ParseInt(parts[0], 10, 64)
		if err != nil || id <= 0 || len(parts) < 2 || strings.TrimSpace(parts[1]) == "" {
			return nil, fmt.Errorf("faketelegram -users: %q is not ID:NAME[:LANG] with a positive id", f)
		}
		u := bottest.UserProfile{ID: id, FirstName: strings.TrimSpace(parts[1])}
		if len(parts) == 3 {
			u.LanguageCode = strings.TrimSpace(parts[2])
		}
		out = append(out, u)
	}
	return out, nil
}
