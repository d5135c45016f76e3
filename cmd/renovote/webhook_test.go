package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote/bot"
	"github.com/renovote/renovote/bot/bottest"
)

// An operator runs the bot in webhook mode behind a proxy: Telegram posts the
// updates, a resident's /start is answered through it; the webhook stays
// when the bot stops (other replicas serve it), and `renovote webhook`
// shows and deletes it.
func TestRunWebhook(t *testing.T) {
	srv := bottest.NewServer(t, bottest.WithWebhookDelivery(bottest.WebhookOptions{}))
	invites := filepath.Join(t.TempDir(), "invites.csv")
	addr := freeAddr(t)
	hook := "http://" + addr + "/tg/hook"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	env := envOf(map[string]string{"LOG_LEVEL": "warn", "RENOVOTE_WEBHOOK_ADDR": addr, "RENOVOTE_DATA": t.TempDir()})
	go func() {
		done <- dispatch(ctx, []string{"run", "-token", srv.Token, "-api-url", srv.URL, "-webhook-url", hook,
			"-programme", seedProgramme, "-register", seedRegister, "-invites-out", invites}, env, &stdout, &stderr)
	}()
	var rows []invitation
	for deadline := time.Now().Add(20 * time.Second); len(rows) != 808; time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("run stopped early: %v\nstderr:\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no complete invitation sheet after 20s\nstderr:\n%s", stderr.String())
		}
		if data, err := os.ReadFile(invites); err == nil && strings.HasSuffix(string(data), "\n") {
			rows = readInvites(t, string(data))
		}
	}
	w := srv.Webhook()
	if w.URL != hook || w.SecretToken != bot.DeriveWebhookSecret(srv.Token) {
		t.Errorf("webhook set = %+v", w)
	}

	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	defer wcancel()
	wang := srv.User(4242, "王", "zh")
	id := wang.Send("/start " + rows[0].code)
	if _, err := srv.WaitForMessage(wctx, wang.ID, func(m bottest.Message) bool { return m.FromBot && m.HasCallbackData("b:y") }); err != nil {
		t.Fatalf("no confirmation through the webhook: %v\nstderr:\n%s", err, stderr.String())
	}
	if ds, err := srv.WaitWebhookAccepted(wctx, id); err != nil || len(ds) != 1 {
		t.Errorf("deliveries of /start: %+v, %v", ds, err)
	}

	admin := &staff{t: t, env: map[string]string{"TELEGRAM_TOKEN": srv.Token, "TELEGRAM_API_URL": srv.URL}}
	wantContains(t, "webhook info", admin.ok("webhook", "info"),
		"webhook: "+hook, "pending updates: 0", "max connections: 40", "allowed updates: message, callback_query")

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after cancel: %v\nstderr:\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not stop within 20s of the cancel")
	}
	if srv.Webhook().URL != hook {
		t.Error("the webhook was deleted when the bot stopped")
	}
	if strings.Contains(stderr.String(), srv.Token) || strings.Contains(stderr.String(), w.SecretToken) {
		t.Error("the log shows the token or the webhook secret")
	}

	// Updates wait for the bot meanwhile; then the operator goes back to
	// long polling, dropping them.
	wang.Send("/vote")
	wantContains(t, "webhook info", admin.ok("webhook", "info"), "pending updates: 1")
	wantContains(t, "webhook delete", admin.ok("webhook", "delete", "-drop-pending"), "webhook deleted", "dropped")
	wantContains(t, "webhook info", admin.ok("webhook", "info"), "webhook: none", "pending updates: 0")
	if err := admin.fails("webhook", "list"); !strings.Contains(err.Error(), "unknown") {
		t.Errorf("webhook list: %v", err)
	}
	admin.env = map[string]string{}
	wantContains(t, "webhook info without a token", admin.fails("webhook", "info").Error(), "TELEGRAM_TOKEN (-token) is missing")
}

// Webhook settings are checked with the others.
func TestWebhookConfigProblems(t *testing.T) {
	s := &staff{t: t}
	for _, c := range []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{"RENOVOTE_WEBHOOK_URL": "https://vote.example.org/tg"}, []string{"1 problem(s)", "needs RENOVOTE_WEBHOOK_ADDR"}},
		{map[string]string{"RENOVOTE_WEBHOOK_URL": "http://vote.example.org/tg", "RENOVOTE_WEBHOOK_ADDR": ":8081"}, []string{"1 problem(s)", "is not an https URL"}},
		{map[string]string{"RENOVOTE_WEBHOOK_URL": "https://vote.example.org/tg?x=1", "RENOVOTE_WEBHOOK_ADDR": ":8081"}, []string{"1 problem(s)", "is not an https URL"}},
		{map[string]string{"RENOVOTE_WEBHOOK_URL": "https://vote.example.org/tg", "RENOVOTE_WEBHOOK_ADDR": "8081"}, []string{"1 problem(s)", "RENOVOTE_WEBHOOK_ADDR (-webhook-addr)"}},
		{map[string]string{"RENOVOTE_WEBHOOK_URL": "https://vote.example.org/tg", "RENOVOTE_WEBHOOK_ADDR": ":8081", "RENOVOTE_HTTP_ADDR": ":8081"}, []string{"1 problem(s)", "must differ"}},
		{map[string]string{"RENOVOTE_WEBHOOK_SECRET": "has space"}, []string{"1 problem(s)", "RENOVOTE_WEBHOOK_SECRET (-webhook-secret)"}},
	} {
		c.env["TELEGRAM_TOKEN"] = "123:abcdefghijklmnop"
		s.env = c.env
		msg := s.fails("run").Error()
		wantContains(t, "error", msg, c.want...)
		if strings.Contains(msg, "has space") {
			t.Errorf("the secret is repeated in the error:\n%s", msg)
		}
	}
	for _, good := range []string{"https://vote.example.org/tg/hook", "https://vote.example.org:8443/", "http://127.0.0.1:9/hook"} {
		if !webhookURLOK(good) {
			t.Errorf("%s refused", good)
		}
	}
}
