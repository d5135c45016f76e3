package bottest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

type queuedUpdate struct {
	id        int64
	kind      string // "message", "callback_query", ...
	raw       json.RawMessage
	delivered int  // times returned by getUpdates or posted to the webhook
	confirmed bool // dropped by an offset (or by drop_pending_updates), or accepted by the webhook

	// Webhook delivery (webhook.go).
	chat      int64     // the chat whose order it keeps
	inFlight  bool      // being posted
	attempts  int       // posts made
	notBefore time.Time // no post before (backoff after a failure)
}

// defaultExcluded are the update types Telegram leaves out unless asked.
var defaultExcluded = []string{"chat_member", "message_reaction", "message_reaction_count"}

func (s *Server) enqueueLocked(kind string, payload any) int64 {
	id := s.st.nextUpdateID
	s.st.nextUpdateID++
	// update_id first, as Telegram writes it.
	body, err := json.Marshal(payload)
	if err != nil {
		panic(fmt.Sprintf("bottest: marshal update: %v", err))
	}
	key, _ := json.Marshal(kind)
	raw := json.RawMessage(fmt.Sprintf(`{"update_id":%d,%s:%s}`, id, key, body))
	q := &queuedUpdate{id: id, kind: kind, raw: raw, chat: chatKeyOf(id, raw, kind)}
	s.st.queue = append(s.st.queue, q)
	s.st.updateByID[id] = q
	s.notifyLocked()
	return id
}

// InjectUpdate queues an arbitrary update given as a JSON object, e.g.
// `{"message":{...}}`. Its update_id is (re)assigned and returned. Chats
// mentioned as <kind>.chat.id become known, and a callback_query is
// tracked like one made by User.Press.
func (s *Server) InjectUpdate(rawJSON string) (int64, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(rawJSON), &obj); err != nil {
		return 0, fmt.Errorf("bottest: InjectUpdate: %w", err)
	}
	delete(obj, "update_id")
	if len(obj) != 1 {
		return 0, errors.New("bottest: InjectUpdate: an update must have exactly one field besides update_id")
	}
	var kind string
	var payload json.RawMessage
	for k, v := range obj {
		kind, payload = k, v
	}
	var probe struct {
		Chat *struct {
			ID int64 `json:"id"`
		} `json:"chat"`
		Message *struct {
			MessageID int64 `json:"message_id"`
			Chat      *struct {
				ID int64 `json:"id"`
			} `json:"chat"`
		} `json:"message"`
		From *struct {
			ID int64 `json:"id"`
		} `json:"from"`
		ID   string `json:"id"`
		Data string `json:"data"`
	}
	_ = json.Unmarshal(payload, &probe)

	s.mu.Lock()
	defer s.mu.Unlock()
	if probe.Chat != nil && probe.Chat.ID != 0 {
		s.chatLocked(probe.Chat.ID)
	}
	if kind == "callback_query" && probe.ID != "" {
		cb := &Callback{ID: probe.ID, Data: probe.Data, Time: s.now(), UpdateID: s.st.nextUpdateID}
		if probe.From != nil {
			cb.UserID = probe.From.ID
		}
		if probe.Message != nil {
			cb.MessageID = probe.Message.MessageID
			if probe.Message.Chat != nil {
				cb.ChatID = probe.Message.Chat.ID
				s.chatLocked(cb.ChatID)
			}
		}
		s.trackCallbackLocked(cb)
	}
	return s.enqueueLocked(kind, payload), nil
}

func (s *Server) allowedLocked(kind string) bool {
	if len(s.st.allowed) == 0 {
		return !slices.Contains(defaultExcluded, kind)
	}
	return slices.Contains(s.st.allowed, kind)
}

// confirmLocked drops updates below offset (offset > 0) or all but the
// last -offset ones (offset < 0), as getUpdates does.
func (s *Server) confirmLocked(offset int64) {
	q := s.st.queue
	keepFrom := len(q)
	for i, u := range q {
		if offset > 0 && u.id >= offset {
			keepFrom = i
			break
		}
	}
	if offset < 0 {
		keepFrom = max(len(q)+int(offset), 0)
	}
	if offset == 0 {
		keepFrom = 0
	}
	for _, u := range q[:keepFrom] {
		u.confirmed = true
	}
	if keepFrom > 0 {
		s.st.queue = append([]*queuedUpdate(nil), q[keepFrom:]...)
		s.notifyLocked()
	}
}

func (s *Server) dropPendingLocked() {
	for _, u := range s.st.queue {
		u.confirmed = true
	}
	s.st.queue = nil
	s.notifyLocked()
}

func (s *Server) getUpdates(r *request) (json.RawMessage, *apiError) {
	p := r.params
	offset, _ := strconv.ParseInt(p["offset"], 10, 64)
	limit := 100
	if v, err := strconv.Atoi(p["limit"]); err == nil && v >= 1 && v <= 100 {
		limit = v
	}
	timeout, _ := strconv.Atoi(p["timeout"])
	var allowed []string
	if au := p["allowed_updates"]; au != "" {
		if err := json.Unmarshal([]byte(au), &allowed); err != nil {
			return nil, badRequest("can't parse allowed_updates JSON object")
		}
		if allowed == nil {
			allowed = []string{}
		}
	}

	s.mu.Lock()
	if s.st.webhook.URL != "" {
		s.mu.Unlock()
		return nil, &apiError{Code: http.StatusConflict,
			Description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	st := s.st
	st.pollGen++
	gen := st.pollGen
	if allowed != nil {
		st.allowed = allowed
	}
	s.confirmLocked(offset)
	s.notifyLocked() // supersede an older long poll

	waiting := false
	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Second)
		defer t.Stop()
		deadline = t.C
	}
	for {
		if s.st != st { // Reset while waiting
			s.mu.Unlock()
			return json.RawMessage("[]"), nil
		}
		if st.webhook.URL != "" { // set while this poll waited
			s.mu.Unlock()
			return nil, &apiError{Code: http.StatusConflict,
				Description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
		}
		if st.pollGen != gen {
			s.mu.Unlock()
			return nil, &apiError{Code: http.StatusConflict,
				Description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
		}
		if out := s.takeUpdatesLocked(limit); out != nil {
			s.mu.Unlock()
			return out, nil
		}
		if deadline == nil {
			s.mu.Unlock()
			return json.RawMessage("[]"), nil
		}
		if !waiting {
			waiting = true
			s.longPolls++
			s.notifyLocked()
			defer s.endLongPoll()
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			return json.RawMessage("[]"), nil
		case <-s.closed:
			return json.RawMessage("[]"), nil
		case <-r.ctx.Done():
			return json.RawMessage("[]"), nil
		}
		s.mu.Lock()
	}
}

func (s *Server) endLongPoll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.longPolls--
	s.notifyLocked()
}

// LongPolls is the number of getUpdates calls currently waiting for
// updates.
func (s *Server) LongPolls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.longPolls
}

// WaitLongPoll waits until a getUpdates call is waiting for updates, i.e.
// the bot is polling and idle.
func (s *Server) WaitLongPoll(ctx context.Context) error {
	return s.waitUntil(ctx, func() bool { return s.longPolls > 0 })
}

// takeUpdatesLocked returns up to limit pending updates as a JSON array, or
// nil if there are none. Updates of types not allowed are dropped.
func (s *Server) takeUpdatesLocked(limit int) json.RawMessage {
	var kept []*queuedUpdate
	var out [][]byte
	for _, u := range s.st.queue {
		if !s.allowedLocked(u.kind) {
			u.confirmed = true
			continue
		}
		kept = append(kept, u)
		if len(out) < limit {
			out = append(out, u.raw)
			u.delivered++
		}
	}
	if len(kept) != len(s.st.queue) {
		s.st.queue = kept
	}
	if len(out) == 0 {
		return nil
	}
	s.notifyLocked()
	// Each is valid compact JSON already (enqueueLocked): no need to
	// marshal them again.
	return json.RawMessage("[" + string(bytes.Join(out, []byte(","))) + "]")
}

// PendingUpdates is the number of queued, unconfirmed updates.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.st.queue)
}

// Delivered reports how many times getUpdates returned the update, or it was
// posted to the webhook.
func (s *Server) Delivered(updateID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.st.updateByID[updateID]; u != nil {
		return u.delivered
	}
	return 0
}

// Confirmed reports whether the update was confirmed (a later getUpdates
// used a higher offset) and so will never be delivered again.
func (s *Server) Confirmed(updateID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.updateByID[updateID]
	return u != nil && u.confirmed
}

// WaitDelivered waits until getUpdates has returned the update.
func (s *Server) WaitDelivered(ctx context.Context, updateID int64) error {
	return s.waitUntil(ctx, func() bool {
		u := s.st.updateByID[updateID]
		return u != nil && u.delivered > 0
	})
}

// WaitConfirmed waits until the update is confirmed by the bot's next poll.
func (s *Server) WaitConfirmed(ctx context.Context, updateID int64) error {
	return s.waitUntil(ctx, func() bool {
		u := s.st.updateByID[updateID]
		return u != nil && u.confirmed
	})
}
