package bottest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Call is one recorded Bot API request and the server's answer.
// Calls are values; their maps and slices must be treated as read-only.
type Call struct {
	// Seq numbers calls from 1 in arrival order; it never restarts.
	Seq  int64
	Time time.Time
	// Method is the canonical spelling from the spec ("logOut" even if the
	// client sent "logout"), or the name as sent if the method is unknown.
	Method string
	// Params holds every non-file parameter as the string sent on the wire:
	// numbers and booleans as text, nested objects (reply_markup, entities,
	// commands, ...) as JSON text.
	Params map[string]string
	// Files describes the uploaded file parts.
	Files []FilePart
	// ReplyMarkup is reply_markup parsed, or nil if absent or unparsable.
	ReplyMarkup *ReplyMarkup

	// Status is 200 for a successful answer, otherwise Telegram's error_code
	// (also the HTTP status). 0 means the connection was dropped on purpose.
	Status int
	// Description is the error description for failed calls.
	Description string
	// Result is the JSON "result" of a successful answer.
	Result json.RawMessage
}

// FilePart describes one uploaded file of a call.
type FilePart struct {
	Field       string
	Filename    string
	ContentType string
	Size        int
	// FileID is the file_id the server assigned to the upload, if it
	// stored it (sendPhoto, sendDocument, ...).
	FileID string
}

// OK reports whether the call was answered with ok=true.
func (c Call) OK() bool { return c.Status == 200 }

// Param returns a parameter ("" if absent).
func (c Call) Param(name string) string { return c.Params[name] }

// Int returns a parameter parsed as an integer (0 if absent or invalid).
func (c Call) Int(name string) int64 {
	v, _ := strconv.ParseInt(c.Params[name], 10, 64)
	return v
}

// Bool returns a parameter parsed as a boolean.
func (c Call) Bool(name string) bool {
	v, _ := parseBool(c.Params[name])
	return v
}

// Decode unmarshals a JSON-valued parameter (reply_markup, commands, ...).
func (c Call) Decode(name string, v any) error {
	raw, ok := c.Params[name]
	if !ok {
		return fmt.Errorf("bottest: call %s has no parameter %q", c.Method, name)
	}
	return json.Unmarshal([]byte(raw), v)
}

// File returns the uploaded part for field name.
func (c Call) File(field string) (FilePart, bool) {
	for _, f := range c.Files {
		if f.Field == field {
			return f, true
		}
	}
	return FilePart{}, false
}

func (c Call) String() string {
	if c.OK() {
		return fmt.Sprintf("#%d %s %v -> ok", c.Seq, c.Method, c.Params)
	}
	return fmt.Sprintf("#%d %s %v -> %d %s", c.Seq, c.Method, c.Params, c.Status, c.Description)
}

// IsMethod is a predicate for WaitFor matching calls to method (any case).
func IsMethod(method string) func(Call) bool {
	return func(c Call) bool { return strings.EqualFold(c.Method, method) }
}

func (s *Server) recordLocked(c *Call) {
	s.st.seq++
	c.Seq = s.st.seq
	s.st.calls = append(s.st.calls, *c)
	s.notifyLocked()
}

// Calls returns every recorded call in order, including failed ones and
// getUpdates polls.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.st.calls...)
}

// CallsTo returns the recorded calls to method (case-insensitive).
func (s *Server) CallsTo(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.st.calls {
		if strings.EqualFold(c.Method, method) {
			out = append(out, c)
		}
	}
	return out
}

// LastCall returns the latest call to method (case-insensitive).
func (s *Server) LastCall(method string) (Call, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.st.calls) - 1; i >= 0; i-- {
		if strings.EqualFold(s.st.calls[i].Method, method) {
			return s.st.calls[i], true
		}
	}
	return Call{}, false
}

// Seq returns the Seq of the latest recorded call (0 if none). Use it as a
// mark: WaitFor(ctx, func(c Call) bool { return c.Seq > mark && ... }).
func (s *Server) Seq() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.seq
}

// WaitFor returns the first recorded call (already recorded or future)
// for which match returns true, waiting until one arrives, ctx ends or the
// server closes. match is called with the server lock held: it must not
// call back into the Server.
func (s *Server) WaitFor(ctx context.Context, match func(Call) bool) (Call, error) {
	var found Call
	var seen int64 // calls are sorted by Seq, which never restarts
	err := s.waitUntil(ctx, func() bool {
		calls := s.st.calls
		i := sort.Search(len(calls), func(i int) bool { return calls[i].Seq > seen })
		for ; i < len(calls); i++ {
			seen = calls[i].Seq
			if match(calls[i]) {
				found = calls[i]
				return true
			}
		}
		return false
	})
	return found, err
}
