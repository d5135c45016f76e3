package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
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

// renovote sandbox starts everything on one machine: a newcomer opens the
// printed address, picks a household member and is asked by the bot to
// confirm the address; stopping it leaves the sandbox's files in its
// directory, which --reset removes (and refuses to do for another directory).
func TestSandboxCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sb")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- dispatch(ctx, []string{"sandbox", "-dir", dir, "-addr", freeAddr(t)}, envOf(map[string]string{"LOG_LEVEL": "warn"}), &stdout, &stderr)
	}()
	base := waitLine(t, &stdout, done, &stderr, regexp.MustCompile(`open (http://[0-9.:]+)/ in a browser`))
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
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, msgs := httpGet(t, base+"/api/chats/"+jsonInt(uid.UserID)+"/messages")
		if strings.Contains(msgs, `"b:y"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the bot never asked to confirm the address: %s\nstderr:\n%s", msgs, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("sandbox: %v\nstderr:\n%s", err, stderr.String())
	}
	for _, f := range []string{sandbox.ClockFile, sandbox.UsersFile, sandbox.TelegramFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("after the sandbox stopped: %v", err)
		}
	}

	if err := resetSandboxDir(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("--reset left %s: %v", dir, err)
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "thesis.tex"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := dispatch(context.Background(), []string{"sandbox", "-dir", other, "--reset", "-addr", freeAddr(t)}, envOf(nil), io.Discard, io.Discard)
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
