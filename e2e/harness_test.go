package e2e

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/bot"
	"github.com/renovote/renovote/bot/bottest"
	"github.com/renovote/renovote/dialogs"
	"github.com/renovote/renovote/programme"
	"github.com/renovote/renovote/register"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

// adminID is the Telegram user id configured as admin.
const adminID = 9000

// clock is the bot's time, moved by the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }
func shanghai(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// world is a running bot on the seed programme with its generated register.
type world struct {
	t     testing.TB
	ctx   context.Context
	st    *store.Store
	srv   *bottest.Server
	clock *clock
	p     renovote.Programme
	hhs   map[string][]renovote.Household // by compound
}

func newWorld(t testing.TB) *world { return newWorldWith(t, nil) }

// newWorldWith is newWorld with the bot's configuration adjusted by mod.
func newWorldWith(t testing.TB, mod func(*bot.Config)) *world {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	st := storetest.New(t)
	p := programme.Seed()
	w := &world{t: t, ctx: ctx, st: st, p: p, hhs: map[string][]renovote.Household{},
		clock: &clock{t: time.Date(2020, 5, 10, 10, 0, 0, 0, shanghai(t))}}
	if err := st.ApplyProgramme(ctx, p); err != nil {
		t.Fatal(err)
	}
	for _, h := range register.GenerateSeed(p, 2020) {
		w.hhs[h.CompoundID] = append(w.hhs[h.CompoundID], h)
	}
	for id, list := range w.hhs {
		if _, err := st.ImportRegister(ctx, id, list, store.ImportOptions{Actor: "test", Now: w.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	w.srv = bottest.NewServer(t)
	var logTo io.Writer = io.Discard
	if os.Getenv("E2E_LOG") != "" {
		logTo = os.Stderr // E2E_LOG=1 go test ./e2e shows the bot's log
	}
	log := slog.New(slog.NewTextHandler(logTo, nil))
	engine := dialogs.New(dialogs.Config{Store: st, Admins: []int64{adminID}, BotUsername: w.srv.BotUsername(), Logger: log, XLSX: register.WriteXLSX})
	cfg := bot.Config{Token: w.srv.Token, ServerURL: w.srv.URL, Handler: engine, Dedupe: st, Commands: dialogs.Commands, MenuFor: dialogs.CommandsFor,
		Logger: log, Now: w.clock.Now, PollTimeout: 2 * time.Second, Rate: 10000, ReplyChatGap: -1, // test users type faster than people
		Outbox: st, Progress: dialogs.NoticeProgress}
	if mod != nil {
		mod(&cfg)
	}
	b, err := bot.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = b.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		<-done
		if un := w.srv.UnansweredCallbacks(); len(un) > 0 {
			t.Errorf("callback queries never answered: %v", un)
		}
	})
	return w
}

// invites returns each household's invitation code for a compound.
func (w *world) invites(compound string) map[string]string {
	w.t.Helper()
	inv, err := w.st.EnsureInvites(w.ctx, compound, w.clock.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]string{}
	for _, i := range inv {
		out[i.Ref.HouseholdID] = i.Code
	}
	return out
}

// say sends text as user u and waits for the bot's next message that matches.
func (w *world) say(u *bottest.User, text string, match func(bottest.Message) bool) bottest.Message {
	w.t.Helper()
	last := int64(0)
	if m, ok := u.LastBotMessage(); ok {
		last = m.ID
	}
	u.Send(text)
	m, err := w.srv.WaitForBotMessage(w.ctx, u.ID, last, match)
	if err != nil {
		w.t.Fatalf("user %d sent %q: no matching reply: %v\nchat:\n%s", u.ID, text, err, transcript(u))
	}
	return m
}

// press presses the button with data (or whose data starts with prefix when
// the data ends in "*") on message m, and waits until the press is answered.
func (w *world) press(u *bottest.User, m bottest.Message, data string) bottest.Callback {
	w.t.Helper()
	if strings.HasSuffix(data, "*") {
		for _, b := range m.Buttons() {
			if b.CallbackData != nil && strings.HasPrefix(*b.CallbackData, strings.TrimSuffix(data, "*")) {
				data = *b.CallbackData
				break
			}
		}
	}
	id, err := u.Press(m.ID, data)
	if err != nil {
		w.t.Fatalf("press %q: %v\nchat:\n%s", data, err, transcript(u))
	}
	return w.answered(id)
}

func (w *world) answered(id string) bottest.Callback {
	w.t.Helper()
	cb, err := w.srv.WaitCallbackAnswered(w.ctx, id)
	if err != nil {
		w.t.Fatalf("callback %s not answered: %v", id, err)
	}
	return cb
}

func hasButton(prefix string) func(bottest.Message) bool {
	return func(m bottest.Message) bool { return buttonData(m, prefix) != "" }
}

// buttonData is the callback data of m's last button whose data starts with
// prefix ("" when none).
func buttonData(m bottest.Message, prefix string) string {
	data := ""
	for _, b := range m.Buttons() {
		if b.CallbackData != nil && strings.HasPrefix(*b.CallbackData, prefix) {
			data = *b.CallbackData
		}
	}
	return data
}

func contains(s string) func(bottest.Message) bool {
	return func(m bottest.Message) bool { return strings.Contains(m.Text, s) }
}

func transcript(u *bottest.User) string {
	var b strings.Builder
	for _, m := range u.Messages() {
		b.WriteString(m.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// bind walks user u through the invitation of a household.
func (w *world) bind(u *bottest.User, code string) {
	w.t.Helper()
	m := w.say(u, "/start "+code, hasButton("b:y"))
	w.press(u, m, "b:y")
	if _, err := w.srv.WaitForMessage(w.ctx, u.ID, func(x bottest.Message) bool { return x.ID == m.ID && hasButton("v:show")(x) }); err != nil {
		w.t.Fatalf("bind: %v\n%s", err, transcript(u))
	}
}

// vote casts the household's vote in chat as user u and returns the receipt message.
func (w *world) vote(u *bottest.User, c renovote.Choice) bottest.Message {
	w.t.Helper()
	m := w.say(u, "/vote", func(m bottest.Message) bool { return hasButton("v:a:")(m) || contains("截止")(m) })
	data := "v:a:*"
	if c == renovote.ChoiceDisagree {
		data = "v:d:*"
	}
	cb := w.press(u, m, data)
	if cb.AnswerText == "" {
		w.t.Logf("vote press answered with no text")
	}
	got, err := w.srv.WaitForMessage(w.ctx, u.ID, func(x bottest.Message) bool { return x.ID == m.ID && x.Edits > 0 })
	if err != nil {
		w.t.Fatalf("vote: no receipt: %v\n%s", err, transcript(u))
	}
	return got
}

// paper records a paper ballot as the admin through the /paper shortcut.
func (w *world) paper(admin *bottest.User, compound string, h renovote.Household, c renovote.Choice) bottest.Message {
	w.t.Helper()
	word := "agree"
	if c == renovote.ChoiceDisagree {
		word = "disagree"
	}
	m := w.say(admin, "/paper "+compound+" "+h.ID+" "+word+" paper", hasButton("p:skip"))
	w.press(admin, m, "p:skip")
	ok, err := w.srv.WaitForMessage(w.ctx, admin.ID, hasButton("p:ok"))
	if err != nil {
		w.t.Fatalf("paper: no confirmation: %v\n%s", err, transcript(admin))
	}
	w.press(admin, ok, "p:ok")
	got, err := w.srv.WaitForMessage(w.ctx, admin.ID, func(x bottest.Message) bool {
		return x.ID >= ok.ID && strings.Contains(x.Text, "回执")
	})
	if err != nil {
		w.t.Fatalf("paper: no receipt: %v\n%s", err, transcript(admin))
	}
	return got
}

// tally reads the stored counters and checks them against a recount from scratch.
func (w *world) tally(compound string) renovote.Tally {
	w.t.Helper()
	got, err := w.st.Tally(w.ctx, compound)
	if err != nil {
		w.t.Fatal(err)
	}
	re, err := w.st.Recount(w.ctx, compound)
	if err != nil {
		w.t.Fatal(err)
	}
	if got != re {
		w.t.Fatalf("counters differ from recount:\n counters %+v\n recount  %+v", got, re)
	}
	return got
}
