package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// SubmitSurvey replaces a household's survey answer in one script in the
// compound's slot. The answer is first validated against the applied
// programme's menu and contribution bands (renovote.ErrInvalid). The script
// then: returns at once, changing nothing, when opID was applied before (a
// retry); checks the household (renovote.ErrNotFound, renovote.ErrRemoved) and
// the compound's survey window at a.At ([opens, closes):
// renovote.ErrSurveyNotOpen, also for a compound without a survey window,
// renovote.ErrSurveyClosed); takes the household's old answer out of the
// counters and puts the new one in; stores the answer; appends an audit entry;
// and keeps opID for Options.OpTTL.
func (s *Store) SubmitSurvey(ctx context.Context, a renovote.SurveyAnswer, opID string) error {
	wrap := func(err error) error { return fmt.Errorf("submit survey %s: %w", a.Ref, err) }
	ck, err := s.checkRef(a.Ref)
	if err != nil {
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
	if _, _, err := s.run(ctx, scriptSurvey,
		[]string{ck.meta, ck.hh, ck.survey, ck.surveyCounts, ck.surveyAudit, ck.surveyOp(opID)},
		a.Ref.HouseholdID, string(js), strconv.FormatInt(a.At.Unix(), 10), strconv.Itoa(a.At.Nanosecond()),
		a.Actor, fmtTime(a.At), opID, s.opts.OpTTL.Milliseconds()); err != nil {
		return wrap(err)
	}
	return nil
}

// checkOpID checks the idempotency key of a command.
func checkOpID(opID string) error {
	if opID == "" || len(opID) > maxIDLen*2 {
		return fmt.Errorf("op id missing or too long: %w", renovote.ErrInvalid)
	}
	return nil
}

// SurveyAnswer returns the household's current answer, if any
// (renovote.ErrNotFound for an unknown household). A removed household's
// answer is returned too; it no longer counts.
func (s *Store) SurveyAnswer(ctx context.Context, ref renovote.HouseholdRef) (renovote.SurveyAnswer, bool, error) {
	wrap := func(err error) error { return fmt.Errorf("survey answer %s: %w", ref, err) }
	ck, err := s.checkRef(ref)
	if err != nil {
		return renovote.SurveyAnswer{}, false, wrap(err)
	}
	var exists *redis.BoolCmd
	var answer *redis.StringCmd
	if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		exists = p.HExists(ctx, ck.hh, ref.HouseholdID)
		answer = p.HGet(ctx, ck.survey, ref.HouseholdID)
		return nil
	}); err != nil && !isNil(err) {
		return renovote.SurveyAnswer{}, false, wrap(err)
	}
	if !exists.Val() {
		return renovote.SurveyAnswer{}, false, wrap(renovote.ErrNotFound)
	}
	if isNil(answer.Err()) {
		return renovote.SurveyAnswer{}, false, nil
	}
	var a renovote.SurveyAnswer
	if err := json.Unmarshal([]byte(answer.Val()), &a); err != nil {
		return renovote.SurveyAnswer{}, false, wrap(fmt.Errorf("decode survey answer: %w", err))
	}
	return a, true, nil
}

// SurveyCounts returns the compound's survey counters as the scripts keep
// them, with Households from the tally (the register, removed households not
// counted). Only households on the register count.
func (s *Store) SurveyCounts(ctx context.Context, compoundID string) (renovote.SurveyCounts, error) {
	wrap := func(err error) error { return fmt.Errorf("survey counts %s: %w", compoundID, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return renovote.SurveyCounts{}, wrap(err)
	}
	h, err := s.readHashes(ctx, ck, ck.surveyCounts, ck.tally)
	if err != nil {
		return renovote.SurveyCounts{}, wrap(err)
	}
	households, _ := strconv.ParseInt(h[1]["households"], 10, 64)
	return decodeSurveyCounts(compoundID, households, h[0]), nil
}

// decodeSurveyCounts turns the counters hash (see survey_lib.lua) into
// renovote.SurveyCounts. Unknown or malformed fields are ignored.
func decodeSurveyCounts(compoundID string, households int64, m map[string]string) renovote.SurveyCounts {
	c := renovote.SurveyCounts{CompoundID: compoundID, Households: households,
		Urgent: map[string][renovote.MaxUrgent]int64{}, Upgrades: map[string]int64{}, Bands: map[string]int64{}}
	for f, v := range m {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			continue
		}
		switch {
		case f == "respondents":
			c.Respondents = n
		case f == "contribute":
			c.Contribute = n
		case f == "comments":
			c.Comments = n
		case f == "photos":
			c.Photos = n
		case strings.HasPrefix(f, "urg:"):
			i := strings.LastIndexByte(f, ':')
			rank, err := strconv.Atoi(f[i+1:])
			if i <= len("urg:") || err != nil || rank < 0 || rank >= renovote.MaxUrgent {
				continue
			}
			item := f[len("urg:"):i]
			r := c.Urgent[item]
			r[rank] = n
			c.Urgent[item] = r
		case strings.HasPrefix(f, "up:"):
			c.Upgrades[f[len("up:"):]] = n
		case strings.HasPrefix(f, "band:"):
			c.Bands[f[len("band:"):]] = n
		}
	}
	return c
}

// SurveyAnswers returns the current answers of the households on the
// compound's register (removed households' answers are kept but not listed),
// in register order (building, unit, room).
func (s *Store) SurveyAnswers(ctx context.Context, compoundID string) ([]renovote.SurveyAnswer, error) {
	wrap := func(err error) error { return fmt.Errorf("survey answers %s: %w", compoundID, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return nil, wrap(err)
	}
	h, err := s.readHashes(ctx, ck, ck.hh, ck.survey)
	if err != nil {
		return nil, wrap(err)
	}
	_, answers, err := surveySnapshot(h[0], h[1])
	if err != nil {
		return nil, wrap(err)
	}
	return answers, nil
}

// RecountSurvey computes the compound's survey counters from scratch with
// renovote.CountSurvey, from one consistent snapshot of the register and the
// answers. It is the ground truth SurveyCounts must equal.
func (s *Store) RecountSurvey(ctx context.Context, compoundID string) (renovote.SurveyCounts, error) {
	wrap := func(err error) error { return fmt.Errorf("recount survey %s: %w", compoundID, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return renovote.SurveyCounts{}, wrap(err)
	}
	h, err := s.readHashes(ctx, ck, ck.hh, ck.survey)
	if err != nil {
		return renovote.SurveyCounts{}, wrap(err)
	}
	households, answers, err := surveySnapshot(h[0], h[1])
	if err != nil {
		return renovote.SurveyCounts{}, wrap(err)
	}
	return renovote.CountSurvey(compoundID, households, answers), nil
}

// surveySnapshot returns the number of households on the register and their
// answers in register order, from the household and answer hashes.
func surveySnapshot(hh, survey map[string]string) (int64, []renovote.SurveyAnswer, error) {
	hhs, err := decodeHouseholds(hh)
	if err != nil {
		return 0, nil, err
	}
	var n int64
	var out []renovote.SurveyAnswer
	for _, h := range hhs {
		if h.Removed {
			continue
		}
		n++
		js, ok := survey[h.ID]
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

// SurveyChange is one entry of a compound's survey audit trail.
type SurveyChange struct {
	ID       string                `json:"id"` // stream id
	Ref      renovote.HouseholdRef `json:"household"`
	Actor    string                `json:"actor"`
	At       time.Time             `json:"at"`
	OpID     string                `json:"op"`
	Replaced bool                  `json:"replaced"` // the household had answered before
}

// SurveyAudit returns the compound's survey audit trail, oldest first: one
// entry per accepted submission (replays add none).
func (s *Store) SurveyAudit(ctx context.Context, compoundID string) ([]SurveyChange, error) {
	wrap := func(err error) error { return fmt.Errorf("survey audit %s: %w", compoundID, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return nil, wrap(err)
	}
	msgs, err := s.rdb.XRange(ctx, ck.surveyAudit, "-", "+").Result()
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]SurveyChange, 0, len(msgs))
	for _, m := range msgs {
		f := func(k string) string { v, _ := m.Values[k].(string); return v }
		out = append(out, SurveyChange{
			ID:       m.ID,
			Ref:      renovote.HouseholdRef{CompoundID: compoundID, HouseholdID: f("household")},
			Actor:    f("actor"),
			At:       parseTime(f("at")),
			OpID:     f("op"),
			Replaced: f("replaced") == "1",
		})
	}
	return out, nil
}
