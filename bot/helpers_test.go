package bot

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/renovote/renovote/bot/bottest"
	"github.com/renovote/renovote/dialogs"
)

// handlerFunc adapts a function to Handler.
type handlerFunc func(ctx context.Context, in dialogs.Input, now time.Time) (dialogs.Response, error)

func (f handlerFunc) Handle(ctx context.Context, in dialogs.Input, now time.Time) (dialogs.Response, error) {
	return f(ctx, in, now)
}

// echo replies "re: <text>" to messages and answers presses with the data.
var echo = handlerFunc(func(_ context.Context, in dialogs.Input, _ time.Time) (dialogs.Response, error) {
	if in.Callback != "" {
		return dialogs.Response{CallbackText: "got " + in.Callback}, nil
	}
	return dialogs.Response{Replies: []dialogs.Reply{{Text: "re: " + in.Text}}}, nil
})

// memDedupe is an in-memory Dedupe; ids marked in advance count as seen.
type memDedupe struct {
	mu   sync.Mutex
	seen map[int64]bool
	err  error // returned (with true) by every call when set
}

func newMemDedupe() *memDedupe { return &memDedupe{seen: map[int64]bool{}} }

func (d *memDedupe) FirstSeen(_ context.Context, id int64) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return true, d.err
	}
	if d.seen[id] {
		return false, nil
	}
	d.seen[id] = true
	return true, nil
}

func (d *memDedupe) mark(ids ...int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, id := range ids {
		d.seen[id] = true
	}
}

// logBuffer collects slog output safely from many goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// lines returns the log lines that contain every one of words.
func (l *logBuffer) lines(words ...string) []string {
	var out []string
next:
	for _, line := range strings.Split(l.String(), "\n") {
		for _, w := range words {
			if !strings.Contains(line, w) {
				continue next
			}
		}
		out = append(out, line)
	}
	return out
}

// env is a fake Bot API server with a captured log, and bots run on it.
type env struct {
	t      testing.TB
	ctx    context.Context
	srv    *bottest.Server
	logs   *logBuffer
	log    *slog.Logger
	dedupe *memDedupe
}

func newEnv(t testing.TB, opts ...bottest.Option) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	e := &env{t: t, ctx: ctx, srv: bottest.NewServer(t, opts...), logs: &logBuffer{}, dedupe: newMemDedupe()}
	e.log = slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("bot log:\n%s", e.logs.String())
		}
	})
	return e
}

// newBot connects a bot with handler h; mod adjusts the config.
func (e *env) newBot(h Handler, mod func(*Config)) *Bot {
	e.t.Helper()
	cfg := Config{
		Token: e.srv.Token, ServerURL: e.srv.URL, Handler: h, Dedupe: e.dedupe, Logger: e.log,
		PollTimeout: 2 * time.Second, Rate: 1e6, ReplyChatGap: -1,
	}
	if mod != nil {
		mod(&cfg)
	}
	b, err := New(e.ctx, cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// running is a Bot.Run in progress.
type running struct {
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

// run starts b.Run and waits until it long-polls. The bot is stopped (and
// Run's error checked) at cleanup unless the test stops it itself.
func (e *env) run(b *Bot) *running {
	e.t.Helper()
	r := e.runBusy(b)
	if err := e.srv.WaitLongPoll(e.ctx); err != nil {
		e.t.Fatalf("bot never polled: %v", err)
	}
	return r
}

// slowEcho echoes, but holds the text "slow": it closes started and waits
// for release first.
func slowEcho(started, release chan struct{}) handlerFunc {
	return func(ctx context.Context, in dialogs.Input, now time.Time) (dialogs.Response, error) {
		if in.Text == "slow" {
			close(started)
			<-release
		}
		return echo(ctx, in, now)
	}
}

// stop cancels Run and waits for it to return.
func (e *env) stop(r *running) {
	e.t.Helper()
	r.cancel()
	select {
	case <-r.done:
	case <-time.After(15 * time.Second):
		e.t.Fatal("Run did not return after cancel")
	}
	if r.err != nil {
		e.t.Errorf("Run: %v", r.err)
	}
}

// reply waits for the bot's first message in chat after message id after
// whose text is text.
func (e *env) reply(chat, after int64, text string) bottest.Message {
	e.t.Helper()
	m, err := e.srv.WaitForBotMessage(e.ctx, chat, after, func(m bottest.Message) bool { return m.Text == text })
	if err != nil {
		e.t.Fatalf("no reply %q in chat %d: %v\ntranscript: %v", text, chat, err, e.srv.Messages(chat))
	}
	return m
}

// call waits for a recorded call that matches. (The server records a call
// after applying it: a message can be in the transcript a moment before the
// sendMessage that made it is in the calls.)
func (e *env) call(match func(bottest.Call) bool) bottest.Call {
	e.t.Helper()
	c, err := e.srv.WaitFor(e.ctx, match)
	if err != nil {
		e.t.Fatalf("no matching call: %v\ncalls: %v", err, e.srv.Calls())
	}
	return c
}

// answered waits until callback id is answered.
func (e *env) answered(id string) bottest.Callback {
	e.t.Helper()
	cb, err := e.srv.WaitCallbackAnswered(e.ctx, id)
	if err != nil {
		e.t.Fatalf("callback %s not answered: %v", id, err)
	}
	return cb
}

// noUnanswered fails if any callback query is still unanswered.
func (e *env) noUnanswered() {
	e.t.Helper()
	if un := e.srv.UnansweredCallbacks(); len(un) > 0 {
		e.t.Errorf("unanswered callback queries: %v", un)
	}
}

// menu makes the bot send a message with buttons (one per data) to u and
// returns it; h must answer "/menu" with such a message (see menuHandler).
func (e *env) menu(u *bottest.User) bottest.Message {
	e.t.Helper()
	last := int64(0)
	if m, ok := u.LastBotMessage(); ok {
		last = m.ID
	}
	u.Send("/menu")
	return e.reply(u.ID, last, "menu")
}

// menuButtons are the buttons of the "/menu" reply of menuHandler.
var menuButtons = [][]dialogs.Button{{{Label: "A", Data: "a"}, {Label: "Boom", Data: "boom"}}, {{Label: "Edit", Data: "edit"}}}

// menuHandler answers "/menu" with a message carrying menuButtons and
// delegates everything else to next.
func menuHandler(next handlerFunc) handlerFunc {
	return func(ctx context.Context, in dialogs.Input, now time.Time) (dialogs.Response, error) {
		if in.Command == "menu" {
			return dialogs.Response{Replies: []dialogs.Reply{{Text: "menu", Buttons: menuButtons}}}, nil
		}
		return next(ctx, in, now)
	}
}

var errBoom = errors.New("boom from the handler")
