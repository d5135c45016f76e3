package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote/bot/bottest"
)

// A developer starts the bot without Redis against a fake Telegram, with the
// seed programme, register and an invitation sheet; a resident opens a link.
// The data is kept in the data directory's SQLite store, there after the stop.
func TestRunSmoke(t *testing.T) {
	srv := bottest.NewServer(t)
	invites := filepath.Join(t.TempDir(), "invites.csv")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	dataDir := t.TempDir()
	env := map[string]string{"LOG_LEVEL": "warn", "RENOVOTE_DATA": dataDir} // no REDIS_URL, whatever the process has
	httpAddr := freeAddr(t)
	env["RENOVOTE_HTTP_ADDR"] = httpAddr
	go func() {
		done <- dispatch(ctx, []string{"run", "-token", srv.Token, "-api-url", srv.URL,
			"-programme", seedProgramme, "-register", seedRegister, "-invites-out", invites},
			envOf(env), &stdout, &stderr)
	}()

	// The sheet is written once the bot knows its username, before polling.
	var rows []invitation
	deadline := time.Now().Add(20 * time.Second)
	for len(rows) != 808 {
		select {
		case err := <-done:
			t.Fatalf("run stopped early: %v\nstderr:\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no complete invitation sheet after 20s (%d rows)\nstderr:\n%s", len(rows), stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
		data, err := os.ReadFile(invites)
		if err != nil || !strings.HasSuffix(string(data), "\n") {
			continue
		}
		rows = readInvites(t, string(data))
	}
	for _, r := range rows {
		if !strings.HasPrefix(r.link, "https://t.me/"+srv.BotUsername()+"?start=") || len(r.code) != 22 {
			t.Fatalf("link %q (bot %s)", r.link, srv.BotUsername())
		}
	}

	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	defer wcancel()
	wang := srv.User(4242, "王", "zh")
	wang.Send("/start " + rows[0].code)
	m, err := srv.WaitForMessage(wctx, wang.ID, func(m bottest.Message) bool { return m.FromBot && m.HasCallbackData("b:y") })
	if err != nil {
		t.Fatalf("no confirmation with a b:y button: %v\ntranscript: %v\nstderr:\n%s", err, wang.Messages(), stderr.String())
	}
	if !strings.Contains(m.Text, "粮贸小区") {
		t.Errorf("confirmation does not name the compound: %q", m.Text)
	}

	// The operations server: healthy, and the /start counted.
	if code, body := httpGet(t, "http://"+httpAddr+"/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, body := httpGet(t, "http://"+httpAddr+"/metrics")
		if strings.Contains(body, `renovote_updates_total{kind="message"} 1`) && strings.Contains(body, "renovote_outbox_pending 0") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics without the update or the outbox gauge:\n%s", body)
		}
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
	if _, err := http.Get("http://" + httpAddr + "/healthz"); err == nil {
		t.Error("the HTTP server still answers after run returned")
	}
	wantContains(t, "stderr", stderr.String(), "liangmao 粮贸小区: 55 added")
	if strings.Contains(stderr.String(), memoryWarning) {
		t.Errorf("the SQLite store was announced as in-memory:\n%s", stderr.String())
	}
	// What the bot wrote is in the data directory after it stopped.
	kept := &staff{t: t, env: map[string]string{"RENOVOTE_DATA": dataDir}}
	wantContains(t, "tally", kept.ok("tally"), "粮贸小区")
	if stdout.String() != "" {
		t.Errorf("run wrote to stdout: %q", stdout.String())
	}
}

// freeAddr is a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}
