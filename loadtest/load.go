package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/bot"
	"github.com/renovote/renovote/bot/bottest"
	"github.com/renovote/renovote/dialogs"
	"github.com/renovote/renovote/programme"
	"github.com/renovote/renovote/register"
	"github.com/renovote/renovote/store"
)

// Store is what a run needs of the store it is given, empty: the full bot's
// (the conversations, the update de-duplication, the outbox), the seeding
// and the final check. *store.Store is one.
type Store interface {
	dialogs.Store
	bot.Dedupe
	bot.UpdateLog // the poll loop's look-ups and done marks, in batches
	bot.Outbox
	ApplyProgramme(ctx context.Context, p renovote.Programme) error
	ImportRegister(ctx context.Context, compoundID string, hhs []renovote.Household, opts store.ImportOptions) (store.RegisterDiff, error)
	EnsureInvites(ctx context.Context, compoundID string, now time.Time) ([]renovote.Invite, error)
	Recount(ctx context.Context, compoundID string) (renovote.Tally, error)
	AuditLen(ctx context.Context, compoundID string) (int64, error)
	Votes(ctx context.Context, compoundID string) (map[string]renovote.HouseholdVote, error)
}

// Config configures a run. Zero values take the defaults.
type Config struct {
	// Store is the full bot's store. It must be empty (a fresh key prefix,
	// or a server of its own): the run applies the seed programme to it.
	Store Store
	// Backend names the store in the report ("redis", "miniredis", ...).
	Backend string

	// Residents is how many residents press at once (default 200), each
	// bound to a household of its own; at most the seed's households whose
	// ballot is open at Start (808).
	Residents int
	// Duration is how long each bot is measured per round (default 10s),
	// unless Presses is set.
	Duration time.Duration
	// Presses, when > 0, is how many presses each bot gets per round
	// instead of a duration.
	Presses int
	// Rounds is how many times each bot is measured (default 1), in turns:
	// full then bare, then bare then full, and so on, so that a change in
	// the machine's load falls on both. The figures add the rounds up.
	Rounds int

	// Rate is the bots' limit of outgoing calls per second, both bots the
	// same (default 1e6, no limit in effect; production uses 25/s, which
	// would make this a test of the limiter).
	Rate float64
	// Shards is how many chats each bot handles at once (bot.Config.Shards,
	// default the bot's, bot.DefaultShards).
	Shards int

	// Start is the bots' clock when the run starts; it runs at real speed
	// from there. Default 2020-05-10 10:00 in Asia/Shanghai, inside the
	// seed's ballot and survey windows.
	Start time.Time
	// ServerCPU, when set, reads the CPU time the store's server has used
	// so far (Redis.CPU for StartRedis's): the figures then show it per
	// press.
	ServerCPU func() time.Duration
	// Logger gets the bots' log (default: discarded).
	Logger *slog.Logger
	// Progress, when set, gets a line per step and per measured phase.
	Progress io.Writer
}

// Defaults of Config.
const (
	DefaultResidents = 200
	DefaultDuration  = 10 * time.Second
	DefaultRate      = 1e6
)

// The bots measured.
const (
	Full = "full"
	Bare = "bare"
)

// pressTimeout bounds the wait for one press's answer and edit.
const pressTimeout = 30 * time.Second

// firstResidentID is the Telegram user id of the first resident.
const firstResidentID = 700_000_000

func (c *Config) defaults() error {
	if c.Store == nil {
		return errors.New("loadtest: no store")
	}
	if c.Residents == 0 {
		c.Residents = DefaultResidents
	}
	if c.Residents < 1 {
		return fmt.Errorf("loadtest: %d residents: %w", c.Residents, renovote.ErrInvalid)
	}
	if c.Duration <= 0 && c.Presses <= 0 {
		c.Duration = DefaultDuration
	}
	if c.Rounds <= 0 {
		c.Rounds = 1
	}
	if c.Rate <= 0 {
		c.Rate = DefaultRate
	}
	if c.Start.IsZero() {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			return fmt.Errorf("loadtest: time zone: %w", err)
		}
		c.Start = time.Date(2020, 5, 10, 10, 0, 0, 0, loc)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
	return nil
}

// run is one load run.
type run struct {
	cfg       Config
	st        Store
	srv       *bottest.Server
	now       func() time.Time
	residents []*resident
	byChat    map[int64]*resident // read-only once the server is up
	obs       observer
}

// Run seeds the store, starts the fake Telegram and measures the full bot
// and the bare bot, Config.Rounds times each, then checks the store. It
// returns the figures, and an error when the run could not be made; a
// failed check is in Result.Check, not an error.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.defaults(); err != nil {
		return Result{}, err
	}
	r := &run{cfg: cfg, st: cfg.Store, byChat: map[int64]*resident{}}
	t0 := time.Now()
	r.now = func() time.Time { return cfg.Start.Add(time.Since(t0)) }
	res := Result{Residents: cfg.Residents, Rounds: cfg.Rounds, Backend: cfg.Backend, Rate: cfg.Rate,
		Shards: cfg.Shards, GOMAXPROCS: runtime.GOMAXPROCS(0), LoadBefore: LoadAverage()}
	if cfg.Duration > 0 && cfg.Presses <= 0 {
		res.PhaseSeconds = cfg.Duration.Seconds()
	}
	res.PhasePresses = cfg.Presses

	r.progress("seeding the store: the seed programme and its generated register")
	compounds, err := r.seed(ctx)
	if err != nil {
		return res, err
	}
	srv, err := bottest.Start("127.0.0.1:0", bottest.WithBot("renovote_load_bot", "renovote"))
	if err != nil {
		return res, fmt.Errorf("loadtest: fake telegram: %w", err)
	}
	defer srv.Close()
	r.srv = srv
	r.obs.init()
	for i, h := range compounds {
		u := srv.AddUser(bottest.UserProfile{ID: int64(firstResidentID + i), FirstName: "居民", LanguageCode: "zh-hans"})
		rs := &resident{u: u, ref: h.ref, code: h.code, events: make(chan event, 8)}
		r.residents = append(r.residents, rs)
		r.byChat[u.ID] = rs
	}
	srv.Intercept(r.observe)

	acc := map[string]*phaseSamples{Full: {}, Bare: {}}
	for round := 1; round <= cfg.Rounds; round++ {
		order := []string{Full, Bare}
		if round%2 == 0 {
			order = []string{Bare, Full}
		}
		for _, kind := range order {
			ph, err := r.measure(ctx, kind, round)
			if err != nil {
				return res, err
			}
			acc[kind].add(ph)
		}
	}
	res.Full = acc[Full].figures(Full)
	res.Bare = acc[Bare].figures(Bare)
	if res.Bare.PerSecond > 0 {
		res.Ratio = res.Full.PerSecond / res.Bare.PerSecond
	}
	res.Check, err = r.check(ctx)
	if err != nil {
		return res, err
	}
	res.LoadAfter = LoadAverage()
	return res, nil
}

func (r *run) progress(format string, args ...any) {
	fmt.Fprintf(r.cfg.Progress, "load: "+format+"\n", args...)
}

// household is a resident's household and its invitation code.
type household struct {
	ref  renovote.HouseholdRef
	code string
}

// seed applies the seed programme and its register, and picks one
// household per resident among the compounds whose ballot is open at the
// start, taking the compounds in turn.
func (r *run) seed(ctx context.Context) ([]household, error) {
	st, now := r.st, r.now()
	if _, err := st.Programme(ctx); err == nil {
		return nil, errors.New("loadtest: the store already holds a programme: give an empty one")
	} else if !errors.Is(err, renovote.ErrNotFound) {
		return nil, fmt.Errorf("loadtest: read programme: %w", err)
	}
	p := programme.Seed()
	if err := st.ApplyProgramme(ctx, p); err != nil {
		return nil, fmt.Errorf("loadtest: apply the seed programme: %w", err)
	}
	byCompound := map[string][]renovote.Household{}
	for _, h := range register.GenerateSeed(p, 2020) {
		byCompound[h.CompoundID] = append(byCompound[h.CompoundID], h)
	}
	var lists [][]household
	total := 0
	for _, c := range p.Compounds {
		if _, err := st.ImportRegister(ctx, c.ID, byCompound[c.ID], store.ImportOptions{Actor: "load", Now: now}); err != nil {
			return nil, fmt.Errorf("loadtest: import the register of %s: %w", c.ID, err)
		}
		if c.Ballot.State(now) != renovote.Open {
			continue
		}
		inv, err := st.EnsureInvites(ctx, c.ID, now)
		if err != nil {
			return nil, fmt.Errorf("loadtest: invitations of %s: %w", c.ID, err)
		}
		codes := map[string]string{}
		for _, i := range inv {
			codes[i.Ref.HouseholdID] = i.Code
		}
		var list []household
		for _, h := range byCompound[c.ID] {
			list = append(list, household{ref: h.Ref(), code: codes[h.ID]})
		}
		lists = append(lists, list)
		total += len(list)
	}
	if r.cfg.Residents > total {
		return nil, fmt.Errorf("loadtest: %d residents, but the seed has %d households whose ballot is open at %s: %w",
			r.cfg.Residents, total, now.Format(time.DateTime), renovote.ErrInvalid)
	}
	var out []household
	for i := 0; len(out) < r.cfg.Residents; i++ {
		for _, l := range lists {
			if i < len(l) && len(out) < r.cfg.Residents {
				out = append(out, l[i])
			}
		}
	}
	return out, nil
}

// botConfig is the configuration both bots share; only the handler, the
// de-duplication and the outbox differ.
func (r *run) botConfig(h bot.Handler, d bot.Dedupe) bot.Config {
	return bot.Config{Token: r.srv.Token, ServerURL: r.srv.URL, Handler: h, Dedupe: d,
		Logger: r.cfg.Logger, Now: r.now, PollTimeout: 10 * time.Second,
		Rate: r.cfg.Rate, Shards: r.cfg.Shards,
		ReplyChatGap: -1, // new messages only at the set-up; edits and answers are never spaced
	}
}

// startBot starts one of the bots on the fake server and returns it once it
// polls, with the func that stops it.
func (r *run) startBot(ctx context.Context, kind string) (stop func() error, err error) {
	var cfg bot.Config
	switch kind {
	case Full:
		engine := dialogs.New(dialogs.Config{Store: r.st, BotUsername: r.srv.BotUsername(), Logger: r.cfg.Logger, XLSX: register.WriteXLSX})
		cfg = r.botConfig(engine, r.st)
		cfg.Commands, cfg.MenuFor = dialogs.Commands, dialogs.CommandsFor
		cfg.Outbox, cfg.Progress = r.st, dialogs.NoticeProgress
	case Bare:
		cfg = r.botConfig(&bareHandler{}, forgetful{})
	}
	b, err := bot.New(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("loadtest: start the %s bot: %w", kind, err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	pprof.Do(runCtx, pprof.Labels("role", "bot"), func(ctx context.Context) {
		go func() { done <- b.Run(ctx) }()
	})
	stop = func() error {
		cancel()
		return <-done
	}
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := r.srv.WaitLongPoll(wctx); err != nil {
		_ = stop()
		return nil, fmt.Errorf("loadtest: the %s bot does not poll: %w", kind, err)
	}
	return stop, nil
}

// measure runs one phase: the bot up, the residents' messages ready, a
// warm-up press each, then the measured presses.
func (r *run) measure(ctx context.Context, kind string, round int) (ph *phaseSamples, err error) {
	pprof.Do(ctx, pprof.Labels("bot", kind), func(ctx context.Context) {
		ph, err = r.measureLabelled(ctx, kind, round)
	})
	return ph, err
}

func (r *run) measureLabelled(ctx context.Context, kind string, round int) (*phaseSamples, error) {
	stop, err := r.startBot(ctx, kind)
	if err != nil {
		return nil, err
	}
	stopped := false
	defer func() {
		if !stopped {
			_ = stop()
		}
	}()
	if err := r.prepare(ctx, kind); err != nil {
		return nil, err
	}
	// One press each before the clock starts: connections, scripts and
	// caches warm, for both bots alike.
	if err := r.eachResident(ctx, 0, func(ctx context.Context, rs *resident) error {
		_, err := r.press(ctx, rs, kind)
		return err
	}); err != nil {
		return nil, fmt.Errorf("loadtest: %s bot, warm-up: %w", kind, err)
	}
	runtime.GC()
	mark := r.srv.Seq()
	ph, err := r.pressing(ctx, kind)
	if err != nil {
		return nil, fmt.Errorf("loadtest: %s bot, round %d: %w", kind, round, err)
	}
	ph.failedCalls = r.failedCalls(mark)
	if err := r.drain(ctx); err != nil {
		return nil, fmt.Errorf("loadtest: %s bot: %w", kind, err)
	}
	stopped = true
	if err := stop(); err != nil {
		return nil, fmt.Errorf("loadtest: %s bot stopped: %w", kind, err)
	}
	r.srv.ResetCalls() // the record of the calls grows with the presses
	f := ph.figures(kind)
	r.progress("round %d, %s bot: %d presses in %.1fs, %.0f/s, press → answer and edit p50 %s p90 %s p99 %s max %s; CPU a press %.0fµs here (GC %.0fµs; %.0f B in %.0f allocations), %.0fµs in the store's server, %.0fµs in the whole machine; load average %s",
		round, kind, f.Presses, f.Seconds, f.PerSecond, ms(f.Latency.P50), ms(f.Latency.P90), ms(f.Latency.P99), ms(f.Latency.Max), f.CPUPerPress, f.GCCPUPerPress, f.AllocBytesPerPress, f.AllocsPerPress, f.ServerCPUPerPress, f.MachineCPUPerPress, LoadAverage())
	return ph, nil
}

// pressing is the measured part of a phase: every resident presses, one
// press at a time, until the duration has passed or the presses are made.
func (r *run) pressing(ctx context.Context, kind string) (*phaseSamples, error) {
	var mu sync.Mutex
	ph := &phaseSamples{}
	var left atomic.Int64 // presses still to make, with Presses set
	left.Store(int64(r.cfg.Presses))
	start, cpu, server, rt, machine := time.Now(), processCPU(), r.serverCPU(), readRuntime(), machineCPU()
	deadline := start.Add(r.cfg.Duration)
	err := r.eachResident(ctx, len(r.residents), func(ctx context.Context, rs *resident) error {
		var mine phaseSamples
		defer func() {
			mu.Lock()
			ph.add(&mine)
			mu.Unlock()
		}()
		for {
			if r.cfg.Presses > 0 {
				if left.Add(-1) < 0 {
					return nil
				}
			} else if !time.Now().Before(deadline) {
				return nil
			}
			s, err := r.press(ctx, rs, kind)
			if err != nil {
				return err
			}
			mine.record(s)
		}
	})
	ph.seconds = time.Since(start).Seconds()
	ph.cpu = processCPU() - cpu
	ph.serverCPU = r.serverCPU() - server
	ph.runtime = readRuntime().since(rt)
	ph.machineCPU = machineCPU() - machine
	return ph, err
}

func (r *run) serverCPU() time.Duration {
	if r.cfg.ServerCPU == nil {
		return 0
	}
	return r.cfg.ServerCPU()
}

// eachResident runs f for every resident, at most n at once (0: 16).
func (r *run) eachResident(ctx context.Context, n int, f func(context.Context, *resident) error) error {
	if n <= 0 {
		n = 16
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	pprof.Do(ctx, pprof.Labels("role", "resident"), func(ctx context.Context) {
		for _, rs := range r.residents {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				break
			}
			wg.Go(func() {
				defer func() { <-sem }()
				if err := f(ctx, rs); err != nil {
					cancel(fmt.Errorf("resident %d: %w", rs.u.ID, err))
				}
			})
		}
	})
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

// drain waits until the bot has confirmed every update (its next poll moved
// the offset past them), so the next bot is not handed this one's.
func (r *run) drain(ctx context.Context) error {
	deadline := time.Now().Add(10 * time.Second)
	for r.srv.PendingUpdates() > 0 {
		if time.Now().After(deadline) {
			return fmt.Errorf("%d updates still pending at the end of the phase", r.srv.PendingUpdates())
		}
		select {
		case <-time.After(5 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// failedCalls counts the answers and edits since mark that the fake
// refused.
func (r *run) failedCalls(mark int64) int {
	n := 0
	for _, m := range []string{"answerCallbackQuery", "editMessageText"} {
		for _, c := range r.srv.CallsTo(m) {
			if c.Seq > mark && !c.OK() {
				n++
			}
		}
	}
	return n
}
