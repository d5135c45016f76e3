package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote/bot/bottest"
)

// The dashboard's settings: the public URL needs the HTTP server, a secret
// must be long enough (and is never echoed).
func TestDashboardConfig(t *testing.T) {
	s := &staff{t: t}
	tok := "123:abcdefghijklmnop"
	s.env = map[string]string{"TELEGRAM_TOKEN": tok, "RENOVOTE_PUBLIC_URL": "https://vote.example.org"}
	wantContains(t, "error", s.fails("run").Error(), "1 problem(s)", "RENOVOTE_PUBLIC_URL (-public-url) needs RENOVOTE_HTTP_ADDR")
	s.env = map[string]string{"TELEGRAM_TOKEN": tok, "RENOVOTE_HTTP_ADDR": "127.0.0.1:1", "RENOVOTE_PUBLIC_URL": "vote.example.org"}
	wantContains(t, "error", s.fails("run").Error(), "1 problem(s)", "RENOVOTE_PUBLIC_URL (-public-url): \"vote.example.org\" is not an http(s) URL")
	s.env = map[string]string{"TELEGRAM_TOKEN": tok, "RENOVOTE_DASHBOARD_SECRET": "hunter2"}
	msg := s.fails("run").Error()
	wantContains(t, "error", msg, "1 problem(s)", "RENOVOTE_DASHBOARD_SECRET (-dashboard-secret): 7 characters, at least 16")
	if strings.Contains(msg, "hunter2") {
		t.Errorf("the secret is repeated in the error:\n%s", msg)
	}
}

// The bot started with the dashboard on: an admin's /dashboard gives a link
// to the same HTTP server as /healthz, which opens the overview.
func TestRunDashboard(t *testing.T) {
	srv := bottest.NewServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	addr := freeAddr(t)
	env := map[string]string{"LOG_LEVEL": "warn", "RENOVOTE_HTTP_ADDR": addr, "RENOVOTE_PUBLIC_URL": "http://" + addr + "/",
		"RENOVOTE_ADMINS": "4243", "RENOVOTE_DASHBOARD_SECRET": "a secret for the run test", "RENOVOTE_DATA": t.TempDir()}
	done := make(chan error, 1)
	go func() {
		done <- dispatch(ctx, []string{"run", "-token", srv.Token, "-api-url", srv.URL, "-programme", seedProgramme, "-register", seedRegister},
			envOf(env), io.Discard, &stderr)
	}()
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	admin := srv.User(4243, "管理员", "zh")
	admin.Send("/dashboard")
	m, err := srv.WaitForMessage(wctx, admin.ID, func(m bottest.Message) bool { return m.FromBot && strings.Contains(m.Text, "/dashboard/login?t=") })
	if err != nil {
		t.Fatalf("no dashboard link: %v\n%v\nstderr:\n%s", err, admin.Messages(), stderr.String())
	}
	link := regexp.MustCompile(`http://\S+`).FindString(m.Text)
	if !strings.HasPrefix(link, "http://"+addr+"/dashboard/login?t=") {
		t.Fatalf("link %q", link)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	get := func(u string) (int, string) {
		t.Helper()
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("http://" + addr + "/dashboard/"); code != http.StatusForbidden {
		t.Errorf("overview without the link: %d", code)
	}
	if code, body := get(link); code != 200 {
		t.Fatalf("open the link: %d\n%s", code, body)
	}
	code, body := get("http://" + addr + "/dashboard/")
	if code != 200 {
		t.Fatalf("overview: %d\n%s", code, body)
	}
	for _, name := range []string{"粮贸小区", "老中医院小区", "武装部小区", "老财政局小区", "金融小区", "管理员"} {
		if !strings.Contains(body, name) {
			t.Errorf("overview lacks %s", name)
		}
	}
	if code, body := get("http://" + addr + "/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz beside the dashboard: %d %q", code, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after cancel: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not stop within 20s of the cancel")
	}
}
