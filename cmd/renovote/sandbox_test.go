package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote/sandbox"
)

// waitLine waits for stdout to match re and returns the first group.
func waitLine(t *testing.T, out *syncBuffer, done <-chan error, stderr *syncBuffer, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("stopped early: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %v after 30s\nstdout:\n%s\nstderr:\n%s", re, out.String(), stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func postJSON(t *testing.T, url, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// runSandbox starts renovote sandbox with args and returns the page's base
// URL and a func that stops it (failing the test if it did not stop well).
func runSandbox(t *testing.T, args ...string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- dispatch(ctx, append([]string{"sandbox", "-addr", freeAddr(t)}, args...), envOf(map[string]string{"LOG_LEVEL": "warn"}), &stdout, &stderr)
	}()
	base := waitLine(t, &stdout, done, &stderr, regexp.MustCompile(`open (http://[0-9.:]+)/ in a browser`))
	stopped := false
	stop := func() {
		t.Helper()
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("sandbox: %v\nstderr:\n%s", err, stderr.String())
		}
	}
	t.Cleanup(stop)
	return base, stop
}

// waitChat polls a chat of the page until its JSON contains want.
func waitChat(t *testing.T, base string, uid int64, want string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, msgs := httpGet(t, base+"/api/chats/"+jsonInt(uid)+"/messages")
		if strings.Contains(msgs, want) {
			return msgs
		}
		if time.Now().After(deadline) {
			t.Fatalf("chat %d never showed %q: %s", uid, want, msgs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// renovote sandbox starts everything on one machine: a newcomer opens the
// printed address, picks a household member, confirms the address the bot
// shows, moves the clock, opens the bureau's dashboard. Stopped and started
// again on its directory, the sandbox has kept the binding, the chat and the
// clock; --reset starts over (and refuses to remove another directory).
func TestSandboxCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sb")
	base, stop := runSandbox(t, "-dir", dir)
	if st, body := httpGet(t, base+"/"); st != 200 || !strings.Contains(body, "renovote") {
		t.Fatalf("page: %d", st)
	}
	st, body := postJSON(t, base+"/api/open", `{"compound":"liangmao","household":"1-1-101","member":1}`)
	if st != 200 || !strings.Contains(body, `"invited":true`) {
		t.Fatalf("open: %d %s", st, body)
	}
	var uid struct {
		UserID int64 `json:"user_id"`
	}
	_ = json.Unmarshal([]byte(body), &uid)
	msgs := waitChat(t, base, uid.UserID, `"b:y"`)
	var ms []struct {
		ID int64 `json:"id"`
	}
	_ = json.Unmarshal([]byte(msgs), &ms)
	if st, body := postJSON(t, base+"/api/chats/"+jsonInt(uid.UserID)+"/press", fmt.Sprintf(`{"message_id":%d,"data":"b:y"}`, ms[len(ms)-1].ID)); st != 200 {
		t.Fatalf("press: %d %s", st, body)
	}
	waitChat(t, base, uid.UserID, "绑定成功")
	var clock struct {
		Text string `json:"text"`
	}
	_, body = postJSON(t, base+"/api/clock", `{"target":"tomorrow19"}`)
	if err := json.Unmarshal([]byte(body), &clock); err != nil || !strings.HasPrefix(clock.Text, "2020-05-02 19:00") {
		t.Fatalf("jump: %s", body)
	}
	// The bureau's dashboard opens from the page through a signed link.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(base + "/dashboard-link/" + jsonInt(sandbox.Bureau))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = browser.Get(base + "/dashboard/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "粮贸小区") {
		t.Errorf("the dashboard: %d\n%s", resp.StatusCode, page)
	}
	stop()
	for _, f := range []string{sandbox.ClockFile, sandbox.UsersFile, sandbox.TelegramFile, sandboxStoreDir} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("after the sandbox stopped: %v", err)
		}
	}

	// Again on the same directory: everything is where it was.
	base, stop = runSandbox(t, "-dir", dir)
	waitChat(t, base, uid.UserID, "绑定成功")
	if _, body := postJSON(t, base+"/api/open", `{"compound":"liangmao","household":"1-1-101","member":1}`); !strings.Contains(body, `"bound":true`) || !strings.Contains(body, jsonInt(uid.UserID)) {
		t.Errorf("reopened after a restart: %s", body)
	}
	if _, body := httpGet(t, base+"/api/clock"); !strings.Contains(body, `"text":"2020-05-02 19:0`) {
		t.Errorf("the clock after a restart: %s", body)
	}
	stop()

	// --reset: a new sandbox.
	base, stop = runSandbox(t, "-dir", dir, "--reset")
	if _, body := httpGet(t, base+"/api/info"); !strings.Contains(body, `"members":[]`) {
		t.Errorf("after --reset: %s", body)
	}
	if _, body := httpGet(t, base+"/api/clock"); !strings.Contains(body, `"text":"2020-05-01 10:0`) {
		t.Errorf("the clock after --reset: %s", body)
	}
	stop()

	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "thesis.tex"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	err = dispatch(context.Background(), []string{"sandbox", "-dir", other, "--reset", "-addr", freeAddr(t)}, envOf(nil), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "does not look like a sandbox directory") {
		t.Fatalf("--reset of another directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(other, "thesis.tex")); err != nil {
		t.Fatalf("--reset removed another directory's file: %v", err)
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

// renovote faketelegram serves the fake Bot API alone with its control API,
// with the users given.
func TestFakeTelegramCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- dispatch(ctx, []string{"faketelegram", "-addr", freeAddr(t), "-token", "4242:fake-token-for-tests", "-users", "42:Alice:en, 43:王芳"},
			envOf(nil), &stdout, &stderr)
	}()
	base := waitLine(t, &stdout, done, &stderr, regexp.MustCompile(`fake Telegram Bot API at (http://[0-9.:]+),`))
	if st, body := httpGet(t, base+"/bot4242:fake-token-for-tests/getMe"); st != 200 || !strings.Contains(body, `"id":4242`) {
		t.Errorf("getMe: %d %s", st, body)
	}
	if st, _ := httpGet(t, base+"/bot1:other-token-xyz/getMe"); st != 401 {
		t.Errorf("getMe with another token: %d, want 401", st)
	}
	if st, body := postJSON(t, base+"/_bottest/users/43/send", `{"text":"/start"}`); st != 200 || !strings.Contains(body, "update_id") {
		t.Fatalf("send: %d %s", st, body)
	}
	_, upd := httpGet(t, base+"/bot4242:fake-token-for-tests/getUpdates?timeout=0")
	if !strings.Contains(upd, `"first_name":"王芳"`) || !strings.Contains(upd, `"text":"/start"`) {
		t.Errorf("getUpdates: %s", upd)
	}
	// A bot in webhook mode gets its updates POSTed.
	got := make(chan string, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		select {
		case got <- r.Header.Get("X-Telegram-Bot-Api-Secret-Token") + " " + string(body):
		default:
		}
	}))
	defer hook.Close()
	if st, body := httpGet(t, base+"/bot4242:fake-token-for-tests/setWebhook?secret_token=s3cret&url="+url.QueryEscape(hook.URL)); st != 200 {
		t.Fatalf("setWebhook: %d %s", st, body)
	}
	postJSON(t, base+"/_bottest/users/42/send", `{"text":"/vote"}`)
	// The /start above, never confirmed by a getUpdates offset, goes first.
	for seen := false; !seen; {
		select {
		case upd := <-got:
			if !strings.HasPrefix(upd, "s3cret ") {
				t.Fatalf("webhook delivery without the secret: %s", upd)
			}
			seen = strings.Contains(upd, `"text":"/vote"`)
		case <-time.After(10 * time.Second):
			t.Fatal("no webhook delivery of /vote")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"x:Alice", "42", "-1:Bob", "42:"} {
		if _, err := parseFakeUsers(bad); err == nil {
			t.Errorf("-users %q accepted", bad)
		}
	}
}
