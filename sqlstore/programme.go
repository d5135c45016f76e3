package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/renovote/renovote"
)

// ApplyProgramme validates and stores the programme and, per compound, the
// row the writes check (ballot, survey and publicity windows, rule, name, publish
// flag), in one transaction. It is idempotent; compounds of earlier
// programmes that p no longer lists are marked inactive (their data stays;
// votes, survey answers, reports and imports are refused). A compound
// without a survey window loses the one an earlier programme gave it.
func (s *Store) ApplyProgramme(ctx context.Context, p renovote.Programme) error {
	wrap := func(err error) error { return fmt.Errorf("apply programme: %w", err) }
	if err := p.Validate(); err != nil {
		return wrap(err)
	}
	js, err := json.Marshal(p)
	if err != nil {
		return wrap(err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE compounds SET active = 0`); err != nil {
			return err
		}
		for _, c := range p.Compounds {
			if err := putCompound(ctx, tx, p.ID, c, true); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO kv (k, v) VALUES ('programme', ?)`, string(js))
		return err
	})
	if err != nil {
		s.setProgramme(nil)
		return wrap(err)
	}
	var cp renovote.Programme
	if json.Unmarshal(js, &cp) == nil {
		s.setProgramme(&cp)
	}
	return nil
}

func (s *Store) setProgramme(p *renovote.Programme) {
	s.pmu.Lock()
	s.prog = p
	s.pmu.Unlock()
}

// Programme returns the applied programme, renovote.ErrNotFound if none.
func (s *Store) Programme(ctx context.Context) (renovote.Programme, error) {
	var p renovote.Programme
	var js string
	err := s.r.QueryRowContext(ctx, `SELECT v FROM kv WHERE k = 'programme'`).Scan(&js)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("programme: %w", renovote.ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("programme: %w", err)
	}
	if err := json.Unmarshal([]byte(js), &p); err != nil {
		return p, fmt.Errorf("programme: decode: %w", err)
	}
	return p, nil
}

// cachedProgramme returns the applied programme from memory: this process is
// the store's only writer (the directory's lock), so the cache is the file's.
// The result is shared: callers must not modify it.
func (s *Store) cachedProgramme(ctx context.Context) (renovote.Programme, error) {
	s.pmu.Lock()
	p := s.prog
	s.pmu.Unlock()
	if p != nil {
		return *p, nil
	}
	got, err := s.Programme(ctx)
	if err != nil {
		return got, err
	}
	s.setProgramme(&got)
	return got, nil
}

// putCompound writes a compound's row (active or retired), keeping its report
// and objection counters.
func putCompound(ctx context.Context, tx *sql.Tx, programmeID string, c renovote.Compound, active bool) error {
	rule, err := json.Marshal(c.Rule)
	if err != nil {
		return fmt.Errorf("compound %s: %w", c.ID, err)
	}
	var so, sc, po, pc any
	if sv := c.Survey; !sv.Opens.IsZero() && !sv.Closes.IsZero() {
		so, sc = sv.Opens.UnixNano(), sv.Closes.UnixNano()
	}
	if c.HasPublicity() {
		po, pc = c.Publicity.Opens.UnixNano(), c.Publicity.Closes.UnixNano()
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO compounds
		(id, active, programme, name, rule, publish, planned, opens_ns, closes_ns, survey_opens_ns, survey_closes_ns,
		publicity_opens_ns, publicity_closes_ns)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET active = excluded.active, programme = excluded.programme, name = excluded.name,
		rule = excluded.rule, publish = excluded.publish, planned = excluded.planned,
		opens_ns = excluded.opens_ns, closes_ns = excluded.closes_ns,
		survey_opens_ns = excluded.survey_opens_ns, survey_closes_ns = excluded.survey_closes_ns,
		publicity_opens_ns = excluded.publicity_opens_ns, publicity_closes_ns = excluded.publicity_closes_ns`,
		c.ID, b2i(active), programmeID, c.Name, string(rule), b2i(c.PublishTally), c.PlannedHouseholds,
		c.Ballot.Opens.UnixNano(), c.Ballot.Closes.UnixNano(), so, sc, po, pc); err != nil {
		return fmt.Errorf("compound %s: %w", c.ID, err)
	}
	return nil
}
