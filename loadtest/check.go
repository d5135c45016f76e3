package loadtest

import (
	"context"
	"fmt"
	"slices"
)

// check compares the store with what the residents were told: the counters
// with a recount, the votes recorded (audit entries) with the presses the
// full bot acknowledged, each household's stored choice with its resident's
// last acknowledged press.
func (r *run) check(ctx context.Context) (Check, error) {
	c := Check{CountersEqualRecount: true, ChoicesMatch: true}
	byCompound := map[string][]*resident{}
	var order []string
	for _, rs := range r.residents {
		c.Acknowledged += rs.acked
		id := rs.ref.CompoundID
		if byCompound[id] == nil {
			order = append(order, id)
		}
		byCompound[id] = append(byCompound[id], rs)
	}
	slices.Sort(order)
	c.Compounds = len(order)
	problem := func(format string, args ...any) { c.Problems = append(c.Problems, fmt.Sprintf(format, args...)) }
	for _, id := range order {
		got, err := r.st.Tally(ctx, id)
		if err != nil {
			return c, fmt.Errorf("loadtest: check: %w", err)
		}
		re, err := r.st.Recount(ctx, id)
		if err != nil {
			return c, fmt.Errorf("loadtest: check: %w", err)
		}
		if got != re {
			c.CountersEqualRecount = false
			problem("%s: counters %+v, recount %+v", id, got, re)
		}
		n, err := r.st.AuditLen(ctx, id)
		if err != nil {
			return c, fmt.Errorf("loadtest: check: %w", err)
		}
		c.AuditEntries += n
		votes, err := r.st.Votes(ctx, id)
		if err != nil {
			return c, fmt.Errorf("loadtest: check: %w", err)
		}
		voted := 0
		for _, rs := range byCompound[id] {
			if rs.acked == 0 {
				continue
			}
			voted++
			if v, ok := votes[rs.ref.HouseholdID]; !ok || v.Choice != rs.last {
				c.ChoicesMatch = false
				problem("%s %s: stored %q, last press %q", id, rs.ref.HouseholdID, v.Choice, rs.last)
			}
		}
		if int(got.Voted) != voted {
			problem("%s: %d households voted, %d residents had a press acknowledged", id, got.Voted, voted)
		}
	}
	if c.AuditEntries != c.Acknowledged {
		problem("%d votes recorded in the audit trails, %d presses acknowledged", c.AuditEntries, c.Acknowledged)
	}
	c.Unanswered = len(r.srv.UnansweredCallbacks())
	if c.Unanswered > 0 {
		problem("%d presses never answered", c.Unanswered)
	}
	c.OK = len(c.Problems) == 0
	return c, nil
}
