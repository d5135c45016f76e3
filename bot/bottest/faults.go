package bottest

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault is an injected answer. A Fault with Code 0 and no Drop only delays
// (if Delay is set) and then lets the call proceed normally.
type Fault struct {
	// Code is the error_code and HTTP status (e.g. 429, 403, 400, 500).
	Code        int
	Description string
	// RetryAfter and MigrateToChatID go into "parameters".
	RetryAfter      int
	MigrateToChatID int64
	// Delay holds the answer back (the wait ends early if the client gives
	// up or the server closes).
	Delay time.Duration
	// Drop closes the connection without any answer.
	Drop bool
}

func (f Fault) apiError() *apiError {
	return &apiError{Code: f.Code, Description: f.Description, RetryAfter: f.RetryAfter, MigrateToChatID: f.MigrateToChatID}
}

// TooManyRequests is Telegram's flood-wait answer; the go-telegram client
// surfaces it as *bot.TooManyRequestsError with RetryAfter set.
func TooManyRequests(retryAfter int) Fault {
	return Fault{Code: http.StatusTooManyRequests, Description: "Too Many Requests: retry after " + strconv.Itoa(retryAfter), RetryAfter: retryAfter}
}

// BlockedByUser is the 403 a send to a user who blocked the bot gets
// (bot.ErrorForbidden in the go-telegram client).
func BlockedByUser() Fault {
	return Fault{Code: http.StatusForbidden, Description: "Forbidden: bot was blocked by the user"}
}

// UserDeactivated is the 403 for a deleted account.
func UserDeactivated() Fault {
	return Fault{Code: http.StatusForbidden, Description: "Forbidden: user is deactivated"}
}

// BadRequest is a 400 with the given description ("Bad Request: " is
// prefixed if missing).
func BadRequest(description string) Fault {
	if !strings.HasPrefix(description, "Bad Request") {
		description = "Bad Request: " + description
	}
	return Fault{Code: http.StatusBadRequest, Description: description}
}

// InternalError is a 500 as Telegram occasionally answers.
func InternalError() Fault {
	return Fault{Code: http.StatusInternalServerError, Description: "Internal Server Error"}
}

// Delay makes the call wait d and then proceed normally.
func Delay(d time.Duration) Fault { return Fault{Delay: d} }

// Drop makes the call end with a closed connection and no answer.
func Drop() Fault { return Fault{Drop: true} }

type faultRule struct {
	method string // lower case; "" matches every method
	left   int    // < 0: forever
	fault  Fault
}

// FailNext answers the next n calls to method (case-insensitive; "" or "*"
// for any method) with f, after validation: invalid calls still get their
// 400. n <= 0 means every call until ClearFaults. Rules apply in the order
// they were added.
func (s *Server) FailNext(method string, n int, f Fault) {
	if method == "*" {
		method = ""
	}
	if n <= 0 {
		n = -1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.faults = append(s.st.faults, &faultRule{method: strings.ToLower(method), left: n, fault: f})
}

// Intercept installs a hook consulted for every valid call after the
// FailNext rules; returning a non-nil Fault answers the call with it. The
// hook runs without the server lock, concurrently for concurrent calls.
// Intercept(nil) removes it.
func (s *Server) Intercept(hook func(Call) *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.intercept = hook
}

// ClearFaults removes every FailNext rule and the Intercept hook.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.faults = nil
	s.st.intercept = nil
}

func (s *Server) takeFault(c Call) *Fault {
	s.mu.Lock()
	hook := s.st.intercept
	for i, r := range s.st.faults {
		if r.method != "" && r.method != strings.ToLower(c.Method) {
			continue
		}
		if r.left > 0 {
			r.left--
			if r.left == 0 {
				s.st.faults = append(s.st.faults[:i:i], s.st.faults[i+1:]...)
			}
		}
		f := r.fault
		s.mu.Unlock()
		return &f
	}
	s.mu.Unlock()
	if hook != nil {
		return hook(c)
	}
	return nil
}

// RateLimits are Telegram-like flood limits for methods that post into a
// chat (send*, copyMessage(s), forwardMessage(s); not sendChatAction).
// Zero fields are unlimited. Exceeding a limit answers 429 with
// retry_after set to the seconds until the window frees up.
type RateLimits struct {
	// GlobalPerSecond limits all such calls together (Telegram: ~30/s).
	GlobalPerSecond int
	// PerChatPerSecond limits calls to one private chat (Telegram: ~1/s).
	PerChatPerSecond int
	// GroupPerMinute limits calls to one group chat (Telegram: 20/min).
	GroupPerMinute int
}

// TelegramRateLimits are the limits Telegram documents for bots.
func TelegramRateLimits() RateLimits {
	return RateLimits{GlobalPerSecond: 30, PerChatPerSecond: 1, GroupPerMinute: 20}
}

// SetRateLimits changes the limits at run time (zero value: off).
func (s *Server) SetRateLimits(l RateLimits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.rate = l
}

// RateLimited counts the 429 answers produced by the rate limits (not
// those injected with FailNext or Intercept).
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.rateLimited
}

type rateState struct {
	global  []time.Time
	perChat map[int64][]time.Time
}

func newRateState() rateState { return rateState{perChat: map[int64][]time.Time{}} }

// window drops entries older than w and, if limit is reached, returns the
// seconds until a slot frees.
func window(ts []time.Time, now time.Time, limit int, w time.Duration) ([]time.Time, int) {
	cut := now.Add(-w)
	i := 0
	for i < len(ts) && !ts[i].After(cut) {
		i++
	}
	ts = ts[i:]
	if limit <= 0 || len(ts) < limit {
		return ts, 0
	}
	secs := int(math.Ceil(ts[0].Add(w).Sub(now).Seconds()))
	return ts, max(secs, 1)
}

// checkSendLocked applies the blocked-user rule and the rate limits.
func (s *Server) checkSendLocked(r *request) *apiError {
	if !isSendMethod(r.method.Name) {
		return nil
	}
	chatID, err := strconv.ParseInt(r.params["chat_id"], 10, 64)
	if err != nil {
		return nil // unknown/@username chats fail later with "chat not found"
	}
	if c := s.st.chats[chatID]; c != nil && c.blocked {
		f := BlockedByUser()
		return f.apiError()
	}
	l := s.cfg.rate
	if r.method.Name == "sendChatAction" || (l == RateLimits{}) {
		return nil
	}
	now := s.now()
	rs := &s.st.rate
	var wait, w int
	rs.global, w = window(rs.global, now, l.GlobalPerSecond, time.Second)
	wait = max(wait, w)
	limit, span := l.PerChatPerSecond, time.Second
	if chatID < 0 {
		limit, span = l.GroupPerMinute, time.Minute
	}
	rs.perChat[chatID], w = window(rs.perChat[chatID], now, limit, span)
	wait = max(wait, w)
	if wait > 0 {
		s.st.rateLimited++
		f := TooManyRequests(wait)
		return f.apiError()
	}
	rs.global = append(rs.global, now)
	rs.perChat[chatID] = append(rs.perChat[chatID], now)
	return nil
}

func (f Fault) String() string {
	return fmt.Sprintf("%d %s", f.Code, f.Description)
}
