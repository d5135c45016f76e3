package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/bot/bottest"
)

// TelegramFile keeps the fake Telegram's chats across restarts.
const TelegramFile = "telegram.json"

// Store is what the sandbox reads and writes of the bot's store (store.Store
// and sqlstore.Store satisfy it).
type Store interface {
	Programme(ctx context.Context) (renovote.Programme, error)
	Households(ctx context.Context, compoundID string) ([]renovote.Household, error)
	EnsureInvites(ctx context.Context, compoundID string, now time.Time) ([]renovote.Invite, error)
	Binding(ctx context.Context, userID int64) (renovote.HouseholdRef, bool, error)
	Members(ctx context.Context, ref renovote.HouseholdRef) ([]int64, error)
	StaffMember(ctx context.Context, userID int64) (renovote.StaffMember, bool, error)
	SetStaff(ctx context.Context, m renovote.StaffMember) error
	DueNotices(ctx context.Context, at time.Time, n int) ([]renovote.Notice, error)
}

// Config configures a Sandbox.
type Config struct {
	// Dir is the sandbox directory (clock.json, users.json, telegram.json;
	// the command keeps the store there too).
	Dir string
	// Fake is the fake Telegram the bot talks to.
	Fake  *bottest.Server
	Store Store
	Clock *Clock
	// RunDue runs the scheduled jobs' ticks in (from, to] (scheduler.RunDue,
	// with the minute checks at marks) and describes the runs.
	RunDue func(ctx context.Context, from, to time.Time, marks []time.Time) ([]string, error)
	// DashboardLink, when set, makes a signed link to the bureau's dashboard
	// for a member of staff; Dashboard, when set, is served under /dashboard/.
	DashboardLink func(ctx context.Context, userID int64) (string, error)
	Dashboard     http.Handler
	Logger        *slog.Logger
	// Tick is how often the clock is checked for due jobs and the chats are
	// saved (1 s).
	Tick time.Duration
}

// Sandbox serves the chat page and keeps time for the bot.
type Sandbox struct {
	cfg    Config
	fake   *bottest.Server
	st     Store
	clock  *Clock
	people *people
	log    *slog.Logger

	runMu sync.Mutex // one catch-up at a time

	saveMu   sync.Mutex
	lastSave []byte
}

// New opens the sandbox directory's identities and restores the fake's chats
// from it. Call it before the bot starts polling: it also moves the fake's
// update ids past any the bot may remember from an earlier run.
func New(cfg Config) (*Sandbox, error) {
	if cfg.Fake == nil || cfg.Store == nil || cfg.Clock == nil || cfg.Dir == "" {
		return nil, fmt.Errorf("sandbox: Dir, Fake, Store and Clock are required: %w", renovote.ErrInvalid)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Tick <= 0 {
		cfg.Tick = time.Second
	}
	ppl, err := openPeople(cfg.Dir)
	if err != nil {
		return nil, err
	}
	s := &Sandbox{cfg: cfg, fake: cfg.Fake, st: cfg.Store, clock: cfg.Clock, people: ppl, log: cfg.Logger}
	data, err := os.ReadFile(filepath.Join(cfg.Dir, TelegramFile))
	switch {
	case err == nil:
		if err := s.fake.Restore(data); err != nil {
			return nil, fmt.Errorf("sandbox: %s: %w", TelegramFile, err)
		}
		s.lastSave = data
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	// The bot skips update ids it has seen (for a day): ids continue from the
	// real time in milliseconds, above any id an earlier run handed out.
	s.fake.SetNextUpdateID(time.Now().UnixMilli() - 1_700_000_000_000)
	return s, nil
}

// Setup names the sandbox's staff in the store (the bureau and a worker per
// compound) unless they are there already, and makes them users of the fake
// Telegram who have started the bot (so that digests reach them before the
// page opens their chats).
func (s *Sandbox) Setup(ctx context.Context) error {
	p, err := s.st.Programme(ctx)
	if err != nil {
		return fmt.Errorf("sandbox setup: %w", err)
	}
	for _, id := range Staff(p) {
		if _, known := s.fake.UserOf(id.UserID); !known {
			s.fake.AddUser(bottest.UserProfile{ID: id.UserID, FirstName: id.Name(p, "zh"), LanguageCode: "zh"})
		}
		m, ok := id.StaffMember()
		if !ok {
			continue
		}
		if _, there, err := s.st.StaffMember(ctx, id.UserID); err != nil {
			return fmt.Errorf("sandbox setup: %w", err)
		} else if there {
			continue
		}
		m.Added = s.clock.Now()
		if err := s.st.SetStaff(ctx, m); err != nil {
			return fmt.Errorf("sandbox setup: %w", err)
		}
	}
	return nil
}

// Run keeps time until ctx ends: every Tick it runs the scheduled jobs the
// clock has passed and saves the fake's chats when they changed (once more
// at the end).
func (s *Sandbox) Run(ctx context.Context) error {
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return s.SaveTelegram()
		case <-t.C:
		}
		if _, err := s.CatchUp(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("sandbox: scheduled jobs", "err", err)
		}
		if err := s.SaveTelegram(); err != nil {
			s.log.Error("sandbox: saving the chats", "err", err)
		}
	}
}

// CatchUp runs the scheduled jobs whose ticks the clock has passed since the
// last catch-up, and describes the runs.
func (s *Sandbox) CatchUp(ctx context.Context) ([]string, error) {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	from, to := s.clock.Through(), s.clock.Now()
	if !to.After(from) || s.cfg.RunDue == nil {
		return nil, nil
	}
	p, err := s.st.Programme(ctx)
	if err != nil {
		return nil, fmt.Errorf("catch up: %w", err)
	}
	due, err := s.st.DueNotices(ctx, to, 0)
	if err != nil {
		return nil, fmt.Errorf("catch up: %w", err)
	}
	ran, err := s.cfg.RunDue(ctx, from, to, Marks(p, due))
	// Through moves on even when a job failed: it was marked failed, as
	// cron would have, and is not run again for the same tick.
	// The file is written when something ran or a minute began, not at
	// every tick of the pump.
	save := len(ran) > 0 || !to.Truncate(time.Minute).Equal(from.Truncate(time.Minute))
	if serr := s.clock.SetThrough(to, save); serr != nil && err == nil {
		err = serr
	}
	if len(ran) > 0 {
		s.log.Info("sandbox: scheduled jobs run", "from", from, "to", to, "runs", len(ran))
	}
	return ran, err
}

// Jump moves the clock forward to t and runs the jobs it passed.
func (s *Sandbox) Jump(ctx context.Context, t time.Time) ([]string, error) {
	if err := s.clock.Jump(t); err != nil {
		return nil, err
	}
	return s.CatchUp(ctx)
}

// SaveTelegram writes the fake's chats to the sandbox directory when they
// changed since the last save.
func (s *Sandbox) SaveTelegram() error {
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	data, err := s.fake.Snapshot()
	if err != nil {
		return err
	}
	if bytes.Equal(data, s.lastSave) {
		return nil
	}
	if err := writeFileAtomic(filepath.Join(s.cfg.Dir, TelegramFile), data); err != nil {
		return err
	}
	s.lastSave = data
	return nil
}

// Chat is a chat the page opened.
type Chat struct {
	UserID int64         `json:"user_id"`
	Name   string        `json:"name"`
	Role   renovote.Role `json:"role"`
	// Bound: a member whose binding is done. Invited: the sandbox just
	// opened the household's invitation link for the member (/start CODE).
	Bound     bool `json:"bound"`
	Invited   bool `json:"invited,omitempty"`
	Dashboard bool `json:"dashboard,omitempty"`
}

// Open makes the identity a Telegram user of the fake (named in lang) and,
// for a household member not bound yet, opens the household's invitation
// link as that user, as a resident does by scanning the printed code: the bot
// then asks to confirm the address.
func (s *Sandbox) Open(ctx context.Context, id Identity, lang string) (Chat, error) {
	p, err := s.st.Programme(ctx)
	if err != nil {
		return Chat{}, fmt.Errorf("open chat: %w", err)
	}
	name := id.Name(p, lang)
	u := s.fake.AddUser(bottest.UserProfile{ID: id.UserID, FirstName: name, LanguageCode: lang})
	c := Chat{UserID: id.UserID, Name: name, Role: id.Role}
	if id.Role != renovote.RoleResident {
		c.Bound, c.Dashboard = true, s.cfg.DashboardLink != nil
		return c, nil
	}
	ref, bound, err := s.st.Binding(ctx, id.UserID)
	if err != nil {
		return Chat{}, fmt.Errorf("open chat: %w", err)
	}
	if bound {
		c.Bound = ref == renovote.HouseholdRef{CompoundID: id.Compound, HouseholdID: id.Household}
		return c, nil
	}
	code, err := s.inviteCode(ctx, id.Compound, id.Household)
	if err != nil {
		return Chat{}, fmt.Errorf("open chat: %w", err)
	}
	u.Send("/start " + code)
	c.Invited = true
	return c, nil
}

func (s *Sandbox) inviteCode(ctx context.Context, compound, household string) (string, error) {
	invs, err := s.st.EnsureInvites(ctx, compound, s.clock.Now())
	if err != nil {
		return "", err
	}
	for _, inv := range invs {
		if inv.Ref.HouseholdID == household && !inv.Revoked {
			return inv.Code, nil
		}
	}
	return "", fmt.Errorf("household %s/%s has no invitation (revoked, or not on the register): %w", compound, household, renovote.ErrNotFound)
}

// identity finds who a user id of the page is: a member allocated before or
// a member of staff.
func (s *Sandbox) identity(ctx context.Context, userID int64) (Identity, renovote.Programme, bool, error) {
	p, err := s.st.Programme(ctx)
	if err != nil {
		return Identity{}, p, false, err
	}
	if m, ok := s.people.byID(userID); ok {
		return m, p, true, nil
	}
	for _, id := range Staff(p) {
		if id.UserID == userID {
			return id, p, true, nil
		}
	}
	return Identity{}, p, false, nil
}
