package bottest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"

	"github.com/renovote/renovote/bot/bottest"
)

// testCtx is a context that ends with the test (or after 10s).
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// newClient returns a go-telegram client for srv (it calls getMe).
func newClient(t *testing.T, srv *bottest.Server, opts ...bot.Option) *bot.Bot {
	t.Helper()
	all := append([]bot.Option{
		bot.WithServerURL(srv.URL),
		bot.WithErrorsHandler(func(error) {}),
	}, opts...)
	b, err := bot.New(srv.Token, all...)
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	return b
}

// errs collects errors from handler goroutines, reported at test end.
type errs struct {
	mu   sync.Mutex
	list []error
}

func (e *errs) add(err error) {
	if err == nil {
		return
	}
	e.mu.Lock()
	e.list = append(e.list, err)
	e.mu.Unlock()
}

func (e *errs) check(t *testing.T) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, err := range e.list {
		t.Errorf("handler error: %v", err)
	}
}

// runBot starts a polling client with handler h and stops it (waiting for
// Start to return) when the test ends, before the server closes.
func runBot(t *testing.T, srv *bottest.Server, h bot.HandlerFunc, opts ...bot.Option) *bot.Bot {
	t.Helper()
	b := newClient(t, srv, append([]bot.Option{bot.WithDefaultHandler(h)}, opts...)...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Start(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return b
}

// apiResp is a decoded Bot API answer.
type apiResp struct {
	OK          bool            `json:"ok"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Result      json.RawMessage `json:"result"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
	status int
	raw    string
}

// call posts params as JSON to method with plain net/http.
func call(t *testing.T, srv *bottest.Server, method string, params map[string]any) apiResp {
	t.Helper()
	body, _ := json.Marshal(params)
	return do(t, srv.URL+"/bot"+srv.Token+"/"+method, "application/json", bytes.NewReader(body))
}

func do(t *testing.T, url, contentType string, body io.Reader) apiResp {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r apiResp
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	r.status, r.raw = resp.StatusCode, string(raw)
	return r
}
