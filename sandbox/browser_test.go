package sandbox_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/sandbox"
)

var update = flag.Bool("update", false, "save the browser test's screenshots to docs/sandbox/")

// chromium finds Debian's chromium. Without it the browser test is skipped,
// unless RENOVOTE_REQUIRE_CHROMIUM is set (CI sets it), when it fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "chromium is not installed (apt-get install -y chromium): the browser test of the sandbox does not run"
	if os.Getenv("RENOVOTE_REQUIRE_CHROMIUM") != "" {
		t.Fatal(msg + ", and RENOVOTE_REQUIRE_CHROMIUM is set")
	}
	t.Skip(msg)
	return ""
}

// TestStoryInBrowser walks the sandbox's story in headless Chromium. 35
// households of 粮贸小区 (55 households; the county rule needs 37 agreeing)
// have agreed on paper already. On the page, a resident opens the
// household's invitation, confirms the address and agrees; the compound's
// worker, in a chat beside it, records a paper ballot with a photo uploaded
// from the computer, and broadcasts a notice that the resident's chat then
// shows. The clock moves to the ballot's close; the bureau's /report and its
// dashboard show 粮贸小区 passing with exactly 37 of 55.
func TestStoryInBrowser(t *testing.T) {
	exe := chromium(t)
	w := newWorld(t)
	const compound = "liangmao"
	hhs, err := w.st.Households(w.ctx, compound)
	if err != nil || len(hhs) != 55 || hhs[0].ID != "1-1-101" || hhs[1].ID != "1-1-102" {
		t.Fatalf("the register of %s: %d households, %v", compound, len(hhs), err)
	}
	for i, h := range hhs[2:37] {
		if _, err := w.st.CastVote(w.ctx, renovote.VoteCmd{Ref: h.Ref(), Choice: renovote.ChoiceAgree, Channel: renovote.ChannelPaper,
			Actor: "cli:社区", OpID: fmt.Sprintf("seed:%d", i), ReceiptID: renovote.NewReceiptID(), At: w.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	photo := filepath.Join(t.TempDir(), "ballot.png")
	if err := os.WriteFile(photo, pngOf(t, 64, 48), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(w.ctx, 4*time.Minute)
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
	// until polls a JavaScript expression until it is true.
	untilWithin := func(what, js string, d time.Duration) {
		t.Helper()
		do(what, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(d)))
	}
	until := func(what, js string) {
		t.Helper()
		untilWithin(what, js, 30*time.Second)
	}
	pane := func(uid int64) string { return fmt.Sprintf(`section.chat[data-user="%d"]`, uid) }
	// press clicks the last button of the chat whose callback data starts
	// with prefix (and ends with suffix), as soon as there is one.
	press := func(uid int64, prefix, suffix string) {
		t.Helper()
		sel := fmt.Sprintf(`%s button.kb[data-data^=%q]`, pane(uid), prefix)
		if suffix != "" { // [attr$=""] matches nothing
			sel += fmt.Sprintf(`[data-data$=%q]`, suffix)
		}
		until("press "+prefix+"…"+suffix, fmt.Sprintf(`(() => { const b = [...document.querySelectorAll(%q)].pop(); if (!b || b.disabled) return false; b.click(); return true; })()`, sel))
	}
	// shows waits until a message of the chat contains text.
	shows := func(uid int64, text string) {
		t.Helper()
		until(fmt.Sprintf("user %d sees %q", uid, text),
			fmt.Sprintf(`[...document.querySelectorAll(%q)].some(e => e.textContent.includes(%q))`, pane(uid)+" .msg", text))
	}
	count := func(uid int64, text string) int {
		t.Helper()
		n, err := chromedp.Run(bctx, chromedp.Evaluate[int](fmt.Sprintf(`[...document.querySelectorAll(%q)].filter(e => e.textContent.includes(%q)).length`, pane(uid)+" .msg", text)))
		if err != nil {
			fail("count", err)
		}
		return n
	}
	say := func(uid int64, text string) {
		t.Helper()
		do(fmt.Sprintf("user %d says %q", uid, text),
			chromedp.SetValue(chromedp.CSS(pane(uid)+` input[name=text]`), text),
			chromedp.Click(chromedp.CSS(pane(uid)+` button.send`)))
	}
	choose := func(sel, value string) {
		t.Helper()
		until("choose "+value+" in "+sel, fmt.Sprintf(`(() => { const s = document.querySelector(%q); if (![...s.options].some(o => o.value === %q)) return false;
			if (s.value !== %[2]q) { s.value = %[2]q; s.dispatchEvent(new Event("change")); } return true; })()`, sel, value))
	}
	shot := func(name string) {
		t.Helper()
		until("the toasts are gone", `[...document.querySelectorAll(".toast")].every(e => !e.textContent)`)
		png, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
		if err != nil {
			fail("screenshot", err)
		}
		if *update {
			dir := filepath.Join("..", "docs", "sandbox")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}

	do("open the page",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			_, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
				Headers: network.Headers{"Accept-Language": "zh-CN,zh;q=0.9"}})
			return err
		}),
		chromedp.EmulateViewport(1500, 900))
	do("navigate", chromedp.Navigate(w.srv.URL+"/"))
	do("load the page",
		chromedp.WaitReady(chromedp.CSS(`html[lang="zh"] #compound option[value="liangmao"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button.staff[data-user="8000"]`)))
	until("the clock shows the sandbox's time", `document.querySelector("#clock").textContent.startsWith("2020-05-10 10:0")`)

	// The resident: 粮贸小区 1栋 1单元 101, member 1.
	resident := sandbox.FirstResident
	choose("#compound", compound)
	choose("#building", "1栋")
	choose("#unit", "1单元")
	choose("#room", "101")
	choose("#member", "1")
	do("open the resident's chat", chromedp.Click(chromedp.CSS("#open-member")), chromedp.WaitVisible(chromedp.CSS(pane(resident))))
	shows(resident, "请确认这是您家")
	press(resident, "b:y", "")
	shows(resident, "绑定成功")
	say(resident, "/vote")
	press(resident, "v:a:", "")
	shows(resident, "回执号")
	until("the ballot is replaced by the receipt in place",
		fmt.Sprintf(`[...document.querySelectorAll(%q)].some(e => e.dataset.edits === "1" && e.textContent.includes("回执号"))`, pane(resident)+" .msg"))

	// The worker, beside: a paper ballot with its photo, then a notice.
	worker := sandbox.WorkerBase
	do("open the worker's chat", chromedp.Click(chromedp.CSS(fmt.Sprintf(`button.staff[data-user="%d"]`, worker))), chromedp.WaitVisible(chromedp.CSS(pane(worker))))
	say(worker, "/paper")
	shows(worker, "请输入门牌号")
	say(worker, "1-1-102")
	press(worker, "p:v:paper:a", "")
	shows(worker, "请发送表决票照片")
	do("upload the photo of the ballot", chromedp.SetUploadFiles(chromedp.CSS(pane(worker)+` input[type=file]`), []string{photo}))
	until("the photo shows in the worker's chat", fmt.Sprintf(`!!document.querySelector(%q)`, pane(worker)+` .msg.me img`))
	press(worker, "p:ok", "")
	shows(worker, "已记录")
	const notice = "5月15日晚7点在小区广场开居民会，讨论改造方案。"
	say(worker, "/notice")
	press(worker, "n:", ":ba")
	shows(worker, "第 3/4 步")
	say(worker, notice)
	press(worker, "n:", ":now")
	press(worker, "n:", ":ok")
	shows(resident, notice)
	if n := count(resident, notice); n != 1 {
		t.Errorf("the resident's chat shows the notice %d times", n)
	}
	tally, err := w.st.Tally(w.ctx, compound)
	if err != nil || tally.Agree != 37 || tally.Voted != 37 {
		t.Fatalf("tally before the close: %+v %v", tally, err)
	}
	shot("chat.png")

	// The clock moves to the close of 粮贸小区's ballot.
	choose("#target", "close:"+compound)
	do("jump to the close", chromedp.Click(chromedp.CSS("#jump")))
	until("the clock is at the close", `document.querySelector("#clock").textContent.startsWith("2020-05-21 00:0")`)
	// The jump runs the scheduled jobs of six days: 12 s alone, more than 30 s
	// under the whole test suite with -race.
	untilWithin("the page lists the jobs run", `document.querySelector("#runs").textContent.includes("remind")`, 2*time.Minute)

	// The bureau: /report in chat, then the dashboard.
	do("open the bureau's chat", chromedp.Click(chromedp.CSS(`button.staff[data-user="8000"]`)), chromedp.WaitVisible(chromedp.CSS(pane(sandbox.Bureau))))
	say(sandbox.Bureau, "/report")
	shows(sandbox.Bureau, "粮贸小区")
	report, err := chromedp.Run(bctx, chromedp.Evaluate[string](fmt.Sprintf(`[...document.querySelectorAll(%q)].map(e => e.textContent).join("\n")`, pane(sandbox.Bureau)+" .msg")))
	if err != nil || !strings.Contains(report, "37") {
		t.Errorf("the bureau's /report lacks 37 (%v):\n%s", err, report)
	}
	link, err := chromedp.Run(bctx, chromedp.AttributeValue(chromedp.CSS(pane(sandbox.Bureau)+` a.dash`), "href"))
	if err != nil || !strings.Contains(link.Value, "/dashboard-link/"+strconv.FormatInt(sandbox.Bureau, 10)) {
		t.Fatalf("the bureau's chat has no dashboard link: %+v %v", link, err)
	}
	// /dashboard in chat gives the same kind of signed link, clickable.
	say(sandbox.Bureau, "/dashboard")
	chatLink := pane(sandbox.Bureau) + ` .msg a[href*="/dashboard/login?t="]`
	do("the link in the chat", chromedp.WaitVisible(chromedp.CSS(chatLink)))
	href, err := chromedp.Run(bctx, chromedp.AttributeValue(chromedp.CSS(chatLink), "href"))
	if err != nil || !strings.HasPrefix(href.Value, w.srv.URL+"/dashboard/login?t=") {
		t.Fatalf("the dashboard link in the bureau's chat: %+v %v", href, err)
	}
	do("open the dashboard",
		chromedp.Navigate(href.Value),
		chromedp.WaitVisible(chromedp.CSS(`[data-k="liangmao.agree"]`)))
	agree, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`[data-k="liangmao.agree"]`)))
	if err != nil || agree != "37" {
		t.Errorf("the dashboard shows %q agreeing in 粮贸小区 (%v), want 37", agree, err)
	}
	value, _ := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`[data-k="liangmao.t0.value"]`)))
	if value != "37 / 55" {
		t.Errorf("the rule test shows %q, want 37 / 55", value)
	}
	verdict, err := chromedp.Run(bctx, chromedp.AttributeValue(chromedp.CSS(`[data-k="liangmao.verdict"]`), "class"))
	if err != nil || !strings.Contains(verdict.Value, "ok") {
		t.Errorf("粮贸小区 is not passing on the dashboard: class %q (%v)", verdict.Value, err)
	}
	for _, c := range w.p.Compounds[1:] {
		if v, _ := chromedp.Run(bctx, chromedp.AttributeValue(chromedp.CSS(fmt.Sprintf(`[data-k="%s.verdict"]`, c.ID)), "class")); !strings.Contains(v.Value, "no") {
			t.Errorf("%s passes on the dashboard with no votes: %q", c.Name, v.Value)
		}
	}
	shot("dashboard.png")
}

func pngOf(t *testing.T, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{uint8(200 - x), uint8(120 + y), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
