package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/programme"
	"github.com/renovote/renovote/register"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
	"github.com/renovote/renovote/web"
)

// clock is the dashboard's time, moved by the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }
func (e *env) now() time.Time        { return e.clock.Now() }

// env is a dashboard on the seed programme and register in a real store,
// served over HTTP.
type env struct {
	t     testing.TB
	ctx   context.Context
	st    *store.Store
	p     renovote.Programme
	hhs   map[string][]renovote.Household
	clock *clock
	d     *web.Dashboard
	srv   *httptest.Server
	// staff is what Config.Member answers (nil map: every claim trusted).
	mu    sync.Mutex
	staff map[int64]renovote.StaffMember
	ops   int
}

const (
	bureauID = 7001
	workerID = 7002
)

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, st: storetest.New(t), p: programme.Seed(), hhs: map[string][]renovote.Household{},
		clock: &clock{t: time.Date(2020, 5, 10, 10, 0, 0, 0, loc)},
		staff: map[int64]renovote.StaffMember{
			bureauID: {UserID: bureauID, Role: renovote.RoleBureau},
			workerID: {UserID: workerID, Role: renovote.RoleWorker, Compounds: []string{"jinrong"}},
		}}
	if err := e.st.ApplyProgramme(ctx, e.p); err != nil {
		t.Fatal(err)
	}
	for _, h := range register.GenerateSeed(e.p, 2020) {
		e.hhs[h.CompoundID] = append(e.hhs[h.CompoundID], h)
	}
	for id, list := range e.hhs {
		if _, err := e.st.ImportRegister(ctx, id, list, store.ImportOptions{Actor: "test", Now: e.now()}); err != nil {
			t.Fatal(err)
		}
	}
	var h http.Handler
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(e.srv.Close)
	e.d, err = web.New(web.Config{Source: e.st, Secret: []byte("test secret of the dashboard"), PublicURL: e.srv.URL,
		Now: e.clock.Now, Poll: 10 * time.Millisecond, Member: e.lookup})
	if err != nil {
		t.Fatal(err)
	}
	h = e.d.Handler()
	return e
}

func (e *env) lookup(_ context.Context, id int64) (renovote.StaffMember, bool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	m, ok := e.staff[id]
	return m, ok, nil
}

func (e *env) setStaff(m renovote.StaffMember) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.staff[m.UserID] = m
}

func (e *env) revoke(id int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.staff, id)
}

// link signs a link for a member now.
func (e *env) link(m renovote.StaffMember) string {
	e.t.Helper()
	u, exp, err := e.d.Link(m, e.now())
	if err != nil {
		e.t.Fatal(err)
	}
	if want := e.now().Add(web.DefaultLinkTTL); !exp.Equal(want) {
		e.t.Fatalf("link expires %s, want %s", exp, want)
	}
	return u
}

// browser is a client with a cookie jar that does not follow redirects.
type browser struct {
	e    *env
	c    *http.Client
	lang string
}

func (e *env) browser(lang string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &browser{e: e, lang: lang, c: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	code int
	body string
	h    http.Header
}

func (b *browser) get(u string) page {
	b.e.t.Helper()
	if !strings.HasPrefix(u, "http") {
		u = b.e.srv.URL + u
	}
	req, err := http.NewRequestWithContext(b.e.ctx, http.MethodGet, u, nil)
	if err != nil {
		b.e.t.Fatal(err)
	}
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	return page{resp.StatusCode, string(body), resp.Header}
}

// open opens a link and checks the session cookie it sets.
func (b *browser) open(link string) page {
	b.e.t.Helper()
	p := b.get(link)
	if p.code != http.StatusOK {
		b.e.t.Fatalf("open link: %d\n%s", p.code, p.body)
	}
	sc := p.h.Get("Set-Cookie")
	for _, want := range []string{"renovote_dashboard=", "HttpOnly", "SameSite=Strict", "Max-Age=28800"} {
		if !strings.Contains(sc, want) {
			b.e.t.Errorf("session cookie %q lacks %s", sc, want)
		}
	}
	if !strings.Contains(p.body, `http-equiv="refresh" content="0;url=./"`) {
		b.e.t.Errorf("the login page does not lead to the overview:\n%s", p.body)
	}
	return p
}

// cookie is the browser's session cookie for the server.
func (b *browser) cookie() string {
	u, _ := url.Parse(b.e.srv.URL + "/dashboard/")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "renovote_dashboard" {
			return c.Value
		}
	}
	return ""
}

func (b *browser) setCookie(v string) {
	u, _ := url.Parse(b.e.srv.URL + "/dashboard/")
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "renovote_dashboard", Value: v, Path: "/dashboard"}})
}

// vote casts a household's vote in chat.
func (e *env) vote(compound string, i int, c renovote.Choice) {
	e.t.Helper()
	e.ops++
	h := e.hhs[compound][i]
	if _, err := e.st.CastVote(e.ctx, renovote.VoteCmd{Ref: h.Ref(), Choice: c, Channel: renovote.ChannelChat,
		Actor: fmt.Sprintf("tg:%d", 100+i), OpID: fmt.Sprintf("test:%d", e.ops), ReceiptID: fmt.Sprintf("R%d", e.ops), At: e.now()}); err != nil {
		e.t.Fatal(err)
	}
}

func names(p renovote.Programme) []string {
	var out []string
	for _, c := range p.Compounds {
		out = append(out, c.Name)
	}
	return out
}

// The bureau opens its link and sees every compound; without the cookie
// nothing opens.
func TestLinkOpensOverview(t *testing.T) {
	e := newEnv(t)
	e.vote("liangmao", 0, renovote.ChoiceAgree)
	b := e.browser("zh-CN,zh;q=0.9")
	link := e.link(renovote.StaffMember{UserID: bureauID, Role: renovote.RoleBureau})
	if !strings.HasPrefix(link, e.srv.URL+"/dashboard/login?t=") {
		t.Fatalf("link %q", link)
	}
	b.open(link)
	p := b.get("/dashboard/")
	if p.code != 200 {
		t.Fatalf("overview: %d\n%s", p.code, p.body)
	}
	for _, n := range names(e.p) {
		if !strings.Contains(p.body, n) {
			t.Errorf("overview lacks %s", n)
		}
	}
	for _, want := range []string{"住建局", "全部小区", "同意户数/总户数 ≥ 2/3", `data-k="liangmao.agree">1<`, "还需", "未通过", "report.xlsx", `href="c/liangmao"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	csp := p.h.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'nonce-") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}
	if p.h.Get("Cache-Control") != "no-store" || p.h.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("headers %v", p.h)
	}
	// Nothing from another site.
	if m := regexp.MustCompile(`(src|href)="(https?:)?//`).FindString(p.body); m != "" {
		t.Errorf("the page loads from elsewhere: %s", m)
	}
	// /dashboard leads to /dashboard/.
	if r := b.get("/dashboard"); r.code != http.StatusSeeOther || r.h.Get("Location") != "dashboard/" {
		t.Errorf("/dashboard: %d %q", r.code, r.h.Get("Location"))
	}

	// Another browser, without the link, gets nothing.
	other := e.browser("")
	for _, path := range []string{"/dashboard/", "/dashboard/c/liangmao", "/dashboard/report.xlsx", "/dashboard/events", "/dashboard/nothing"} {
		r := other.get(path)
		if r.code != http.StatusForbidden || !strings.Contains(r.body, "看板只能通过机器人发给工作人员的链接打开") {
			t.Errorf("%s without a session: %d\n%s", path, r.code, r.body)
		}
	}
	if r := b.get("/dashboard/nothing"); r.code != http.StatusNotFound {
		t.Errorf("unknown page: %d", r.code)
	}
}

// A worker sees their compounds only: the others are not found, in pages,
// downloads and events alike.
func TestWorkerScope(t *testing.T) {
	e := newEnv(t)
	b := e.browser("")
	b.open(e.link(renovote.StaffMember{UserID: workerID, Role: renovote.RoleWorker, Compounds: []string{"jinrong"}}))
	p := b.get("/dashboard/")
	if p.code != 200 || !strings.Contains(p.body, "金融小区") || !strings.Contains(p.body, "社区工作人员") {
		t.Fatalf("overview: %d\n%s", p.code, p.body)
	}
	for _, n := range names(e.p) {
		if n != "金融小区" && strings.Contains(p.body, n) {
			t.Errorf("a worker of 金融小区 sees %s", n)
		}
	}
	if r := b.get("/dashboard/c/jinrong"); r.code != 200 {
		t.Errorf("own compound: %d", r.code)
	}
	for _, path := range []string{"/dashboard/c/liangmao", "/dashboard/c/nosuch", "/dashboard/report.xlsx?c=liangmao", "/dashboard/events?c=liangmao"} {
		if r := b.get(path); r.code != http.StatusNotFound || strings.Contains(r.body, "粮贸小区") {
			t.Errorf("%s: %d, want 404 that names nothing", path, r.code)
		}
	}
	rows := summaryRows(t, b.get("/dashboard/report.xlsx"))
	if len(rows) != 1 || rows[0][0] != "金融小区" {
		t.Errorf("the worker's workbook summary: %v", rows)
	}

	// The scope narrows at once when the worker's scope changes, and a
	// revoked worker is out.
	e.setStaff(renovote.StaffMember{UserID: workerID, Role: renovote.RoleWorker, Compounds: []string{"liangmao"}})
	if r := b.get("/dashboard/c/jinrong"); r.code != http.StatusNotFound {
		t.Errorf("after the scope changed: %d", r.code)
	}
	if r := b.get("/dashboard/c/liangmao"); r.code != http.StatusNotFound {
		t.Errorf("a compound outside the link's scope: %d", r.code)
	}
	e.revoke(workerID)
	if r := b.get("/dashboard/"); r.code != http.StatusForbidden || !strings.Contains(r.body, "您已不是工作人员") {
		t.Errorf("revoked: %d\n%s", r.code, r.body)
	}
	if _, _, err := e.d.Link(renovote.StaffMember{UserID: 5, Role: renovote.RoleResident}, e.now()); !errors.Is(err, renovote.ErrForbidden) {
		t.Errorf("a resident's link: %v", err)
	}
}

// summaryRows reads the 汇总 sheet of a downloaded workbook (header left out).
func summaryRows(t *testing.T, p page) [][]string {
	t.Helper()
	if p.code != 200 || !strings.Contains(p.h.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("download: %d %v", p.code, p.h)
	}
	f, err := excelize.OpenReader(strings.NewReader(p.body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("汇总")
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}

// Links last 10 minutes and sessions 8 hours, by the dashboard's clock.
func TestExpiry(t *testing.T) {
	e := newEnv(t)
	bureau := renovote.StaffMember{UserID: bureauID, Role: renovote.RoleBureau}
	link := e.link(bureau)
	e.clock.Add(web.DefaultLinkTTL - time.Second)
	b := e.browser("")
	b.open(link)
	e.clock.Add(time.Second)
	stale := e.browser("")
	if r := stale.get(link); r.code != http.StatusForbidden || !strings.Contains(r.body, "链接已过期") || r.h.Get("Set-Cookie") != "" {
		t.Errorf("expired link: %d %q\n%s", r.code, r.h.Get("Set-Cookie"), r.body)
	}
	// The session opened in time lasts its 8 hours.
	e.clock.Add(web.DefaultSessionTTL - 2*time.Second)
	if r := b.get("/dashboard/"); r.code != 200 {
		t.Errorf("session before its end: %d", r.code)
	}
	e.clock.Add(time.Second)
	r := b.get("/dashboard/")
	if r.code != http.StatusForbidden || !strings.Contains(r.body, "会话已过期") || !strings.Contains(r.h.Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("expired session: %d %q\n%s", r.code, r.h.Get("Set-Cookie"), r.body)
	}
}

// Forged, tampered or misused tokens are refused.
func TestForgedLinks(t *testing.T) {
	e := newEnv(t)
	worker := renovote.StaffMember{UserID: workerID, Role: renovote.RoleWorker, Compounds: []string{"jinrong"}}
	link := e.link(worker)
	tok := strings.TrimPrefix(link, e.srv.URL+"/dashboard/login?t=")
	payload, mac, _ := strings.Cut(tok, ".")
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		t.Fatal(err)
	}
	// The same claims signed with another secret.
	otherD, err := web.New(web.Config{Source: e.st, Secret: []byte("another secret, not ours"), PublicURL: e.srv.URL, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	otherLink, _, err := otherD.Link(worker, e.now())
	if err != nil {
		t.Fatal(err)
	}
	wider := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), "|jinrong|", "|*|", 1)))
	bureau := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), "|worker|", "|bureau|", 1)))
	later := base64.RawURLEncoding.EncodeToString(append([]byte(strings.TrimRight(string(raw), "0123456789")), "9999999999"...))
	for name, tok := range map[string]string{
		"wider scope":    wider + "." + mac,
		"another role":   bureau + "." + mac,
		"later expiry":   later + "." + mac,
		"another secret": strings.TrimPrefix(otherLink, e.srv.URL+"/dashboard/login?t="),
		"no signature":   payload,
		"garbage":        "not-a-token",
		"empty":          "",
		"bad base64":     payload + ".!!!",
	} {
		r := e.browser("en").get("/dashboard/login?t=" + url.QueryEscape(tok))
		if r.code != http.StatusForbidden || !strings.Contains(r.body, "The link is invalid") || r.h.Get("Set-Cookie") != "" {
			t.Errorf("%s: %d %q\n%s", name, r.code, r.h.Get("Set-Cookie"), r.body)
		}
	}

	// A link is not a session cookie, and a session cookie is not a link.
	b := e.browser("")
	b.setCookie(tok)
	if r := b.get("/dashboard/"); r.code != http.StatusForbidden || !strings.Contains(r.body, "会话无效") {
		t.Errorf("a link as cookie: %d\n%s", r.code, r.body)
	}
	good := e.browser("")
	good.open(link)
	session := good.cookie()
	if session == "" {
		t.Fatal("no session cookie")
	}
	if r := e.browser("").get("/dashboard/login?t=" + session); r.code != http.StatusForbidden {
		t.Errorf("a session as link: %d", r.code)
	}
	// A tampered cookie.
	sp, smac, _ := strings.Cut(session, ".")
	sraw, _ := base64.RawURLEncoding.DecodeString(sp)
	b.setCookie(base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(sraw), "|jinrong|", "|*|", 1))) + "." + smac)
	if r := b.get("/dashboard/c/liangmao"); r.code != http.StatusForbidden {
		t.Errorf("a tampered cookie: %d", r.code)
	}
	if r := good.get("/dashboard/c/jinrong"); r.code != 200 {
		t.Errorf("the good session: %d", r.code)
	}
}

// Chinese first; English when the browser prefers it.
func TestLanguage(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		accept string
		want   string
		not    string
	}{
		{"", "总览", "Overview"},
		{"zh-CN,zh;q=0.9,en;q=0.8", "总览", "Overview"},
		{"en-US,en;q=0.9", "Overview", "总览"},
		{"en-GB,en;q=0.9,zh-CN;q=0.5", "Overview", "总览"},
		{"fr-FR,fr;q=0.9", "总览", "Overview"},
		{"de;q=0.9,en;q=0.8", "Overview", "总览"},
	} {
		b := e.browser(c.accept)
		b.open(e.link(renovote.StaffMember{UserID: bureauID, Role: renovote.RoleBureau}))
		p := b.get("/dashboard/")
		if !strings.Contains(p.body, c.want) || strings.Contains(p.body, c.not) {
			t.Errorf("Accept-Language %q: want %q, not %q", c.accept, c.want, c.not)
		}
	}
	r := e.browser("en").get("/dashboard/")
	if r.code != http.StatusForbidden || !strings.Contains(r.body, "opens only through a link") {
		t.Errorf("English refusal: %d\n%s", r.code, r.body)
	}
}

// The compound page: buildings, survey ranked, notices with counts; no
// owner names or phones anywhere.
func TestCompoundPage(t *testing.T) {
	e := newEnv(t)
	const id = "liangmao"
	e.vote(id, 0, renovote.ChoiceAgree)
	e.vote(id, 1, renovote.ChoiceDisagree)
	n, err := e.st.CreateNotice(e.ctx, renovote.Notice{Kind: renovote.KindNotice, Compounds: []string{id}, Text: "5月12日停水，请提前储水。",
		By: "tg:1", ByChat: 1, Created: e.now(), SendAt: e.now()}, "test:notice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.EnqueueNotice(e.ctx, n.ID, []int64{1001, 1002, 1003}); err != nil {
		t.Fatal(err)
	}
	b := e.browser("")
	b.open(e.link(renovote.StaffMember{UserID: bureauID, Role: renovote.RoleBureau}))
	p := b.get("/dashboard/c/" + id)
	if p.code != 200 {
		t.Fatalf("compound page: %d\n%s", p.code, p.body)
	}
	for _, want := range []string{"粮贸小区", "楼栋", `data-k="liangmao.b0.households"`, "必改项目", "5月12日停水", "发送中", "<td>3</td>", "../report.xlsx?c=liangmao", "../events?c=liangmao"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("compound page lacks %q", want)
		}
	}
	for _, h := range e.hhs[id] {
		if strings.Contains(p.body, h.Owner) || h.Phone != "" && strings.Contains(p.body, h.Phone) {
			t.Fatalf("the page shows personal data of %s", h.ID)
		}
	}
	x := b.get("/dashboard/report.xlsx?c=" + id)
	if rows := summaryRows(t, x); len(rows) != 1 || rows[0][0] != "粮贸小区" {
		t.Errorf("compound workbook summary: %v", rows)
	}
	for _, h := range e.hhs[id][:20] {
		if h.Phone != "" && bytes.Contains([]byte(x.body), []byte(h.Phone)) {
			t.Fatalf("the workbook has a phone")
		}
	}
}

// event is one Server-Sent Event.
type event struct {
	name string
	data string
}

// events reads a stream's events into a channel.
func (b *browser) events(path string) <-chan event {
	b.e.t.Helper()
	ctx, cancel := context.WithCancel(b.e.ctx)
	b.e.t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.e.srv.URL+path, nil)
	if err != nil {
		b.e.t.Fatal(err)
	}
	c := *b.c
	c.Timeout = 0
	resp, err := c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b.e.t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan event, 16)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		var ev event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					select {
					case out <- ev:
					case <-ctx.Done():
						return
					}
				}
				ev = event{}
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return out
}

type update struct {
	Text map[string]string  `json:"text"`
	Bars map[string]float64 `json:"bars"`
	Pass map[string]bool    `json:"pass"`
}

// next waits (bounded by the test's context) for the next event.
func (e *env) next(ch <-chan event) event {
	e.t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			e.t.Fatal("the event stream ended")
		}
		return ev
	case <-e.ctx.Done():
		e.t.Fatal("no event")
	}
	return event{}
}

func decode(t *testing.T, ev event) update {
	t.Helper()
	if ev.name != "update" {
		t.Fatalf("event %q, want update", ev.name)
	}
	var u update
	if err := json.Unmarshal([]byte(ev.data), &u); err != nil {
		t.Fatal(err)
	}
	return u
}

// The overview's stream sends the numbers at once, then again after a vote;
// its keys are exactly the cells of the page.
func TestEventsAfterVote(t *testing.T) {
	e := newEnv(t)
	b := e.browser("")
	b.open(e.link(renovote.StaffMember{UserID: bureauID, Role: renovote.RoleBureau}))
	ch := b.events("/dashboard/events")
	first := decode(t, e.next(ch))
	if first.Text["liangmao.voted"] != "0" || first.Text["updated"] == "" {
		t.Fatalf("first update: %v", first.Text)
	}
	checkKeys(t, b.get("/dashboard/").body, first)

	e.vote("liangmao", 3, renovote.ChoiceAgree)
	u := decode(t, e.next(ch))
	if u.Text["liangmao.voted"] != "1" || u.Text["liangmao.agree"] != "1" || u.Text["jinrong.voted"] != "0" {
		t.Fatalf("after a vote: %v", u.Text)
	}
	if !strings.HasPrefix(u.Text["liangmao.t0.value"], "1 / ") || u.Bars["liangmao.t0"] <= 0 {
		t.Errorf("test cells after a vote: %q %v", u.Text["liangmao.t0.value"], u.Bars["liangmao.t0"])
	}

	// A compound's stream carries its buildings, recounted after a vote.
	cs := b.events("/dashboard/events?c=liangmao")
	cu := decode(t, e.next(cs))
	checkKeys(t, b.get("/dashboard/c/liangmao").body, cu)
	h := e.hhs["liangmao"][0]
	e.vote("liangmao", 0, renovote.ChoiceDisagree)
	cu = decode(t, e.next(cs))
	var sum int
	for k, v := range cu.Text {
		if strings.HasSuffix(k, ".disagree") && strings.Contains(k, ".b") {
			var n int
			fmt.Sscan(v, &n)
			sum += n
		}
	}
	if cu.Text["liangmao.disagree"] != "1" || sum != 1 {
		t.Errorf("after a vote in building %s: compound %q, buildings %d", h.Building, cu.Text["liangmao.disagree"], sum)
	}

	// When the session ends, the stream says so and stops.
	e.clock.Add(web.DefaultSessionTTL)
	for ev := range ch {
		if ev.name == "expired" {
			return
		}
	}
	t.Error("the stream ended without an expired event")
}

// checkKeys compares the cells a page marks live with the keys of an update.
func checkKeys(t *testing.T, html string, u update) {
	t.Helper()
	collect := func(attr string) []string {
		var out []string
		for _, m := range regexp.MustCompile(attr+`="([a-z0-9_.]+)"`).FindAllStringSubmatch(html, -1) {
			if !slices.Contains(out, m[1]) {
				out = append(out, m[1])
			}
		}
		slices.Sort(out)
		return out
	}
	keys := func(m map[string]bool) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	text, bars := map[string]bool{}, map[string]bool{}
	for k := range u.Text {
		text[k] = true
	}
	for k := range u.Bars {
		bars[k] = true
	}
	if got, want := collect("data-k"), keys(text); !slices.Equal(got, want) {
		t.Errorf("page cells %v\nupdate keys %v", got, want)
	}
	if got, want := collect("data-bar"), keys(bars); !slices.Equal(got, want) {
		t.Errorf("page bars %v\nupdate bars %v", got, want)
	}
	if len(collect("data-pass")) != len(u.Pass) {
		t.Errorf("page pass marks %v, update %v", collect("data-pass"), u.Pass)
	}
}

// A random secret makes links that only this dashboard opens.
func TestRandomSecret(t *testing.T) {
	e := newEnv(t)
	d1, err := web.New(web.Config{Source: e.st, PublicURL: "https://vote.example.org/", Now: e.clock.Now})
	if err != nil || !d1.RandomSecret {
		t.Fatalf("random secret: %v %v", d1, err)
	}
	link, _, err := d1.Link(renovote.StaffMember{UserID: 1, Role: renovote.RoleAdmin}, e.now())
	if err != nil || !strings.HasPrefix(link, "https://vote.example.org/dashboard/login?t=") {
		t.Fatalf("link %q %v", link, err)
	}
	rec := httptest.NewRecorder()
	d2, _ := web.New(web.Config{Source: e.st, PublicURL: "https://vote.example.org", Now: e.clock.Now})
	d2.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, strings.TrimPrefix(link, "https://vote.example.org"), nil))
	if rec.Code != http.StatusForbidden {
		t.Errorf("another process's link: %d", rec.Code)
	}
	rec = httptest.NewRecorder()
	d1.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, strings.TrimPrefix(link, "https://vote.example.org"), nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Set-Cookie"), "Secure") {
		t.Errorf("own link over https: %d %q", rec.Code, rec.Header().Get("Set-Cookie"))
	}
	for _, bad := range []web.Config{
		{Source: e.st, PublicURL: "vote.example.org"},
		{Source: e.st, PublicURL: "ftp://vote.example.org"},
		{Source: e.st, PublicURL: "https://vote.example.org", Secret: []byte("short")},
		{PublicURL: "https://vote.example.org"},
	} {
		if _, err := web.New(bad); !errors.Is(err, renovote.ErrInvalid) {
			t.Errorf("New(%+v): %v", bad, err)
		}
	}
}

// The charts of package chart, drawn for the scope or one compound of it.
func TestCharts(t *testing.T) {
	e := newEnv(t)
	e.vote("jinrong", 0, renovote.ChoiceAgree)
	b := e.browser("")
	b.open(e.link(renovote.StaffMember{UserID: workerID, Role: renovote.RoleWorker, Compounds: []string{"jinrong"}}))
	if p := b.get("/dashboard/"); !strings.Contains(p.body, `<img src="chart/consent.png"`) {
		t.Errorf("the overview shows no chart:\n%s", p.body)
	}
	if p := b.get("/dashboard/c/jinrong"); !strings.Contains(p.body, `<img src="../chart/survey.png?c=jinrong"`) {
		t.Errorf("the compound page shows no chart")
	}
	for _, path := range []string{"/dashboard/chart/consent.png", "/dashboard/chart/survey.png?c=jinrong", "/dashboard/chart/response.png"} {
		p := b.get(path)
		if p.code != 200 || p.h.Get("Content-Type") != "image/png" || !strings.HasPrefix(p.body, "\x89PNG\r\n\x1a\n") {
			t.Errorf("%s: %d %s", path, p.code, p.h.Get("Content-Type"))
		}
	}
	for _, path := range []string{"/dashboard/chart/consent.png?c=liangmao", "/dashboard/chart/pie.png", "/dashboard/chart/survey.png?c=nosuch"} {
		if p := b.get(path); p.code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, p.code)
		}
	}
	if p := e.browser("").get("/dashboard/chart/consent.png"); p.code != http.StatusForbidden {
		t.Errorf("a chart without a session: %d", p.code)
	}
}

// plainSource hides the store's batch read of counters
// (report.CounterSource): the dashboard then reads compound by compound.
type plainSource struct{ web.Source }

func TestWithoutBatchCounters(t *testing.T) {
	e := newEnv(t)
	d, err := web.New(web.Config{Source: plainSource{e.st}, Secret: []byte("test secret of the dashboard"), PublicURL: e.srv.URL,
		Now: e.clock.Now, Poll: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d.Handler())
	defer srv.Close()
	e.vote("wuzhuangbu", 2, renovote.ChoiceAgree)
	link, _, err := d.Link(renovote.StaffMember{UserID: bureauID, Role: renovote.RoleBureau}, e.now())
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser("")
	b.open(strings.Replace(link, e.srv.URL, srv.URL, 1))
	p := b.get(srv.URL + "/dashboard/")
	if p.code != 200 || !strings.Contains(p.body, `data-k="wuzhuangbu.agree">1<`) {
		t.Fatalf("overview: %d\n%s", p.code, p.body)
	}
}

// The pages' cost on the seed programme (five compounds, 808 households),
// with a few votes: the overview reads the counters only, a compound's page
// also its register and votes.
func BenchmarkPages(b *testing.B) {
	e := newEnv(b)
	for i := range 20 {
		e.vote("laocaizhengju", i, renovote.ChoiceAgree)
	}
	br := e.browser("")
	br.open(e.link(renovote.StaffMember{UserID: bureauID, Role: renovote.RoleBureau}))
	for _, path := range []string{"/dashboard/", "/dashboard/c/laocaizhengju"} {
		b.Run(strings.Trim(path, "/"), func(b *testing.B) {
			for b.Loop() {
				if p := br.get(path); p.code != 200 {
					b.Fatalf("%s: %d", path, p.code)
				}
			}
		})
	}
}
