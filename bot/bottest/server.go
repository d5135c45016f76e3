package bottest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/renovote/renovote/bot/bottest/apispec"
)

// ErrClosed is returned by the Wait helpers when the server is closed while
// they wait.
var ErrClosed = errors.New("bottest: server closed")

// TB is the part of testing.TB that NewServer uses; *testing.T satisfies it.
// (The package does not import "testing" so it can be linked into binaries.)
type TB interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// Server is a fake Telegram Bot API server listening on a real TCP port.
//
// All methods are safe for concurrent use.
type Server struct {
	// URL is the base URL, e.g. "http://127.0.0.1:41234"; pass it to
	// bot.WithServerURL.
	URL string
	// Token is the only token the server accepts.
	Token string

	cfg   config
	spec  *apispec.Spec
	botID int64

	ln        net.Listener
	hs        *http.Server
	served    chan struct{}
	closed    chan struct{}
	closeOnce sync.Once

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced on every state change
	st        *state
	longPolls int // getUpdates calls waiting (survives Reset)

	controlOnce sync.Once
	control     *http.ServeMux

	hooks *webhookDeliverer // WithWebhookDelivery; nil without
}

// New starts a server on a random port of 127.0.0.1. It panics if it cannot
// listen, like httptest.NewServer. Call Close when done.
func New(opts ...Option) *Server {
	s, err := Start("127.0.0.1:0", opts...)
	if err != nil {
		panic(fmt.Sprintf("bottest: %v", err))
	}
	return s
}

// NewServer is New for tests: it fails t if the server cannot start and
// closes the server in t.Cleanup.
func NewServer(t TB, opts ...Option) *Server {
	t.Helper()
	s, err := Start("127.0.0.1:0", opts...)
	if err != nil {
		t.Fatalf("bottest: %v", err)
		return nil
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts a server listening on addr (e.g. "127.0.0.1:8081" or ":0"),
// for use outside tests such as a standalone fake Telegram for a sandbox.
func Start(addr string, opts ...Option) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := newServer(opts...)
	s.ln = ln
	host := ln.Addr().String()
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		host = net.JoinHostPort("127.0.0.1", fmt.Sprint(tcp.Port))
	}
	s.URL = "http://" + host
	errLog := log.New(io.Discard, "", 0)
	if s.cfg.logf != nil {
		errLog = log.New(logfWriter(s.cfg.logf), "bottest: ", 0)
	}
	s.hs = &http.Server{Handler: s, ErrorLog: errLog, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.served)
		_ = s.hs.Serve(ln)
	}()
	return s, nil
}

// newServer builds a server that is not listening; ServeHTTP works on it.
func newServer(opts ...Option) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		Token:   cfg.token,
		cfg:     cfg,
		spec:    apispec.Load(),
		botID:   botIDFromToken(cfg.token),
		served:  make(chan struct{}),
		closed:  make(chan struct{}),
		changed: make(chan struct{}),
		st:      newState(),
	}
	s.startWebhooks()
	return s
}

// Close releases pending long polls and waiters, stops the listener and
// waits for in-flight requests. It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.stopWebhooks()
		if s.hs == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.hs.Shutdown(ctx); err != nil {
			_ = s.hs.Close()
		}
		<-s.served
	})
}

// BotID is the bot's user id (the numeric prefix of the token).
func (s *Server) BotID() int64 { return s.botID }

// BotUsername is the bot's username without '@'.
func (s *Server) BotUsername() string { return s.cfg.botUsername }

// Spec is the Bot API reference the server validates against.
func (s *Server) Spec() *apispec.Spec { return s.spec }

// ServeHTTP routes /bot<token>/<method>, /bot<token>/test/<method>,
// /file/bot<token>/<path> and, with WithControlAPI, /_bottest/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/file/bot"):
		s.serveFile(w, r, strings.TrimPrefix(p, "/file/bot"))
	case strings.HasPrefix(p, "/bot"):
		s.serveAPI(w, r, strings.TrimPrefix(p, "/bot"))
	case s.cfg.control && strings.HasPrefix(p, controlPrefix):
		s.serveControl(w, r)
	default:
		writeError(w, &apiError{Code: http.StatusNotFound, Description: "Not Found"})
	}
}

// notifyLocked wakes everything waiting for a state change.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitUntil blocks until check (called with s.mu held) returns true.
func (s *Server) waitUntil(ctx context.Context, check func() bool) error {
	for {
		s.mu.Lock()
		ok := check()
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.closed:
			return ErrClosed
		}
	}
}

func (s *Server) now() time.Time { return s.cfg.now() }

func (s *Server) logf(format string, args ...any) {
	if s.cfg.logf != nil {
		s.cfg.logf(format, args...)
	}
}

// apiError is a failed Bot API answer.
type apiError struct {
	Code            int
	Description     string
	RetryAfter      int
	MigrateToChatID int64
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.Code, e.Description) }

func badRequest(format string, args ...any) *apiError {
	return &apiError{Code: http.StatusBadRequest, Description: "Bad Request: " + fmt.Sprintf(format, args...)}
}

var (
	errUnauthorized   = &apiError{Code: http.StatusUnauthorized, Description: "Unauthorized"}
	errMethodNotFound = &apiError{Code: http.StatusNotFound, Description: "Not Found: method not found"}
	errChatNotFound   = badRequest("chat not found")
)

type errorBody struct {
	OK          bool            `json:"ok"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *responseParams `json:"parameters,omitempty"`
}

type responseParams struct {
	RetryAfter      int   `json:"retry_after,omitempty"`
	MigrateToChatID int64 `json:"migrate_to_chat_id,omitempty"`
}

func errorJSON(e *apiError) []byte {
	b := errorBody{ErrorCode: e.Code, Description: e.Description}
	if e.RetryAfter != 0 || e.MigrateToChatID != 0 {
		b.Parameters = &responseParams{RetryAfter: e.RetryAfter, MigrateToChatID: e.MigrateToChatID}
	}
	out, _ := json.Marshal(b)
	return out
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeRaw(w, e.Code, errorJSON(e))
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func okJSON(result json.RawMessage) []byte {
	out, _ := json.Marshal(struct {
		OK     bool            `json:"ok"`
		Result json.RawMessage `json:"result"`
	}{true, result})
	return out
}

type logfWriter func(format string, args ...any)

func (f logfWriter) Write(p []byte) (int, error) {
	f("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
