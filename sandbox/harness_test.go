package sandbox_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
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
	"github.com/renovote/renovote/sandbox"
	"github.com/renovote/renovote/scheduler"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
	"github.com/renovote/renovote/web"
)

// world is the whole sandbox as the command wires it: the store with the
// seed programme and register, the fake Telegram, the bot, the scheduler on
// the sandbox's clock, and the page's server.
type world struct {
	t     testing.TB
	ctx   context.Context
	dir   string
	p     renovote.Programme
	st    *store.Store
	fake  *bottest.Server
	clock *sandbox.Clock
	sb    *sandbox.Sandbox
	srv   *httptest.Server
	loc   *time.Location
	// stop stops the bot, the pump (which saves the chats) and the servers.
	stop func()
}

// start is the sandbox's time at the beginning of the tests: inside the
// seed's ballot window (2020-05-01 08:00 to the end of 2020-05-20).
func start(t testing.TB) time.Time {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(2020, 5, 10, 10, 0, 0, 0, loc)
}

func newWorld(t testing.TB) *world {
	t.Helper()
	return newWorldIn(t, t.TempDir(), storetest.New(t), true)
}

// newWorldIn starts a sandbox in dir on st (seeded when seed).
func newWorldIn(t testing.TB, dir string, st *store.Store, seed bool) *world {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	p := programme.Seed()
	loc, _ := p.Location()
	if seed {
		if err := st.ApplyProgramme(ctx, p); err != nil {
			t.Fatal(err)
		}
		byCompound := map[string][]renovote.Household{}
		for _, h := range register.GenerateSeed(p, 2020) {
			byCompound[h.CompoundID] = append(byCompound[h.CompoundID], h)
		}
		for id, list := range byCompound {
			if _, err := st.ImportRegister(ctx, id, list, store.ImportOptions{Actor: "test", Now: start(t)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	var logTo io.Writer = io.Discard
	if os.Getenv("SANDBOX_LOG") != "" {
		logTo = os.Stderr
	}
	log := slog.New(slog.NewTextHandler(logTo, nil))
	clock, err := sandbox.OpenClock(dir, start(t))
	if err != nil {
		t.Fatal(err)
	}
	fake := bottest.NewServer(t, bottest.WithClock(clock.Now), bottest.WithBot("renovote_sandbox_bot", "renovote"))
	// The page's server first: the dashboard's links lead to it.
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	member := func(ctx context.Context, userID int64) (renovote.StaffMember, bool, error) {
		if userID == sandbox.Admin {
			return renovote.StaffMember{UserID: userID, Role: renovote.RoleAdmin, Compounds: []string{renovote.AllCompounds}}, true, nil
		}
		return st.StaffMember(ctx, userID)
	}
	dash, err := web.New(web.Config{Source: st, Secret: []byte("the sandbox test's secret"), PublicURL: srv.URL, Now: clock.Now,
		Poll: 100 * time.Millisecond, Logger: log, Member: member})
	if err != nil {
		t.Fatal(err)
	}
	sch := scheduler.NewWith(scheduler.Config{Location: loc, Logger: log, Runs: st, Now: clock.Now})
	if err := sch.AddNotices(st); err != nil {
		t.Fatal(err)
	}
	if err := sch.AddCalendar(st, p, scheduler.CalendarOptions{}); err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.New(sandbox.Config{Dir: dir, Fake: fake, Store: st, Clock: clock, Logger: log, Tick: 50 * time.Millisecond,
		RunDue: func(ctx context.Context, from, to time.Time, marks []time.Time) ([]string, error) {
			ran, err := sch.RunDue(ctx, from, to, marks)
			var out []string
			for _, r := range ran {
				out = append(out, r.Job+" "+r.Tick.In(loc).Format("01-02 15:04"))
			}
			return out, err
		},
		DashboardLink: func(ctx context.Context, userID int64) (string, error) {
			m, ok, err := member(ctx, userID)
			if err != nil || !ok {
				return "", fmt.Errorf("user %d: not staff (%v): %w", userID, err, renovote.ErrForbidden)
			}
			link, _, err := dash.Link(m, clock.Now())
			return link, err
		},
		Dashboard: dash.Handler(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	engine := dialogs.New(dialogs.Config{Store: st, Admins: []int64{sandbox.Admin}, BotUsername: fake.BotUsername(), Logger: log, XLSX: register.WriteXLSX,
		DashboardLink: dash.Link})
	b, err := bot.New(ctx, bot.Config{Token: fake.Token, ServerURL: fake.URL, Handler: engine, Dedupe: st, Commands: dialogs.Commands,
		MenuFor: dialogs.CommandsFor, Outbox: st, Progress: dialogs.NoticeProgress, Logger: log, Now: clock.Now,
		PollTimeout: 2 * time.Second, Rate: 10000, ReplyChatGap: -1})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	botDone, pumpDone := make(chan struct{}), make(chan struct{})
	go func() { defer close(botDone); _ = b.Run(runCtx) }()
	go func() { defer close(pumpDone); _ = sb.Run(runCtx) }()
	handler = sb.Handler()
	w := &world{t: t, ctx: ctx, dir: dir, p: p, st: st, fake: fake, clock: clock, sb: sb, srv: srv, loc: loc}
	var once sync.Once
	w.stop = func() {
		once.Do(func() {
			srv.CloseClientConnections()
			srv.Close()
			stop()
			<-botDone
			<-pumpDone
			fake.Close()
		})
	}
	t.Cleanup(w.stop)
	return w
}

// call makes a request of the page's API and decodes the JSON answer into
// out (when not nil); it fails the test unless the status is want.
func (w *world) call(method, path string, body any, want int, out any) {
	w.t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(w.ctx, method, w.srv.URL+path, rd)
	if err != nil {
		w.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		w.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			w.t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
}

// pageMsg is a message as the page gets it.
type pageMsg struct {
	ID       int64  `json:"id"`
	FromBot  bool   `json:"from_bot"`
	Kind     string `json:"kind"`
	Text     string `json:"text"`
	Time     string `json:"time"`
	Edited   bool   `json:"edited"`
	Deleted  bool   `json:"deleted"`
	Keyboard [][]struct {
		Text string `json:"text"`
		Data string `json:"data"`
		URL  string `json:"url"`
	} `json:"keyboard"`
	File *struct {
		URL  string `json:"url"`
		Name string `json:"name"`
	} `json:"file"`
}

// button is the data of the message's first button whose data starts with
// prefix.
func (m pageMsg) button(prefix string) (string, bool) {
	for _, row := range m.Keyboard {
		for _, b := range row {
			if b.Data != "" && strings.HasPrefix(b.Data, prefix) {
				return b.Data, true
			}
		}
	}
	return "", false
}

func (w *world) messages(uid int64) []pageMsg {
	w.t.Helper()
	var ms []pageMsg
	w.call("GET", fmt.Sprintf("/api/chats/%d/messages", uid), nil, http.StatusOK, &ms)
	return ms
}

// waitMsg waits until the page's transcript of uid has a message that
// matches, and returns it.
func (w *world) waitMsg(uid int64, what string, match func(pageMsg) bool) pageMsg {
	w.t.Helper()
	// The fake wakes us at every change; the page's view is read again then.
	for {
		seen := w.fake.AllMessages(uid)
		for _, m := range w.messages(uid) {
			if match(m) {
				return m
			}
		}
		ctx, cancel := context.WithTimeout(w.ctx, 20*time.Second)
		_, err := w.fake.WaitChat(ctx, uid, seen)
		cancel()
		if err != nil {
			w.t.Fatalf("user %d: no message %s: %v\n%s", uid, what, err, w.transcript(uid))
		}
	}
}

func (w *world) transcript(uid int64) string {
	var b strings.Builder
	for _, m := range w.fake.AllMessages(uid) {
		b.WriteString(m.String() + "\n")
	}
	return b.String()
}

func hasText(s string) func(pageMsg) bool {
	return func(m pageMsg) bool { return m.FromBot && strings.Contains(m.Text, s) }
}

func hasButton(prefix string) func(pageMsg) bool {
	return func(m pageMsg) bool { _, ok := m.button(prefix); return m.FromBot && ok }
}

type pressAnswer struct {
	Answer   string `json:"answer"`
	Alert    bool   `json:"alert"`
	Answered bool   `json:"answered"`
}

// press presses the button whose data starts with prefix on m, through the
// page's API.
func (w *world) press(uid int64, m pageMsg, prefix string) pressAnswer {
	w.t.Helper()
	data, ok := m.button(prefix)
	if !ok {
		w.t.Fatalf("no button %q on message %d: %+v", prefix, m.ID, m.Keyboard)
	}
	var a pressAnswer
	w.call("POST", fmt.Sprintf("/api/chats/%d/press", uid), map[string]any{"message_id": m.ID, "data": data}, http.StatusOK, &a)
	if !a.Answered {
		w.t.Fatalf("press %q: not answered", data)
	}
	return a
}

func (w *world) send(uid int64, text string) {
	w.t.Helper()
	w.call("POST", fmt.Sprintf("/api/chats/%d/send", uid), map[string]string{"text": text}, http.StatusOK, nil)
}

type chat struct {
	UserID    int64  `json:"user_id"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	Bound     bool   `json:"bound"`
	Invited   bool   `json:"invited"`
	Dashboard bool   `json:"dashboard"`
}

// bindMember opens a household member's chat through the page and confirms
// the address the invitation shows.
func (w *world) bindMember(compound, household string, member int) chat {
	w.t.Helper()
	var c chat
	w.call("POST", "/api/open", map[string]any{"compound": compound, "household": household, "member": member}, http.StatusOK, &c)
	if !c.Invited || c.Bound {
		w.t.Fatalf("open %s %s: %+v, want invited, not bound", compound, household, c)
	}
	m := w.waitMsg(c.UserID, "asking to confirm the address", hasButton("b:y"))
	if a := w.press(c.UserID, m, "b:y"); a.Alert {
		w.t.Fatalf("binding refused: %s", a.Answer)
	}
	w.waitMsg(c.UserID, "confirming the binding", func(x pageMsg) bool { return x.ID == m.ID && x.Edited })
	return c
}

// vote votes through the page as a bound member.
func (w *world) vote(uid int64, agree bool) pageMsg {
	w.t.Helper()
	w.send(uid, "/vote")
	m := w.waitMsg(uid, "with the ballot", hasButton("v:a:"))
	prefix := "v:a:"
	if !agree {
		prefix = "v:d:"
	}
	w.press(uid, m, prefix)
	return w.waitMsg(uid, "with the receipt", func(x pageMsg) bool { return x.ID == m.ID && x.Edited })
}

// sse reads a chat's event stream.
type sse struct {
	resp *http.Response
	rd   *bufio.Reader
}

func (w *world) events(uid int64) *sse {
	w.t.Helper()
	req, _ := http.NewRequestWithContext(w.ctx, "GET", fmt.Sprintf("%s/api/chats/%d/events", w.srv.URL, uid), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		w.t.Fatalf("events: %d %s", resp.StatusCode, ct)
	}
	w.t.Cleanup(func() { resp.Body.Close() })
	return &sse{resp: resp, rd: bufio.NewReader(resp.Body)}
}

// next returns the next event's name and messages (skipping keep-alives).
func (s *sse) next(t testing.TB) (string, []pageMsg) {
	t.Helper()
	var event, data string
	for {
		line, err := s.rd.ReadString('\n')
		if err != nil {
			t.Fatalf("event stream: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		case line == "" && event != "":
			var ms []pageMsg
			if err := json.Unmarshal([]byte(data), &ms); err != nil {
				t.Fatalf("event %s: %v: %s", event, err, data)
			}
			return event, ms
		}
	}
}
