package loadtest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/bot/bottest"
)

// resident is one simulated resident: a Telegram user bound to a household.
type resident struct {
	u      *bottest.User
	ref    renovote.HouseholdRef
	code   string     // the household's invitation
	events chan event // what the observer saw for this chat

	// Only the resident's own goroutine touches what follows.
	bound  bool
	ballot int64     // the full bot's ballot message
	data   [2]string // its agree and disagree buttons
	bare   int64     // the bare bot's message
	nFull  int       // presses made at the full bot (they alternate)
	nBare  int
	acked  int64           // presses the full bot acknowledged
	last   renovote.Choice // the choice of the last of them
}

// choices alternate: agree, disagree, agree, ...
var choices = [2]renovote.Choice{renovote.ChoiceAgree, renovote.ChoiceDisagree}

// event is a call of the bot to the fake server that a resident waits for.
type event struct {
	answer   bool   // answerCallbackQuery (else editMessageText)
	callback string // answer: the callback query id
	alert    bool   // answer: shown as an alert (a refusal or a failure)
	msg      int64  // edit: the message edited
	at       time.Time
}

func (rs *resident) notify(ev event) {
	select {
	case rs.events <- ev:
	default: // nobody waits for so many: a stray call, dropped
	}
}

// observer routes the answers of callback queries to the residents that
// wait for them. An answer may come before its resident knows the id that
// Press returns: it is kept until the resident asks.
type observer struct {
	mu      sync.Mutex
	pending map[string]*resident
	early   map[string]event
}

func (o *observer) init() {
	o.pending, o.early = map[string]*resident{}, map[string]event{}
}

// wait registers rs as waiting for callback id's answer, or returns the
// answer if it came already.
func (o *observer) wait(id string, rs *resident) (event, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if ev, ok := o.early[id]; ok {
		delete(o.early, id)
		return ev, true
	}
	o.pending[id] = rs
	return event{}, false
}

// forget drops a registration whose answer never came.
func (o *observer) forget(id string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.pending, id)
}

// observe is the fake server's Intercept hook: it sees every valid call as
// it arrives (before the server applies it) and changes nothing.
func (r *run) observe(c bottest.Call) *bottest.Fault {
	switch c.Method {
	case "editMessageText":
		if rs := r.byChat[c.Int("chat_id")]; rs != nil {
			rs.notify(event{msg: c.Int("message_id"), at: time.Now()})
		}
	case "answerCallbackQuery":
		ev := event{answer: true, callback: c.Param("callback_query_id"), alert: c.Bool("show_alert"), at: time.Now()}
		r.obs.mu.Lock()
		rs := r.obs.pending[ev.callback]
		if rs != nil {
			delete(r.obs.pending, ev.callback)
		} else {
			r.obs.early[ev.callback] = ev
		}
		r.obs.mu.Unlock()
		if rs != nil {
			rs.notify(ev)
		}
	}
	return nil
}

// sample is one press measured.
type sample struct {
	answer time.Duration // press → answer
	done   time.Duration // press → answer and edit
	acked  bool          // answered without an alert
}

// errNoAnswer: the bot neither answered nor edited in time.
var errNoAnswer = errors.New("no answer and edit")

// pressAndWait presses the button with data on message msg and waits until
// the bot has answered the press and edited msg (or answered with an alert,
// which edits nothing: the press then failed).
func (r *run) pressAndWait(ctx context.Context, rs *resident, msg int64, data string) (sample, error) {
	for len(rs.events) > 0 { // stray calls of an earlier press
		<-rs.events
	}
	t0 := time.Now()
	id, err := rs.u.Press(msg, data)
	if err != nil {
		return sample{}, err
	}
	var s sample
	var answered, edited bool
	var answerAt, editAt time.Time
	take := func(ev event) {
		switch {
		case ev.answer && ev.callback == id:
			answered, answerAt, s.acked = true, ev.at, !ev.alert
		case !ev.answer && ev.msg == msg:
			edited, editAt = true, ev.at
		}
	}
	if ev, ok := r.obs.wait(id, rs); ok {
		take(ev)
	}
	timer := time.NewTimer(pressTimeout)
	defer timer.Stop()
	for !answered || !(edited || !s.acked) {
		select {
		case ev := <-rs.events:
			take(ev)
		case <-timer.C:
			r.obs.forget(id)
			return s, fmt.Errorf("press %q on message %d: %w within %s (answered %t, edited %t)", data, msg, errNoAnswer, pressTimeout, answered, edited)
		case <-ctx.Done():
			r.obs.forget(id)
			return s, ctx.Err()
		}
	}
	s.answer = answerAt.Sub(t0)
	s.done = s.answer
	if edited && editAt.After(answerAt) {
		s.done = editAt.Sub(t0)
	}
	return s, nil
}

// press makes the resident's next press at the given bot.
func (r *run) press(ctx context.Context, rs *resident, kind string) (sample, error) {
	if kind == Bare {
		i := rs.nBare
		rs.nBare++
		return r.pressAndWait(ctx, rs, rs.bare, bareData[i%2])
	}
	i := rs.nFull
	rs.nFull++
	s, err := r.pressAndWait(ctx, rs, rs.ballot, rs.data[i%2])
	if err == nil && s.acked {
		rs.acked++
		rs.last = choices[i%2]
	}
	return s, err
}

// prepare gives every resident the message it presses at the bot: for the
// full bot, the first time, it binds the resident to its household with
// the invitation and asks for the ballot (/vote); for the bare bot it asks
// for its message.
func (r *run) prepare(ctx context.Context, kind string) error {
	todo := 0
	for _, rs := range r.residents {
		if kind == Full && rs.ballot == 0 || kind == Bare && rs.bare == 0 {
			todo++
		}
	}
	if todo == 0 {
		return nil
	}
	if kind == Full {
		r.progress("binding %d residents through the bot (/start with the invitation, confirm, /vote)", todo)
	}
	err := r.eachResident(ctx, 0, func(ctx context.Context, rs *resident) error {
		if kind == Bare {
			if rs.bare == 0 {
				m, err := r.ask(ctx, rs, "/vote", hasData(bareData[0]))
				if err != nil {
					return err
				}
				rs.bare = m.ID
			}
			return nil
		}
		if !rs.bound {
			m, err := r.ask(ctx, rs, "/start "+rs.code, hasData("b:y"))
			if err != nil {
				return err
			}
			s, err := r.pressAndWait(ctx, rs, m.ID, "b:y")
			if err != nil {
				return fmt.Errorf("confirm the household: %w", err)
			}
			if !s.acked {
				return errors.New("confirm the household: refused")
			}
			rs.bound = true
		}
		if rs.ballot == 0 {
			m, err := r.ask(ctx, rs, "/vote", hasPrefix("v:a:"))
			if err != nil {
				return err
			}
			for _, b := range m.Buttons() {
				switch d := b.Data(); {
				case strings.HasPrefix(d, "v:a:"):
					rs.data[0] = d
				case strings.HasPrefix(d, "v:d:"):
					rs.data[1] = d
				}
			}
			if rs.data[1] == "" {
				return fmt.Errorf("the ballot has no disagree button: %v", m.Buttons())
			}
			rs.ballot = m.ID
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("loadtest: %s bot, set-up: %w", kind, err)
	}
	return nil
}

// ask sends text as the resident and waits for the bot's new message that
// matches.
func (r *run) ask(ctx context.Context, rs *resident, text string, match func(bottest.Message) bool) (bottest.Message, error) {
	var last int64
	if m, ok := rs.u.LastBotMessage(); ok {
		last = m.ID
	}
	rs.u.Send(text)
	wctx, cancel := context.WithTimeout(ctx, pressTimeout)
	defer cancel()
	m, err := r.srv.WaitForBotMessage(wctx, rs.u.ID, last, match)
	if err != nil {
		cmd, _, _ := strings.Cut(text, " ") // not the invitation code
		return m, fmt.Errorf("%s: no answer: %w", cmd, err)
	}
	return m, nil
}

func hasData(data string) func(bottest.Message) bool {
	return func(m bottest.Message) bool { return m.HasCallbackData(data) }
}

func hasPrefix(prefix string) func(bottest.Message) bool {
	return func(m bottest.Message) bool {
		for _, b := range m.Buttons() {
			if strings.HasPrefix(b.Data(), prefix) {
				return true
			}
		}
		return false
	}
}
