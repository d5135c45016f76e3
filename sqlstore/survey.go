package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

// SubmitSurvey replaces a household's survey answer in one transaction. The
// answer is first validated against the applied programme's menu and
// contribution bands (renovote.ErrInvalid). Then: a submission whose opID was
// applied before changes nothing; the household is checked
// (renovote.ErrNotFound, renovote.ErrRemoved) and the compound's survey window
// at a.At ([opens, closes): renovote.ErrSurveyNotOpen, also for a compound
// without a survey window, renovote.ErrSurveyClosed); the old answer is taken
// out of the counters and the new one put in; the answer is stored, an audit
// entry appended and opID kept for Options.OpTTL.
func (s *Store) SubmitSurvey(ctx context.Context, a renovote.SurveyAnswer, opID string) error {
	wrap := func(err error) error { return fmt.Errorf("submit survey %s: %w", a.Ref, err) }
	if err := checkRef(a.Ref); err != nil {
		return wrap(err)
	}
	if err := checkOpID(opID); err != nil {
		return wrap(err)
	}
	p, err := s.cachedProgramme(ctx)
	if err != nil {
		return wrap(err)
	}
	if err := a.Validate(p); err != nil {
		return wrap(err)
	}
	a.At = a.At.UTC()
	js, err := json.Marshal(a)
	if err != nil {
		return wrap(err)
	}
	cid := a.Ref.CompoundID
	err = s.write(ctx, func(tx *sql.Tx) error {
		now := s.now()
		if _, ok, err := getOp(ctx, tx, opSurvey, cid, opID, now); err != nil || ok {
			return err
		}
		c, err := getCompound(ctx, tx, cid)
		if err != nil {
			return err
		}
		if !c.active {
			return fail("compound", renovote.ErrNotFound)
		}
		if err := checkHousehold(ctx, tx, a.Ref); err != nil {
			return err
		}
		if !c.hasSurvey {
			return fail("no survey window", renovote.ErrSurveyNotOpen)
		}
		ns := a.At.UnixNano()
		if ns < c.surveyOpens {
			return renovote.ErrSurveyNotOpen
		}
		if ns >= c.surveyCloses {
			return renovote.ErrSurveyClosed
		}
		var oldJS string
		err = tx.QueryRowContext(ctx, `SELECT js FROM survey WHERE compound = ? AND household = ?`,
			cid, a.Ref.HouseholdID).Scan(&oldJS)
		replaced := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		counts, err := surveyCounters(ctx, tx, cid)
		if err != nil {
			return err
		}
		if replaced {
			var old renovote.SurveyAnswer
			if err := json.Unmarshal([]byte(oldJS), &old); err != nil {
				return fmt.Errorf("decode survey answer: %w", err)
			}
			addAnswer(&counts, old, -1)
		}
		addAnswer(&counts, a, 1)
		if err := putSurveyCounters(ctx, tx, cid, counts); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO survey (compound, household, js) VALUES (?, ?, ?)
			ON CONFLICT (compound, household) DO UPDATE SET js = excluded.js`, cid, a.Ref.HouseholdID, string(js)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO survey_audit (compound, household, actor, at, at_ns, op, replaced)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, cid, a.Ref.HouseholdID, a.Actor, fmtTime(a.At), ns, opID, b2i(replaced)); err != nil {
			return err
		}
		return putOp(ctx, tx, opSurvey, cid, opID, a.Ref.HouseholdID, now, s.opts.OpTTL)
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}

// addAnswer adds sign times one answer's contribution to the counters (as
// renovote.CountSurvey counts it) and drops the entries that reach zero.
func addAnswer(c *renovote.SurveyCounts, a renovote.SurveyAnswer, sign int64) {
	one := renovote.CountSurvey(a.Ref.CompoundID, 0, []renovote.SurveyAnswer{a})
	if c.Urgent == nil {
		c.Urgent = map[string][renovote.MaxUrgent]int64{}
	}
	if c.Upgrades == nil {
		c.Upgrades = map[string]int64{}
	}
	if c.Bands == nil {
		c.Bands = map[string]int64{}
	}
	c.Respondents += sign * one.Respondents
	c.Contribute += sign * one.Contribute
	c.Comments += sign * one.Comments
	c.Photos += sign * one.Photos
	for k, v := range one.Urgent {
		r := c.Urgent[k]
		zero := true
		for i := range r {
			r[i] += sign * v[i]
			zero = zero && r[i] == 0
		}
		if zero {
			delete(c.Urgent, k)
		} else {
			c.Urgent[k] = r
		}
	}
	for k, v := range one.Upgrades {
		if c.Upgrades[k] += sign * v; c.Upgrades[k] == 0 {
			delete(c.Upgrades, k)
		}
	}
	for k, v := range one.Bands {
		if c.Bands[k] += sign * v; c.Bands[k] == 0 {
			delete(c.Bands, k)
		}
	}
}

// surveyCounters reads a compound's stored survey counters (Households not set).
func surveyCounters(ctx context.Context, q querier, compoundID string) (renovote.SurveyCounts, error) {
	c := renovote.SurveyCounts{CompoundID: compoundID,
		Urgent: map[string][renovote.MaxUrgent]int64{}, Upgrades: map[string]int64{}, Bands: map[string]int64{}}
	var js string
	err := q.QueryRowContext(ctx, `SELECT js FROM survey_counts WHERE compound = ?`, compoundID).Scan(&js)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(js), &c); err != nil {
		return c, fmt.Errorf("decode survey counts: %w", err)
	}
	c.CompoundID = compoundID
	if c.Urgent == nil {
		c.Urgent = map[string][renovote.MaxUrgent]int64{}
	}
	if c.Upgrades == nil {
		c.Upgrades = map[string]int64{}
	}
	if c.Bands == nil {
		c.Bands = map[string]int64{}
	}
	return c, nil
}

func putSurveyCounters(ctx context.Context, tx *sql.Tx, compoundID string, c renovote.SurveyCounts) error {
	c.Households = 0
	js, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO survey_counts (compound, js) VALUES (?, ?)`, compoundID, string(js))
	return err
}

// recomputeSurvey rebuilds a compound's survey counters from the answers of
// the households on the register.
func recomputeSurvey(ctx context.Context, tx *sql.Tx, compoundID string) error {
	_, answers, err := surveySnapshot(ctx, tx, compoundID)
	if err != nil {
		return err
	}
	return putSurveyCounters(ctx, tx, compoundID, renovote.CountSurvey(compoundID, 0, answers))
}

// surveySnapshot returns the number of households on the register and their
// answers in register order.
func surveySnapshot(ctx context.Context, q querier, compoundID string) (int64, []renovote.SurveyAnswer, error) {
	hhs, err := households(ctx, q, compoundID)
	if err != nil {
		return 0, nil, err
	}
	all := map[string]string{}
	if err := eachRow(ctx, q, `SELECT household, js FROM survey WHERE compound = ?`, []any{compoundID},
		func(r *sql.Rows) error {
			var id, js string
			if err := r.Scan(&id, &js); err != nil {
				return err
			}
			all[id] = js
			return nil
		}); err != nil {
		return 0, nil, err
	}
	var n int64
	var out []renovote.SurveyAnswer
	for _, h := range hhs {
		if h.Removed {
			continue
		}
		n++
		js, ok := all[h.ID]
		if !ok {
			continue
		}
		var a renovote.SurveyAnswer
		if err := json.Unmarshal([]byte(js), &a); err != nil {
			return 0, nil, fmt.Errorf("decode survey answer: %w", err)
		}
		out = append(out, a)
	}
	return n, out, nil
}

// SurveyAnswer returns the household's current answer, if any
// (renovote.ErrNotFound for an unknown household). A removed household's
// answer is returned too; it no longer counts.
func (s *Store) SurveyAnswer(ctx context.Context, ref renovote.HouseholdRef) (renovote.SurveyAnswer, bool, error) {
	wrap := func(err error) error { return fmt.Errorf("survey answer %s: %w", ref, err) }
	if err := checkRef(ref); err != nil {
		return renovote.SurveyAnswer{}, false, wrap(err)
	}
	var a renovote.SurveyAnswer
	found := false
	err := s.read(ctx, func(tx *sql.Tx) error {
		exists, _, err := householdState(ctx, tx, ref)
		if err != nil {
			return err
		}
		if !exists {
			return renovote.ErrNotFound
		}
		var js string
		err = tx.QueryRowContext(ctx, `SELECT js FROM survey WHERE compound = ? AND household = ?`,
			ref.CompoundID, ref.HouseholdID).Scan(&js)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(js), &a); err != nil {
			return fmt.Errorf("decode survey answer: %w", err)
		}
		found = true
		return nil
	})
	if err != nil {
		return renovote.SurveyAnswer{}, false, wrap(err)
	}
	return a, found, nil
}

// SurveyCounts returns the compound's survey counters as the submissions keep
// them, with Households the households on the register (not removed).
func (s *Store) SurveyCounts(ctx context.Context, compoundID string) (renovote.SurveyCounts, error) {
	wrap := func(err error) error { return fmt.Errorf("survey counts %s: %w", compoundID, err) }
	if err := checkCompound(compoundID); err != nil {
		return renovote.SurveyCounts{}, wrap(err)
	}
	var c renovote.SurveyCounts
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := compoundExists(ctx, tx, compoundID); err != nil {
			return err
		}
		var err error
		if c, err = surveyCounters(ctx, tx, compoundID); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM households WHERE compound = ? AND removed = 0`,
			compoundID).Scan(&c.Households)
	})
	if err != nil {
		return renovote.SurveyCounts{}, wrap(err)
	}
	return c, nil
}

// SurveyAnswers returns the current answers of the households on the
// compound's register (removed households' answers are kept but not listed),
// in register order.
func (s *Store) SurveyAnswers(ctx context.Context, compoundID string) ([]renovote.SurveyAnswer, error) {
	wrap := func(err error) error { return fmt.Errorf("survey answers %s: %w", compoundID, err) }
	if err := checkCompound(compoundID); err != nil {
		return nil, wrap(err)
	}
	var out []renovote.SurveyAnswer
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := compoundExists(ctx, tx, compoundID); err != nil {
			return err
		}
		var err error
		_, out, err = surveySnapshot(ctx, tx, compoundID)
		return err
	})
	if err != nil {
		return nil, wrap(err)
	}
	return out, nil
}

// RecountSurvey computes the compound's survey counters from scratch with
// renovote.CountSurvey, from one snapshot of the register and the answers. It
// is the ground truth SurveyCounts must equal.
func (s *Store) RecountSurvey(ctx context.Context, compoundID string) (renovote.SurveyCounts, error) {
	wrap := func(err error) error { return fmt.Errorf("recount survey %s: %w", compoundID, err) }
	if err := checkCompound(compoundID); err != nil {
		return renovote.SurveyCounts{}, wrap(err)
	}
	var c renovote.SurveyCounts
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := compoundExists(ctx, tx, compoundID); err != nil {
			return err
		}
		n, answers, err := surveySnapshot(ctx, tx, compoundID)
		if err != nil {
			return err
		}
		c = renovote.CountSurvey(compoundID, n, answers)
		return nil
	})
	if err != nil {
		return renovote.SurveyCounts{}, wrap(err)
	}
	return c, nil
}

// SurveyAudit returns the compound's survey audit trail, oldest first: one
// entry per accepted submission (replays add none).
func (s *Store) SurveyAudit(ctx context.Context, compoundID string) ([]store.SurveyChange, error) {
	wrap := func(err error) error { return fmt.Errorf("survey audit %s: %w", compoundID, err) }
	if err := checkCompound(compoundID); err != nil {
		return nil, wrap(err)
	}
	out := []store.SurveyChange{}
	err := eachRow(ctx, s.r, `SELECT seq, household, actor, at, op, replaced FROM survey_audit
		WHERE compound = ? ORDER BY seq`, []any{compoundID}, func(r *sql.Rows) error {
		var seq int64
		var hid, actor, at, op string
		var replaced bool
		if err := r.Scan(&seq, &hid, &actor, &at, &op, &replaced); err != nil {
			return err
		}
		out = append(out, store.SurveyChange{ID: seqID(seq),
			Ref:   renovote.HouseholdRef{CompoundID: compoundID, HouseholdID: hid},
			Actor: actor, At: parseTime(at), OpID: op, Replaced: replaced})
		return nil
	})
	if err != nil {
		return nil, wrap(err)
	}
	return out, nil
}
