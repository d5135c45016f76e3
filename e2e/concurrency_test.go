package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/bot/bottest"
)

// TestConcurrentFlips: 300 members of the 220 households of 老中医院小区 (80
// households have two members) press agree and disagree many times at once
// through Telegram. At the end the counters equal a recount from the final
// household votes, no household counts twice, every accepted press is one
// audit entry, and a household whose only member pressed last-agree is agree.
func TestConcurrentFlips(t *testing.T) {
	w := newWorld(t)
	const compound = "laozhongyiyuan"
	hhs := w.hhs[compound]
	codes := w.invites(compound)

	type member struct {
		u    *bottest.User
		h    renovote.Household
		msg  bottest.Message
		solo bool // the household's only member
	}
	var members []*member
	for i, h := range hhs {
		members = append(members, &member{u: w.srv.User(int64(70000+i), "住户", "zh-hans"), h: h, solo: i >= 80})
		if i < 80 {
			members = append(members, &member{u: w.srv.User(int64(80000+i), "家属", "zh-hans"), h: h})
		}
	}
	// Bind and open the ballot message concurrently, 300 chats at once.
	parallel(t, members, func(m *member) error {
		return w.bindAndOpen(m.u, codes[m.h.ID], &m.msg)
	})

	// Every member presses 1-6 times, at random, all at once.
	const maxPresses = 6
	var mu sync.Mutex
	lastSolo := map[string]renovote.Choice{} // households with one member: their last press
	presses := 0
	parallel(t, members, func(m *member) error {
		rng := rand.New(rand.NewPCG(uint64(m.u.ID), 1))
		n := 1 + rng.IntN(maxPresses)
		var last renovote.Choice
		for range n {
			prefix, c := "v:a:", renovote.ChoiceAgree
			if rng.IntN(2) == 0 {
				prefix, c = "v:d:", renovote.ChoiceDisagree
			}
			data := ""
			for _, b := range m.msg.Buttons() {
				if b.CallbackData != nil && strings.HasPrefix(*b.CallbackData, prefix) {
					data = *b.CallbackData
				}
			}
			id, err := m.u.Press(m.msg.ID, data)
			if err != nil {
				return err
			}
			cb, err := w.srv.WaitCallbackAnswered(w.ctx, id)
			if err != nil {
				return err
			}
			if cb.ShowAlert {
				return fmt.Errorf("press refused: %q", cb.AnswerText)
			}
			last = c
		}
		mu.Lock()
		defer mu.Unlock()
		presses += n
		if m.solo {
			lastSolo[m.h.ID] = last
		}
		return nil
	})

	tl := w.tally(compound) // equals the recount, or fails
	if tl.Voted != 220 || tl.Agree+tl.Disagree != 220 {
		t.Fatalf("after every household voted: %+v", tl)
	}
	votes, err := w.st.Votes(w.ctx, compound)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range hhs {
		if i < 80 {
			continue // two members raced: either may be last
		}
		if votes[h.ID].Choice != lastSolo[h.ID] {
			t.Errorf("household %s: stored %s, its only member last pressed %s", h.ID, votes[h.ID].Choice, lastSolo[h.ID])
		}
	}
	if n, err := w.st.AuditLen(w.ctx, compound); err != nil || n != int64(presses) {
		t.Fatalf("audit has %d entries (%v), %d presses were answered", n, err, presses)
	}
	t.Logf("%d members pressed %d times; agree %d, disagree %d", len(members), presses, tl.Agree, tl.Disagree)
}

// bindAndOpen binds u with code and leaves the ballot message with buttons in *msg.
func (w *world) bindAndOpen(u *bottest.User, code string, msg *bottest.Message) error {
	ctx := w.ctx
	u.Send("/start " + code)
	m, err := w.srv.WaitForBotMessage(ctx, u.ID, 0, hasButton("b:y"))
	if err != nil {
		return fmt.Errorf("user %d: no confirm: %w", u.ID, err)
	}
	id, err := u.Press(m.ID, "b:y")
	if err != nil {
		return err
	}
	if _, err := w.srv.WaitCallbackAnswered(ctx, id); err != nil {
		return err
	}
	bound, err := w.srv.WaitForMessage(ctx, u.ID, func(x bottest.Message) bool { return x.ID == m.ID && hasButton("v:show")(x) })
	if err != nil {
		return fmt.Errorf("user %d: not bound: %w", u.ID, err)
	}
	u.Send("/vote")
	*msg, err = w.srv.WaitForBotMessage(ctx, u.ID, bound.ID, hasButton("v:a:"))
	return err
}

// parallel runs f for every item at once and fails the test on the first error.
func parallel[T any](t *testing.T, items []T, f func(T) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errs := make(chan error, len(items))
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Go(func() {
			if ctx.Err() == nil {
				errs <- f(it)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
