package bottest

import (
	"context"
	"time"
)

// Callback is one callback query sent to the bot and what the bot
// answered.
type Callback struct {
	ID        string
	UserID    int64
	ChatID    int64
	MessageID int64
	Data      string
	Time      time.Time
	UpdateID  int64 // the update that carried the query

	Answered   bool
	AnsweredAt time.Time
	AnswerText string
	ShowAlert  bool
	AnswerURL  string
}

func (s *Server) trackCallbackLocked(cb *Callback) {
	if _, ok := s.st.callbacks[cb.ID]; !ok {
		s.st.callbackOrder = append(s.st.callbackOrder, cb.ID)
	}
	s.st.callbacks[cb.ID] = cb
}

// answerCallbackQuery records the answer. Unknown ids and second answers
// fail like Telegram's expired/invalid query ids.
func (s *Server) answerCallbackQuery(r *request) (any, *apiError) {
	cb := s.st.callbacks[r.params["callback_query_id"]]
	if cb == nil || cb.Answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	cb.Answered = true
	cb.AnsweredAt = s.now()
	cb.AnswerText = r.params["text"]
	cb.ShowAlert, _ = parseBool(r.params["show_alert"])
	cb.AnswerURL = r.params["url"]
	return true, nil
}

// Callbacks returns every callback query made (Press, PressRaw or an
// injected callback_query) in order, with its answer.
func (s *Server) Callbacks() []Callback {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Callback, 0, len(s.st.callbackOrder))
	for _, id := range s.st.callbackOrder {
		out = append(out, *s.st.callbacks[id])
	}
	return out
}

// Callback returns one callback query by id.
func (s *Server) Callback(id string) (Callback, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cb := s.st.callbacks[id]
	if cb == nil {
		return Callback{}, false
	}
	return *cb, true
}

// UnansweredCallbacks returns the ids of callback queries the bot has not
// answered with answerCallbackQuery (Telegram clients show a spinner until
// it does).
func (s *Server) UnansweredCallbacks() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, id := range s.st.callbackOrder {
		if !s.st.callbacks[id].Answered {
			out = append(out, id)
		}
	}
	return out
}

// WaitCallbackAnswered waits until the bot answers the callback query.
func (s *Server) WaitCallbackAnswered(ctx context.Context, id string) (Callback, error) {
	var cb Callback
	err := s.waitUntil(ctx, func() bool {
		c := s.st.callbacks[id]
		if c != nil && c.Answered {
			cb = *c
			return true
		}
		return false
	})
	return cb, err
}
