package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

// Objections (异议) filed in a compound's publicity window (公示期): short
// per-compound ids ("O1", "O2", ...), open until answered, every filing and
// answer appended to the objection audit in the same transaction.

// FileObjection stores a new objection in one transaction: a filing whose
// opID was applied before returns that objection and changes nothing;
// otherwise the household must be on the register (renovote.ErrNotFound,
// renovote.ErrRemoved), the compound active, and o.Created inside the
// compound's publicity window [opens, closes) (renovote.ErrObjectionNotOpen,
// also when the compound has none; renovote.ErrObjectionClosed). The
// objection gets the next id of the compound, status open, and is audited.
// o.ID, o.Status and the answer's fields are ignored; a zero o.Created is now.
func (s *Store) FileObjection(ctx context.Context, o renovote.Objection, opID string) (renovote.Objection, error) {
	wrap := func(err error) error { return fmt.Errorf("file objection %s: %w", o.Household, err) }
	o.ID, o.Status = "", renovote.ObjectionOpen
	o.AnsweredBy, o.Answered, o.Note = "", time.Time{}, ""
	if err := o.Validate(); err != nil {
		return renovote.Objection{}, wrap(err)
	}
	if err := checkRef(o.Household); err != nil {
		return renovote.Objection{}, wrap(err)
	}
	if err := checkOpID(opID); err != nil {
		return renovote.Objection{}, wrap(err)
	}
	o.Created = nowOr(o.Created).UTC()
	cid := o.Household.CompoundID
	var out renovote.Objection
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := s.now()
		id, ok, err := getOp(ctx, tx, opObject, cid, opID, now)
		if err != nil {
			return err
		}
		if ok {
			out, err = objection(ctx, tx, cid, id)
			return err
		}
		c, err := getCompound(ctx, tx, cid)
		if err != nil {
			return err
		}
		if !c.active {
			return fail("compound", renovote.ErrNotFound)
		}
		if err := checkHousehold(ctx, tx, o.Household); err != nil {
			return err
		}
		if !c.hasPublicity {
			return fail("no publicity window", renovote.ErrObjectionNotOpen)
		}
		if ns := o.Created.UnixNano(); ns < c.publicOpens {
			return renovote.ErrObjectionNotOpen
		} else if ns >= c.publicCloses {
			return renovote.ErrObjectionClosed
		}
		var n int64
		if err := tx.QueryRowContext(ctx, `UPDATE compounds SET objection_seq = objection_seq + 1 WHERE id = ?
			RETURNING objection_seq`, cid).Scan(&n); err != nil {
			return err
		}
		o.ID = "O" + strconv.FormatInt(n, 10)
		js, err := json.Marshal(o)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO objections (compound, id, num, js, created_ms, open)
			VALUES (?, ?, ?, ?, ?, 1)`, cid, o.ID, n, string(js), o.Created.UnixMilli()); err != nil {
			return err
		}
		uid := strconv.FormatInt(o.UserID, 10)
		if err := objectionAudit(ctx, tx, cid, "file", o.ID, o.Household.HouseholdID, o.UserID, "tg:"+uid,
			fmtTime(o.Created), opID); err != nil {
			return err
		}
		out = o
		return putOp(ctx, tx, opObject, cid, opID, o.ID, now, s.opts.OpTTL)
	})
	if err != nil {
		return renovote.Objection{}, wrap(err)
	}
	return out, nil
}

func objectionAudit(ctx context.Context, tx *sql.Tx, compoundID, op, id, household string, userID int64, actor, at, opID string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO objection_audit (compound, op, id, household, user_id, actor, at, opid)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, compoundID, op, id, household, userID, actor, at, opID)
	return err
}

func objection(ctx context.Context, q querier, compoundID, id string) (renovote.Objection, error) {
	var js string
	err := q.QueryRowContext(ctx, `SELECT js FROM objections WHERE compound = ? AND id = ?`, compoundID, id).Scan(&js)
	if errors.Is(err, sql.ErrNoRows) {
		return renovote.Objection{}, renovote.ErrNotFound
	}
	if err != nil {
		return renovote.Objection{}, err
	}
	return decodeObjection(js)
}

func decodeObjection(js string) (renovote.Objection, error) {
	var o renovote.Objection
	if err := json.Unmarshal([]byte(js), &o); err != nil {
		return o, fmt.Errorf("decode objection: %w", err)
	}
	return o, nil
}

// AnswerObjection marks an open objection answered by actor at at, with an
// optional note (renovote.Objection.Answer), and audits it, in one
// transaction. An objection already answered is returned as it is with an
// error matching renovote.ErrConflict, and nothing changes. An answer whose
// opID was applied before returns the objection as it is now and changes
// nothing. A zero at is now.
func (s *Store) AnswerObjection(ctx context.Context, compoundID, id, actor, note string, at time.Time, opID string) (renovote.Objection, error) {
	wrap := func(err error) error { return fmt.Errorf("answer objection %s/%s: %w", compoundID, id, err) }
	if err := checkCompound(compoundID); err != nil {
		return renovote.Objection{}, wrap(err)
	}
	if !validObjectionID(id) {
		return renovote.Objection{}, wrap(fmt.Errorf("objection id: %w", renovote.ErrInvalid))
	}
	if err := checkOpID(opID); err != nil {
		return renovote.Objection{}, wrap(err)
	}
	at = nowOr(at).UTC()
	var out renovote.Objection
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := s.now()
		done, ok, err := getOp(ctx, tx, opAnswer, compoundID, opID, now)
		if err != nil {
			return err
		}
		if ok {
			out, err = objection(ctx, tx, compoundID, done)
			return err
		}
		o, err := objection(ctx, tx, compoundID, id)
		if err != nil {
			return err
		}
		next, err := o.Answer(actor, note, at)
		if errors.Is(err, renovote.ErrConflict) {
			out = o
			return keepErr{err}
		}
		if err != nil {
			return err
		}
		js, err := json.Marshal(next)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE objections SET js = ?, open = 0 WHERE compound = ? AND id = ?`,
			string(js), compoundID, id); err != nil {
			return err
		}
		if err := objectionAudit(ctx, tx, compoundID, "answer", id, o.Household.HouseholdID, o.UserID, actor,
			fmtTime(at), opID); err != nil {
			return err
		}
		out = next
		return putOp(ctx, tx, opAnswer, compoundID, opID, id, now, s.opts.OpTTL)
	})
	if err != nil {
		if errors.Is(err, renovote.ErrConflict) {
			return out, wrap(err)
		}
		return renovote.Objection{}, wrap(err)
	}
	return out, nil
}

// Objection returns one objection of the compound (renovote.ErrNotFound if none).
func (s *Store) Objection(ctx context.Context, compoundID, id string) (renovote.Objection, error) {
	wrap := func(err error) error { return fmt.Errorf("objection %s/%s: %w", compoundID, id, err) }
	if err := checkCompound(compoundID); err != nil {
		return renovote.Objection{}, wrap(err)
	}
	if !validObjectionID(id) {
		return renovote.Objection{}, wrap(renovote.ErrNotFound)
	}
	o, err := objection(ctx, s.r, compoundID, id)
	if err != nil {
		return renovote.Objection{}, wrap(err)
	}
	return o, nil
}

// Objections lists every objection of the compound, oldest first (by
// creation, then by number); renovote.ErrNotFound for an unknown compound.
func (s *Store) Objections(ctx context.Context, compoundID string) ([]renovote.Objection, error) {
	out, err := s.objections(ctx, compoundID, false)
	if err != nil {
		return nil, fmt.Errorf("objections %s: %w", compoundID, err)
	}
	return out, nil
}

// OpenObjections lists the compound's objections not answered, oldest first.
func (s *Store) OpenObjections(ctx context.Context, compoundID string) ([]renovote.Objection, error) {
	out, err := s.objections(ctx, compoundID, true)
	if err != nil {
		return nil, fmt.Errorf("open objections %s: %w", compoundID, err)
	}
	return out, nil
}

func (s *Store) objections(ctx context.Context, compoundID string, onlyOpen bool) ([]renovote.Objection, error) {
	if err := checkCompound(compoundID); err != nil {
		return nil, err
	}
	out := []renovote.Objection{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := compoundExists(ctx, tx, compoundID); err != nil {
			return err
		}
		return eachRow(ctx, tx, `SELECT js FROM objections WHERE compound = ? AND (open = 1 OR ? = 0)`,
			[]any{compoundID, b2i(onlyOpen)}, func(r *sql.Rows) error {
				var js string
				if err := r.Scan(&js); err != nil {
					return err
				}
				o, err := decodeObjection(js)
				if err != nil {
					return err
				}
				if !onlyOpen || o.Status == renovote.ObjectionOpen {
					out = append(out, o)
				}
				return nil
			})
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b renovote.Objection) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return cmpInt(seqNumber("O", a.ID), seqNumber("O", b.ID))
	})
	return out, nil
}

func validObjectionID(id string) bool { return seqNumber("O", id) > 0 && len(id) <= 21 }

// ObjectionAudit returns the compound's objection audit, oldest first.
func (s *Store) ObjectionAudit(ctx context.Context, compoundID string) ([]store.ObjectionChange, error) {
	wrap := func(err error) error { return fmt.Errorf("objection audit %s: %w", compoundID, err) }
	if err := checkCompound(compoundID); err != nil {
		return nil, wrap(err)
	}
	out := []store.ObjectionChange{}
	err := eachRow(ctx, s.r, `SELECT seq, op, id, household, user_id, actor, at, opid FROM objection_audit
		WHERE compound = ? ORDER BY seq`, []any{compoundID}, func(r *sql.Rows) error {
		var seq, uid int64
		var op, id, hid, actor, at, opid string
		if err := r.Scan(&seq, &op, &id, &hid, &uid, &actor, &at, &opid); err != nil {
			return err
		}
		out = append(out, store.ObjectionChange{StreamID: seqID(seq), Op: op, ID: id,
			Household: renovote.HouseholdRef{CompoundID: compoundID, HouseholdID: hid},
			UserID:    uid, Actor: actor, At: parseTime(at), OpID: opid})
		return nil
	})
	if err != nil {
		return nil, wrap(err)
	}
	return out, nil
}
