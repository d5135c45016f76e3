package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/bot"
	"github.com/renovote/renovote/dialogs"
	"github.com/renovote/renovote/register"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/web"
)

// chromium finds Debian's chromium. Without it the browser test is skipped,
// unless RENOVOTE_REQUIRE_CHROMIUM is set (CI sets it), when it fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "chromium is not installed (apt-get install -y chromium): the browser test of the dashboard does not run"
	if os.Getenv("RENOVOTE_REQUIRE_CHROMIUM") != "" {
		t.Fatal(msg + ", and RENOVOTE_REQUIRE_CHROMIUM is set")
	}
	t.Skip(msg)
	return ""
}

// dashboardWorld is the bot of newWorld with the web dashboard on: the
// engine gets DashboardLink, the dashboard is served by an HTTP server of
// its own, on the bot's clock.
func dashboardWorld(t *testing.T) (*world, *httptest.Server) {
	t.Helper()
	var h http.Handler
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(hs.Close)
	w := newWorldWith(t, func(cfg *bot.Config) {
		st := cfg.Dedupe.(*store.Store)
		d, err := web.New(web.Config{Source: st, Secret: []byte("the e2e dashboard secret"), PublicURL: hs.URL, Now: cfg.Now,
			Poll: 100 * time.Millisecond, Logger: cfg.Logger,
			Member: func(ctx context.Context, id int64) (renovote.StaffMember, bool, error) {
				if id == adminID {
					return renovote.StaffMember{UserID: id, Role: renovote.RoleAdmin, Compounds: []string{renovote.AllCompounds}}, true, nil
				}
				return st.StaffMember(ctx, id)
			}})
		if err != nil {
			t.Fatal(err)
		}
		dh := d.Handler()
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/dashboard/chart/") && !strings.HasPrefix(r.URL.Path, "/dashboard/chart/consent.png") {
				t.Errorf("the browser asked for %s, which it should not", r.URL.Path)
			}
			dh.ServeHTTP(w, r)
		})
		cfg.Handler = dialogs.New(dialogs.Config{Store: st, Admins: []int64{adminID}, Logger: cfg.Logger, XLSX: register.WriteXLSX,
			DashboardLink: d.Link})
	})
	return w, hs
}

var dashboardLinkRE = regexp.MustCompile(`https?://\S+/dashboard/login\?t=[A-Za-z0-9_.-]+`)

// TestDashboardInBrowser: the bureau asks the bot for /dashboard and opens
// the link in headless Chromium: the overview shows the five seed
// compounds; residents vote through Telegram and the page's numbers change
// in place; the workbook downloads; an expired and a forged link are refused.
func TestDashboardInBrowser(t *testing.T) {
	exe := chromium(t)
	w, hs := dashboardWorld(t)

	bureau := w.srv.User(700101, "住建局", "zh-hans")
	if err := w.st.SetStaff(w.ctx, renovote.StaffMember{UserID: bureau.ID, Role: renovote.RoleBureau, AddedBy: "test", Added: w.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	link := dashboardLinkRE.FindString(w.say(bureau, "/dashboard", contains("/dashboard/login?t=")).Text)
	if !strings.HasPrefix(link, hs.URL+"/dashboard/login?t=") {
		t.Fatalf("no dashboard link in the reply:\n%s", transcript(bureau))
	}
	// A resident gets none.
	resident := w.srv.User(700102, "居民", "zh-hans")
	if m := w.say(resident, "/dashboard", anyMsg); strings.Contains(m.Text, "/dashboard/login") {
		t.Fatalf("a resident got a link: %q", m.Text)
	}

	ctx, cancel := context.WithTimeout(w.ctx, 60*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.Flag("lang", "zh-CN"))
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	fail := func(what string, err error) {
		t.Helper()
		html, _ := chromedp.Run(bctx, chromedp.OuterHTML(chromedp.CSS("html")))
		t.Fatalf("%s: %v\npage:\n%s", what, err, html)
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			fail(what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			fail("text of "+sel, err)
		}
		return s
	}
	cell := func(key string) chromedp.CSS { return chromedp.CSS(fmt.Sprintf(`[data-k=%q]`, key)) }
	waitText := func(key, want string) chromedp.Action[chromedp.Void] {
		return chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).textContent === %q`, string(cell(key)), want),
			chromedp.WithPollingTimeout(20*time.Second))
	}

	// Open the link: the overview of every compound, live.
	do("set up the browser",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
				Headers: network.Headers{"Accept-Language": "zh-CN,zh;q=0.9"}}); err != nil {
				return err
			}
			// Of the charts, only the consent chart is drawn here (drawing
			// is slow under the race detector; web's tests draw them all).
			_, err := chromedp.Call(ctx, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: []*network.BlockPattern{
				{URLPattern: "*://*:*/dashboard/chart/survey.png*", Block: true},
				{URLPattern: "*://*:*/dashboard/chart/response.png*", Block: true}}})
			return err
		}))
	dir, events := t.TempDir(), true
	if _, err := chromedp.CallBrowser(bctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &events}); err != nil {
		t.Fatal(err)
	}
	downloads := chromedp.BrowserEvents(bctx, browser.DownloadProgress)
	do("open the link",
		chromedp.Navigate(link),
		chromedp.WaitVisible(cell("liangmao.voted")),
		chromedp.WaitVisible(chromedp.CSS("#live.on")))
	table := text("table")
	for _, c := range w.p.Compounds {
		if !strings.Contains(table, c.Name) {
			t.Errorf("the overview lacks %s:\n%s", c.Name, table)
		}
	}
	if !strings.Contains(table, "同意户数/总户数 ≥ 2/3") {
		t.Errorf("the overview lacks the rule test:\n%s", table)
	}
	if _, err := chromedp.Run(bctx, chromedp.Poll[chromedp.Void](`(function(){var i=document.querySelector('img[src="chart/consent.png"]');return i&&i.complete&&i.naturalWidth>0;})()`,
		chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		fail("the consent chart", err)
	}

	// Residents of 粮贸小区 vote through Telegram; the page follows.
	const compound = "liangmao"
	codes := w.invites(compound)
	choices := []renovote.Choice{renovote.ChoiceAgree, renovote.ChoiceAgree, renovote.ChoiceAgree, renovote.ChoiceDisagree}
	for i, c := range choices {
		u := w.srv.User(int64(710000+i), fmt.Sprintf("居民%d", i), "zh-hans")
		w.bind(u, codes[w.hhs[compound][i].ID])
		w.vote(u, c)
	}
	tally := w.tally(compound)
	if tally.Agree != 3 || tally.Disagree != 1 {
		t.Fatalf("tally %+v", tally)
	}
	do("watch the numbers change",
		waitText(compound+".voted", "4"),
		waitText(compound+".agree", "3"),
		waitText(compound+".disagree", "1"),
		waitText(compound+".bound", "4"),
		waitText(compound+".t0.value", fmt.Sprintf("3 / %d", tally.Households)))
	width, err := chromedp.Run(bctx, chromedp.AttributeValue(chromedp.CSS(`[data-bar="liangmao.t0"]`), "style"))
	if err != nil || width.Value == "" || strings.Contains(width.Value, "width: 0%") || strings.Contains(width.Value, "width:0%") {
		t.Errorf("the bar of 粮贸小区 did not grow: %q %v", width.Value, err)
	}

	// Download the workbook of every compound.
	do("download the workbook", chromedp.Click(chromedp.CSS(`a.download`)))
	var path string
	for ev, err := range downloads {
		if err != nil {
			t.Fatalf("the workbook was not downloaded: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			path = filepath.Join(dir, ev.GUID)
			break
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the download was cancelled")
		}
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("汇总")
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(w.p.Compounds) {
		t.Fatalf("汇总 has %d rows, want a header and %d compounds: %v", len(rows), len(w.p.Compounds), rows)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	var found bool
	for _, r := range rows[1:] {
		if r[0] == "粮贸小区" {
			found = true
			if r[col["同意户数"]] != "3" || r[col["不同意户数"]] != "1" {
				t.Errorf("粮贸小区 in the workbook: %v (header %v)", r, rows[0])
			}
		}
	}
	if !found {
		t.Errorf("the workbook lacks 粮贸小区: %v", rows)
	}

	// The compound's page: its buildings, and the vote there too.
	do("open the compound",
		chromedp.Click(chromedp.CSS(`a[href="c/liangmao"]`)),
		chromedp.WaitVisible(cell("liangmao.b0.voted")))
	buildings := text("body")
	for _, want := range []string{"楼栋", "改造需求调查", "通知及送达情况"} {
		if !strings.Contains(buildings, want) {
			t.Errorf("the compound page lacks %s", want)
		}
	}

	// A link whose ten minutes have passed, and a forged one, are refused.
	stale := dashboardLinkRE.FindString(w.say(bureau, "/dashboard", contains("/dashboard/login?t=")).Text)
	w.clock.Set(w.clock.Now().Add(web.DefaultLinkTTL + time.Minute))
	refused := func(what, u, want string) {
		t.Helper()
		resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(u))
		if err != nil {
			fail(what, err)
		}
		if body := text("body"); resp.Status != http.StatusForbidden || !strings.Contains(body, want) {
			t.Errorf("%s: %d %q, want 403 saying %q", what, resp.Status, body, want)
		}
	}
	refused("expired link", stale, "链接已过期")
	i := strings.LastIndexByte(link, '.') + 1
	forged := link[:i] + strings.Map(func(r rune) rune {
		if r == 'A' {
			return 'B'
		}
		return 'A'
	}, link[i:i+1]) + link[i+1:]
	refused("forged link", forged, "链接无效")
}
