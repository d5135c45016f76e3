package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/report"
)

// Source is what the dashboard reads; store.Store satisfies it. Apart from
// the report's reads (tallies, registers, votes, survey counters) it needs the
// programme and each compound's notices with their delivery counts.
type Source interface {
	report.Source
	Programme(ctx context.Context) (renovote.Programme, error)
	Notices(ctx context.Context, compoundID string, n int) ([]renovote.Notice, error)
}

// Defaults.
const (
	DefaultLinkTTL    = 10 * time.Minute
	DefaultSessionTTL = 8 * time.Hour
	DefaultPoll       = time.Second
	// MinSecretLen is the shortest secret accepted from the configuration.
	MinSecretLen = 16
)

// Config configures the dashboard.
type Config struct {
	Source Source
	// Secret signs links and session cookies. Empty: a random one, so that
	// every link and session dies when the process ends (and a link made by
	// one process does not open on another).
	Secret []byte
	// PublicURL is where browsers reach this server ("https://vote.example.org",
	// maybe with a path a proxy strips); links are PublicURL/dashboard/login?t=….
	PublicURL string
	// Now is the clock of expiries (time.Now when nil).
	Now func() time.Time
	// LinkTTL is how long a link opens a session (DefaultLinkTTL); SessionTTL
	// how long a session lasts (DefaultSessionTTL).
	LinkTTL    time.Duration
	SessionTTL time.Duration
	// Poll is how often an open page's counters are read for its live
	// updates (DefaultPoll).
	Poll time.Duration
	// Member, when set, is asked on every request for the user's current role
	// and scope (admins from the configuration, the others from the store):
	// a revoked member is refused at once, and a narrowed scope applies at
	// once. nil: the signed claims alone decide.
	Member func(ctx context.Context, userID int64) (renovote.StaffMember, bool, error)
	// Logger gets refusals (user id and reason, never a token) and failures.
	Logger *slog.Logger
}

// Dashboard serves the pages and makes the links.
type Dashboard struct {
	src        Source
	sig        signer
	base       string
	secure     bool
	now        func() time.Time
	linkTTL    time.Duration
	sessionTTL time.Duration
	poll       time.Duration
	member     func(ctx context.Context, userID int64) (renovote.StaffMember, bool, error)
	log        *slog.Logger
	// RandomSecret is true when no secret was configured.
	RandomSecret bool
}

// New checks the configuration and returns the dashboard.
func New(cfg Config) (*Dashboard, error) {
	if cfg.Source == nil {
		return nil, fmt.Errorf("dashboard: no source: %w", renovote.ErrInvalid)
	}
	u, err := url.Parse(strings.TrimRight(cfg.PublicURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("dashboard: public URL %q is not an http(s) URL without query: %w", cfg.PublicURL, renovote.ErrInvalid)
	}
	d := &Dashboard{src: cfg.Source, base: u.String(), secure: u.Scheme == "https", now: cfg.Now,
		linkTTL: cfg.LinkTTL, sessionTTL: cfg.SessionTTL, poll: cfg.Poll, member: cfg.Member, log: cfg.Logger}
	switch {
	case len(cfg.Secret) == 0:
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("dashboard: random secret: %w", err)
		}
		d.sig, d.RandomSecret = signer{key}, true
	case len(cfg.Secret) < MinSecretLen:
		return nil, fmt.Errorf("dashboard: secret of %d bytes, at least %d: %w", len(cfg.Secret), MinSecretLen, renovote.ErrInvalid)
	default:
		d.sig = signer{append([]byte(nil), cfg.Secret...)}
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.linkTTL <= 0 {
		d.linkTTL = DefaultLinkTTL
	}
	if d.sessionTTL <= 0 {
		d.sessionTTL = DefaultSessionTTL
	}
	if d.poll <= 0 {
		d.poll = DefaultPoll
	}
	if d.log == nil {
		d.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return d, nil
}

// LinkTTL is how long a link stays valid.
func (d *Dashboard) LinkTTL() time.Duration { return d.linkTTL }

// Link signs a link for a member of staff, valid from now for LinkTTL: the
// bureau and admins see every compound, a worker those of their scope. It
// returns the link and its expiry; a resident gets renovote.ErrForbidden.
func (d *Dashboard) Link(m renovote.StaffMember, now time.Time) (string, time.Time, error) {
	c := Claims{UserID: m.UserID, Role: m.Role, Expires: now.Add(d.linkTTL)}
	switch m.Role {
	case renovote.RoleAdmin, renovote.RoleBureau:
		c.Compounds = []string{renovote.AllCompounds}
	case renovote.RoleWorker:
		c.Compounds = m.Compounds
	default:
		return "", time.Time{}, fmt.Errorf("dashboard link for user %d: %w", m.UserID, renovote.ErrForbidden)
	}
	tok, err := d.sig.sign(kindLink, c)
	if err != nil {
		return "", time.Time{}, err
	}
	return d.base + "/dashboard/login?t=" + tok, c.Expires, nil
}

// cookieName is the session cookie's.
const cookieName = "renovote_dashboard"

// Handler serves the dashboard under /dashboard/. Mount it on the server's
// mux for "/dashboard/" (and "/dashboard").
func (d *Dashboard) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /dashboard", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "dashboard/") // relative: works under a proxy's prefix
		w.WriteHeader(http.StatusSeeOther)
	})
	mux.HandleFunc("GET /dashboard/login", d.login)
	mux.HandleFunc("GET /dashboard/{$}", d.withSession(d.overview))
	mux.HandleFunc("GET /dashboard/c/{id}", d.withSession(d.compound))
	mux.HandleFunc("GET /dashboard/report.xlsx", d.withSession(d.workbook))
	mux.HandleFunc("GET /dashboard/events", d.withSession(d.events))
	mux.HandleFunc("GET /dashboard/chart/{name}", d.withSession(d.chart))
	mux.HandleFunc("/dashboard/", d.withSession(func(w http.ResponseWriter, r *http.Request, s session) {
		d.notFound(w, r, s.l)
	}))
	return secureHeaders(mux)
}

// secureHeaders sets what every answer carries: no caching, no referrer (a
// link's token must not leak), no framing, no sniffing.
func secureHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Cache-Control", "no-store")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		h.ServeHTTP(w, r)
	})
}

// session is a signed-in request: who, what they may see, in which language.
type session struct {
	claims Claims
	covers func(compoundID string) bool
	l      lang
}

// withSession lets a request through only with a valid session cookie, and
// gives the handler the session's scope.
func (d *Dashboard) withSession(h func(http.ResponseWriter, *http.Request, session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		l := langOf(r)
		ck, err := r.Cookie(cookieName)
		if err != nil || ck.Value == "" {
			d.refuse(w, r, l, mNoSession.s(l), "no session", 0)
			return
		}
		c, err := d.sig.verify(kindSession, ck.Value, d.now())
		if err != nil {
			why, reason := mForgedSession.s(l), "forged session"
			if errors.Is(err, ErrExpired) {
				why, reason = mExpiredSession.s(l), "expired session"
			}
			d.clearCookie(w)
			d.refuse(w, r, l, why, reason, c.UserID)
			return
		}
		s, ok := d.current(w, r, l, c)
		if !ok {
			return
		}
		h(w, r, s)
	}
}

// errNotStaff: the member of a session is no longer staff.
var errNotStaff = errors.New("no longer staff")

// current checks the claims against the member's current role and scope
// (Config.Member) and makes the session; when it answers false, the refusal
// is written.
func (d *Dashboard) current(w http.ResponseWriter, r *http.Request, l lang, c Claims) (session, bool) {
	s, err := d.sessionFor(r.Context(), c, l)
	switch {
	case errors.Is(err, errNotStaff):
		d.clearCookie(w)
		d.refuse(w, r, l, mNotStaff.s(l), "not staff", c.UserID)
		return s, false
	case err != nil:
		d.fail(w, r, l, "staff member", err)
		return s, false
	}
	return s, true
}

// sessionFor makes the session of the claims: their scope, narrowed to the
// member's current one when Config.Member is set (errNotStaff when they are
// no longer staff).
func (d *Dashboard) sessionFor(ctx context.Context, c Claims, l lang) (session, error) {
	s := session{claims: c, covers: c.Covers, l: l}
	if d.member == nil {
		return s, nil
	}
	m, ok, err := d.member(ctx, c.UserID)
	if err != nil {
		return s, fmt.Errorf("dashboard: staff member %d: %w", c.UserID, err)
	}
	if !ok || m.Role == renovote.RoleResident {
		return s, errNotStaff
	}
	s.covers = func(id string) bool { return c.Covers(id) && m.Covers(id) }
	return s, nil
}

func (d *Dashboard) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", MaxAge: -1, HttpOnly: true, Secure: d.secure, SameSite: http.SameSiteStrictMode})
}

// login opens a session from a signed link, then leads to the overview.
// The overview is reached from a page of our own rather than by a 303: a
// SameSite=Strict cookie is not sent on a redirect that follows a
// navigation from another site (the chat app), but is on one from our page.
func (d *Dashboard) login(w http.ResponseWriter, r *http.Request) {
	l := langOf(r)
	c, err := d.sig.verify(kindLink, r.URL.Query().Get("t"), d.now())
	if err != nil {
		why, reason := mForgedLink.s(l), "forged link"
		if errors.Is(err, ErrExpired) {
			why, reason = mExpiredLink.f(l, d.linkTTL), "expired link"
		}
		d.refuse(w, r, l, why, reason, c.UserID)
		return
	}
	if _, ok := d.current(w, r, l, c); !ok {
		return
	}
	sc := c
	sc.Expires = d.now().Add(d.sessionTTL)
	tok, err := d.sig.sign(kindSession, sc)
	if err != nil {
		d.fail(w, r, l, "sign session", err)
		return
	}
	// Max-Age only: the signed expiry is checked against our clock, the
	// browser's need not agree with it.
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: tok, MaxAge: int(d.sessionTTL / time.Second),
		HttpOnly: true, Secure: d.secure, SameSite: http.SameSiteStrictMode})
	d.log.Info("dashboard: session opened", "user", c.UserID, "role", string(c.Role))
	d.render(w, http.StatusOK, "login", &pageBase{L: L{l}})
}

// refuse answers 403 with a page that says why and what to do.
func (d *Dashboard) refuse(w http.ResponseWriter, r *http.Request, l lang, why, reason string, userID int64) {
	d.log.Warn("dashboard: refused", "why", reason, "user", userID, "path", r.URL.Path)
	d.render(w, http.StatusForbidden, "refused", &refusedPage{pageBase: pageBase{L: L{l}}, Why: why})
}

func (d *Dashboard) notFound(w http.ResponseWriter, r *http.Request, l lang) {
	d.render(w, http.StatusNotFound, "refused", &refusedPage{pageBase: pageBase{L: L{l}}, Why: words["not_found"].s(l), Back: toOverview(r)})
}

// fail answers 500 and logs the error with the operation.
func (d *Dashboard) fail(w http.ResponseWriter, r *http.Request, l lang, op string, err error) {
	d.log.Error("dashboard: "+op, "err", err)
	d.render(w, http.StatusInternalServerError, "refused", &refusedPage{pageBase: pageBase{L: L{l}}, Why: mBusy.s(l), Back: toOverview(r)})
}

// toOverview is the relative URL of the overview from the request's page,
// so that the pages work behind a proxy that serves them under a prefix.
func toOverview(r *http.Request) string {
	rest, ok := strings.CutPrefix(r.URL.Path, "/dashboard/")
	if !ok {
		return "dashboard/"
	}
	if n := strings.Count(rest, "/"); n > 0 {
		return strings.Repeat("../", n)
	}
	return "./"
}

var mBusy = msg{"系统繁忙，请稍后刷新。", "The system is busy; please reload in a moment."}

// nonce is a fresh value for the page's Content-Security-Policy.
func nonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawStdEncoding.EncodeToString(b)
}
