package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/bot"
	"github.com/renovote/renovote/dialogs"
	"github.com/renovote/renovote/metrics"
	"github.com/renovote/renovote/programme"
	"github.com/renovote/renovote/register"
	"github.com/renovote/renovote/scheduler"
)

// run starts the bot: store, optional start-up files, dialogs, Telegram, the
// scheduler. It stops in the reverse order: polling first, then handlers in
// flight, then the scheduler (its running jobs), then the store.
func (c *cli) run(ctx context.Context) error {
	st, _, closeStore, err := c.openStore(ctx) // Redis, SQLite in the data directory, or -memory
	if err != nil {
		return err
	}
	defer closeStore()
	c.st = st
	if c.now == nil {
		c.now = time.Now
	}
	if c.cfg.Programme != "" {
		p, err := programme.LoadIn(c.cfg.Programme, c.cfg.TZ.String())
		if err != nil {
			return err
		}
		if err := st.ApplyProgramme(ctx, p); err != nil {
			return err
		}
		c.log.Info("programme applied", "programme", p.ID, "compounds", len(p.Compounds))
	}
	if c.cfg.Register != "" {
		p, err := st.Programme(ctx)
		if err != nil {
			return fmt.Errorf("-register needs a programme (-programme): %w", err)
		}
		if err := importRegister(ctx, st, p, c.cfg.Register, false, "startup", c.now(), c.errOut); err != nil {
			return err
		}
	}
	// Metrics only with the HTTP server that serves them.
	var m *metrics.Metrics
	var dst dialogs.Store = st
	var botMetrics bot.Metrics
	if c.cfg.HTTPAddr != "" {
		m = metrics.New(st.OutboxQueued)
		dst = votesCounted{Store: st, m: m}
		botMetrics = m
	}
	dash, err := c.dashboard(st)
	if err != nil {
		return err
	}
	engine := dialogs.New(dialogs.Config{Store: dst, Admins: c.cfg.Admins, BotUsername: c.cfg.BotUsername, Logger: c.log, XLSX: register.WriteXLSX,
		Schedule: func(ctx context.Context, now time.Time) ([]dialogs.ScheduleEntry, error) {
			_, es, err := c.scheduleEntries(ctx, now)
			return es, err
		},
		Objections: st, Publicity: publicityDoc(st),
		Report: reportXLSX(st, c.now), Charts: reportCharts(st), DashboardLink: dashboardLink(dash)})
	replicas, err := c.replicaConfig(st)
	if err != nil {
		return err
	}
	b, err := bot.New(ctx, bot.Config{Token: c.cfg.Token, ServerURL: c.cfg.APIURL, Handler: engine, Dedupe: st, Commands: dialogs.Commands, MenuFor: dialogs.CommandsFor,
		Outbox: st, Progress: dialogs.NoticeProgress, Rate: c.cfg.OutboxRate, OutboxMinIdle: c.cfg.OutboxReclaim, Logger: c.log, Now: c.now, Metrics: botMetrics,
		Webhook: c.webhookConfig(), Replicas: replicas})
	if err != nil {
		return err
	}
	if m != nil {
		stop, err := c.serveHTTP(httpHandler(m.Handler(st), dash))
		if err != nil {
			return err
		}
		defer stop() // before the store closes (deferred earlier)
	}
	sch, err := c.startScheduler(ctx, st)
	if err != nil {
		return err
	}
	defer func() { // before the store closes (deferred earlier)
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		sch.Stop(sctx)
	}()
	if c.cfg.BotUsername == "" {
		c.cfg.BotUsername = b.Username()
		engine.SetBotUsername(b.Username())
	}
	if c.cfg.InvitesOut != "" {
		p, err := st.Programme(ctx)
		if err != nil {
			return fmt.Errorf("-invites-out needs a programme: %w", err)
		}
		f, err := os.Create(c.cfg.InvitesOut)
		if err != nil {
			return err
		}
		n, err := exportInvites(ctx, st, p, "", c.cfg.BotUsername, c.now(), f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		c.log.Info("invitations written", "count", n, "file", c.cfg.InvitesOut)
	}
	return b.Run(ctx)
}

// serveHTTP serves h on the configured address until stop, which gives the
// requests in flight up to 5s. It fails at once when the address is taken.
func (c *cli) serveHTTP(h http.Handler) (stop func(), err error) {
	ln, err := net.Listen("tcp", c.cfg.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("RENOVOTE_HTTP_ADDR (-http-addr): %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			c.log.Error("http server", "err", err)
		}
	}()
	c.log.Info("http server listening: /healthz, /metrics", "addr", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			c.log.Warn("http server shutdown", "err", err)
		}
		<-done
	}, nil
}

// votesCounted is the store as the dialogs see it, counting the votes cast
// (not the replays of a command applied before) in renovote_votes_total.
// It embeds the Store so that every optional interface the dialogs
// look for is still there.
type votesCounted struct {
	Store
	m *metrics.Metrics
}

func (v votesCounted) CastVote(ctx context.Context, cmd renovote.VoteCmd) (renovote.Receipt, error) {
	rc, err := v.Store.CastVote(ctx, cmd)
	if err == nil && !rc.Replayed {
		v.m.VoteCast(string(rc.Channel))
	}
	if err == nil && rc.Pending {
		v.m.VotePending(string(rc.Channel))
	}
	return rc, err
}

// startScheduler starts the scheduled jobs in the programme's zone (the
// configured RENOVOTE_TZ when no programme is applied yet), claiming each run
// in the store so that every tick runs once across the bot's processes.
func (c *cli) startScheduler(ctx context.Context, st Store) (*scheduler.Scheduler, error) {
	loc := c.cfg.TZ
	p, perr := st.Programme(ctx)
	if perr == nil {
		if l, err := p.Location(); err == nil {
			loc = l
		}
	}
	if loc == nil {
		loc = time.UTC
	}
	sch := scheduler.NewWith(scheduler.Config{Location: loc, Logger: c.log, Runs: st, Now: c.now})
	if err := sch.AddNotices(st); err != nil {
		return nil, err
	}
	if cp, ok := st.(scheduler.ConsumerPruner); ok { // Redis: its stream groups
		if err := sch.AddConsumers(cp); err != nil {
			return nil, err
		}
	}
	// The calendar (reminders, phase announcements, staff digests) follows
	// the programme's specs; without a programme there is none until restart.
	if perr == nil {
		if err := sch.AddCalendar(st, p, scheduler.CalendarOptions{}); err != nil {
			return nil, err
		}
	}
	sch.Start()
	c.log.Info("scheduler started", "zone", loc.String(), "owner", sch.Owner())
	return sch, nil
}
