package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

// CastVote sets a household's vote in one transaction: a command whose OpID
// was applied before returns the stored receipt (Replayed) and changes
// nothing; otherwise it checks the compound, the household
// (renovote.ErrNotFound, renovote.ErrRemoved) and the ballot window at cmd.At
// ([opens, closes): renovote.ErrBallotNotOpen, renovote.ErrBallotClosed), sets
// the vote, appends an audit entry (also for an unchanged choice) and keeps
// the receipt under the OpID for Options.OpTTL.
func (s *Store) CastVote(ctx context.Context, cmd renovote.VoteCmd) (renovote.Receipt, error) {
	wrap := func(err error) error { return fmt.Errorf("cast vote %s: %w", cmd.Ref, err) }
	if err := cmd.Validate(); err != nil {
		return renovote.Receipt{}, wrap(err)
	}
	if err := checkRef(cmd.Ref); err != nil {
		return renovote.Receipt{}, wrap(err)
	}
	if len(cmd.OpID) > maxIDLen*2 {
		return renovote.Receipt{}, wrap(fmt.Errorf("op id too long: %w", renovote.ErrInvalid))
	}
	at := cmd.At.UTC()
	vote, err := json.Marshal(renovote.HouseholdVote{
		Choice: cmd.Choice, Channel: cmd.Channel, Actor: cmd.Actor, At: at,
		ReceiptID: cmd.ReceiptID, Evidence: cmd.Evidence,
	})
	if err != nil {
		return renovote.Receipt{}, wrap(err)
	}
	rc := renovote.Receipt{ID: cmd.ReceiptID, Ref: cmd.Ref, Choice: cmd.Choice, Channel: cmd.Channel, At: at}
	rcjs, err := json.Marshal(rc)
	if err != nil {
		return renovote.Receipt{}, wrap(err)
	}
	var out renovote.Receipt
	err = s.write(ctx, func(tx *sql.Tx) error {
		now := s.now()
		prev, ok, err := getOp(ctx, tx, opVote, cmd.Ref.CompoundID, cmd.OpID, now)
		if err != nil {
			return err
		}
		if ok {
			p, js, _ := strings.Cut(prev, "|")
			var old renovote.Receipt
			if err := json.Unmarshal([]byte(js), &old); err != nil {
				return fmt.Errorf("decode stored receipt: %w", err)
			}
			old.Previous = renovote.Choice(p)
			old.Replayed = true
			out = old
			return nil
		}
		c, err := getCompound(ctx, tx, cmd.Ref.CompoundID)
		if err != nil {
			return err
		}
		if !c.active {
			return fail("compound", renovote.ErrNotFound)
		}
		if err := checkHousehold(ctx, tx, cmd.Ref); err != nil {
			return err
		}
		ns := at.UnixNano()
		if ns < c.opens {
			return renovote.ErrBallotNotOpen
		}
		if ns >= c.closes {
			return renovote.ErrBallotClosed
		}
		var old string
		err = tx.QueryRowContext(ctx, `SELECT choice FROM votes WHERE compound = ? AND household = ?`,
			cmd.Ref.CompoundID, cmd.Ref.HouseholdID).Scan(&old)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO votes (compound, household, choice, js) VALUES (?, ?, ?, ?)
			ON CONFLICT (compound, household) DO UPDATE SET choice = excluded.choice, js = excluded.js`,
			cmd.Ref.CompoundID, cmd.Ref.HouseholdID, string(cmd.Choice), string(vote)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO vote_audit
			(compound, household, old, new, channel, actor, at, at_ns, receipt, update_id, evidence)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			cmd.Ref.CompoundID, cmd.Ref.HouseholdID, old, string(cmd.Choice), string(cmd.Channel), cmd.Actor,
			fmtTime(at), ns, cmd.ReceiptID, cmd.UpdateID, cmd.Evidence); err != nil {
			return err
		}
		if err := putOp(ctx, tx, opVote, cmd.Ref.CompoundID, cmd.OpID, old+"|"+string(rcjs), now, s.opts.OpTTL); err != nil {
			return err
		}
		out = rc
		out.Previous = renovote.Choice(old)
		return nil
	})
	if err != nil {
		return renovote.Receipt{}, wrap(err)
	}
	return out, nil
}

// CurrentVote returns the household's current vote, if any
// (renovote.ErrNotFound for an unknown household).
func (s *Store) CurrentVote(ctx context.Context, ref renovote.HouseholdRef) (renovote.HouseholdVote, bool, error) {
	wrap := func(err error) error { return fmt.Errorf("current vote %s: %w", ref, err) }
	if err := checkRef(ref); err != nil {
		return renovote.HouseholdVote{}, false, wrap(err)
	}
	var v renovote.HouseholdVote
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
		err = tx.QueryRowContext(ctx, `SELECT js FROM votes WHERE compound = ? AND household = ?`,
			ref.CompoundID, ref.HouseholdID).Scan(&js)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(js), &v); err != nil {
			return fmt.Errorf("decode vote: %w", err)
		}
		found = true
		return nil
	})
	if err != nil {
		return renovote.HouseholdVote{}, false, wrap(err)
	}
	return v, found, nil
}

// Votes returns every stored current vote of the compound by household id,
// removed households' included (they no longer count in the tally).
func (s *Store) Votes(ctx context.Context, compoundID string) (map[string]renovote.HouseholdVote, error) {
	wrap := func(err error) error { return fmt.Errorf("votes %s: %w", compoundID, err) }
	if err := checkCompound(compoundID); err != nil {
		return nil, wrap(err)
	}
	out := map[string]renovote.HouseholdVote{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := compoundExists(ctx, tx, compoundID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT household, js FROM votes WHERE compound = ?`, compoundID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, js string
			if err := rows.Scan(&id, &js); err != nil {
				return err
			}
			var v renovote.HouseholdVote
			if err := json.Unmarshal([]byte(js), &v); err != nil {
				return fmt.Errorf("decode vote: %w", err)
			}
			out[id] = v
		}
		return rows.Err()
	})
	if err != nil {
		return nil, wrap(err)
	}
	return out, nil
}

// Tally returns the compound's counters, computed in one read transaction
// from the register (households not removed), their current choices and
// bound members: exact by construction.
func (s *Store) Tally(ctx context.Context, compoundID string) (renovote.Tally, error) {
	wrap := func(err error) error { return fmt.Errorf("tally %s: %w", compoundID, err) }
	if err := checkCompound(compoundID); err != nil {
		return renovote.Tally{}, wrap(err)
	}
	var t renovote.Tally
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := compoundExists(ctx, tx, compoundID); err != nil {
			return err
		}
		var err error
		t, err = tally(ctx, tx, compoundID)
		return err
	})
	if err != nil {
		return renovote.Tally{}, wrap(err)
	}
	return t, nil
}

// tally aggregates the columns of the register, the choices and the members.
func tally(ctx context.Context, q querier, compoundID string) (renovote.Tally, error) {
	t := renovote.Tally{CompoundID: compoundID}
	rows, err := q.QueryContext(ctx, `SELECT h.area, h.owner_key, COALESCE(v.choice, ''),
		EXISTS (SELECT 1 FROM members m WHERE m.compound = h.compound AND m.household = h.id)
		FROM households h LEFT JOIN votes v ON v.compound = h.compound AND v.household = h.id
		WHERE h.compound = ? AND h.removed = 0`, compoundID)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	type owner struct{ agree, disagree int }
	owners := map[string]*owner{}
	for rows.Next() {
		var area int64
		var key, choice string
		var bound bool
		if err := rows.Scan(&area, &key, &choice, &bound); err != nil {
			return t, err
		}
		t.Households++
		t.Area += renovote.Area(area)
		o := owners[key]
		if o == nil {
			o = &owner{}
			owners[key] = o
		}
		if bound {
			t.Bound++
		}
		switch renovote.Choice(choice) {
		case renovote.ChoiceAgree:
			t.Voted++
			t.Agree++
			t.VotedArea += renovote.Area(area)
			t.AgreeArea += renovote.Area(area)
			o.agree++
		case renovote.ChoiceDisagree:
			t.Voted++
			t.Disagree++
			t.VotedArea += renovote.Area(area)
			o.disagree++
		}
	}
	if err := rows.Err(); err != nil {
		return t, err
	}
	t.Owners = int64(len(owners))
	for _, o := range owners {
		if o.agree+o.disagree > 0 {
			t.VotedOwners++
		}
		if o.agree > 0 && o.disagree == 0 {
			t.AgreeOwners++
		}
	}
	return t, nil
}

// Recount computes the compound's tally with renovote.Recount from one
// snapshot of the households (decoded), current choices and members. It is
// the ground truth Tally must equal.
func (s *Store) Recount(ctx context.Context, compoundID string) (renovote.Tally, error) {
	wrap := func(err error) error { return fmt.Errorf("recount %s: %w", compoundID, err) }
	if err := checkCompound(compoundID); err != nil {
		return renovote.Tally{}, wrap(err)
	}
	var t renovote.Tally
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := compoundExists(ctx, tx, compoundID); err != nil {
			return err
		}
		hhs, err := households(ctx, tx, compoundID)
		if err != nil {
			return err
		}
		votes := map[string]renovote.Choice{}
		if err := eachRow(ctx, tx, `SELECT household, choice FROM votes WHERE compound = ?`, []any{compoundID},
			func(r *sql.Rows) error {
				var id, c string
				if err := r.Scan(&id, &c); err != nil {
					return err
				}
				votes[id] = renovote.Choice(c)
				return nil
			}); err != nil {
			return err
		}
		bound := map[string]bool{}
		if err := eachRow(ctx, tx, `SELECT DISTINCT household FROM members WHERE compound = ?`, []any{compoundID},
			func(r *sql.Rows) error {
				var id string
				if err := r.Scan(&id); err != nil {
					return err
				}
				bound[id] = true
				return nil
			}); err != nil {
			return err
		}
		t = renovote.Recount(compoundID, hhs, votes, bound)
		return nil
	})
	if err != nil {
		return renovote.Tally{}, wrap(err)
	}
	return t, nil
}

// eachRow runs a query and calls f for each row.
func eachRow(ctx context.Context, q querier, query string, args []any, f func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := f(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Audit reads the compound's vote audit trail from entry id from (inclusive;
// "" or "-" for the start; prefix "(" to start after an id) for at most count
// entries (count <= 0: all). Entry ids are "<n>-0", n growing.
func (s *Store) Audit(ctx context.Context, compoundID string, from string, count int) ([]store.AuditEntry, error) {
	wrap := func(err error) error { return fmt.Errorf("audit %s: %w", compoundID, err) }
	if err := checkCompound(compoundID); err != nil {
		return nil, wrap(err)
	}
	min, err := auditFrom(from)
	if err != nil {
		return nil, wrap(err)
	}
	limit := int64(-1)
	if count > 0 {
		limit = int64(count)
	}
	out := []store.AuditEntry{}
	err = eachRow(ctx, s.r, `SELECT seq, household, old, new, channel, actor, at, receipt, update_id, evidence
		FROM vote_audit WHERE compound = ? AND seq >= ? ORDER BY seq LIMIT ?`, []any{compoundID, min, limit},
		func(r *sql.Rows) error {
			var seq, upd int64
			var hid, old, nw, ch, actor, at, receipt, ev string
			if err := r.Scan(&seq, &hid, &old, &nw, &ch, &actor, &at, &receipt, &upd, &ev); err != nil {
				return err
			}
			out = append(out, store.AuditEntry{ID: seqID(seq), VoteChange: renovote.VoteChange{
				Ref: renovote.HouseholdRef{CompoundID: compoundID, HouseholdID: hid},
				Old: renovote.Choice(old), New: renovote.Choice(nw), Channel: renovote.Channel(ch),
				Actor: actor, At: parseTime(at), ReceiptID: receipt, UpdateID: upd, Evidence: ev,
			}})
			return nil
		})
	if err != nil {
		return nil, wrap(err)
	}
	return out, nil
}

// auditFrom is the first row number an Audit read starts at.
func auditFrom(from string) (int64, error) {
	if from == "" || from == "-" {
		return 0, nil
	}
	excl := strings.HasPrefix(from, "(")
	n, ok := parseSeqID(strings.TrimPrefix(from, "("))
	if !ok {
		return 0, fmt.Errorf("audit id %q: %w", from, renovote.ErrInvalid)
	}
	if excl {
		n++
	}
	return n, nil
}

// AuditLen returns the number of entries in the compound's vote audit trail.
func (s *Store) AuditLen(ctx context.Context, compoundID string) (int64, error) {
	if err := checkCompound(compoundID); err != nil {
		return 0, fmt.Errorf("audit length %s: %w", compoundID, err)
	}
	var n int64
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM vote_audit WHERE compound = ?`, compoundID).Scan(&n); err != nil {
		return 0, fmt.Errorf("audit length %s: %w", compoundID, err)
	}
	return n, nil
}
