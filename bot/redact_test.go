package bot

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote/dialogs"
)

// A Bot API server that cannot be reached: the transport error quotes the
// request URL, token included. Neither the returned error nor the log may.
func TestTokenNeverLeaks(t *testing.T) {
	const token = "123456:SECRET-token-do-not-log"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now

	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = New(ctx, Config{Token: token, ServerURL: "http://" + addr, Handler: nopHandler{}, Dedupe: nopDedupe{}, Logger: log})
	if err == nil {
		t.Fatal("New succeeded against a closed port")
	}
	if strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("error carries the token: %v", err)
	}
	if !strings.Contains(err.Error(), "getMe") {
		t.Fatalf("error lost its detail: %v", err)
	}
	if e := redactErr(errors.New("Post http://x/bot"+token+"/getMe"), token); strings.Contains(e.Error(), "SECRET") || !strings.Contains(e.Error(), redacted) {
		t.Fatalf("redactErr: %v", e)
	}
	var ne net.Error
	if !errors.As(err, &ne) {
		t.Fatalf("error kind lost: %T %v", err, err)
	}

	rl := newRedactLogger(log, token)
	rl.Error("call failed "+token, "err", errors.New("Post http://x/bot"+token+"/getMe"), "url", "http://x/bot"+token,
		slog.Group("g", "inner", token))
	rl.With("base", token).Info("with")
	if strings.Contains(logs.String(), "SECRET") {
		t.Fatalf("log carries the token:\n%s", logs.String())
	}
	if strings.Count(logs.String(), redacted) < 5 {
		t.Fatalf("log lost the redacted values:\n%s", logs.String())
	}
}

type nopHandler struct{}

func (nopHandler) Handle(context.Context, dialogs.Input, time.Time) (dialogs.Response, error) {
	return dialogs.Response{}, nil
}

type nopDedupe struct{}

func (nopDedupe) FirstSeen(context.Context, int64) (bool, error) { return true, nil }
