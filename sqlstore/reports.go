package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

// FileReport stores a new problem report in one transaction: a filing whose
// opID was applied before returns that report and changes nothing; otherwise
// the reporter's household must be on the register (renovote.ErrNotFound,
// renovote.ErrRemoved) and the compound active; the report gets the next id
// of the compound ("R1", "R2", ...), status open and a history of one open
// event. r.ID, r.Status and r.History are ignored; a zero r.Created is now.
func (s *Store) FileReport(ctx context.Context, r renovote.Report, opID string) (renovote.Report, error) {
	wrap := func(err error) error { return fmt.Errorf("file report %s: %w", r.Household, err) }
	if err := r.Validate(); err != nil {
		return renovote.Report{}, wrap(err)
	}
	if err := checkRef(r.Household); err != nil {
		return renovote.Report{}, wrap(err)
	}
	if err := checkOpID(opID); err != nil {
		return renovote.Report{}, wrap(err)
	}
	r.Created = nowOr(r.Created).UTC()
	r.Status = renovote.ReportOpen
	actor := ""
	if r.ReporterID != 0 {
		actor = "tg:" + strconv.FormatInt(r.ReporterID, 10)
	}
	r.History = []renovote.ReportEvent{{Status: renovote.ReportOpen, Actor: actor, At: r.Created}}
	cid := r.Household.CompoundID
	var out renovote.Report
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := s.now()
		id, ok, err := getOp(ctx, tx, opReport, cid, opID, now)
		if err != nil {
			return err
		}
		if ok {
			out, err = report(ctx, tx, cid, id)
			return err
		}
		c, err := getCompound(ctx, tx, cid)
		if err != nil {
			return err
		}
		if !c.active {
			return fail("compound", renovote.ErrNotFound)
		}
		if err := checkHousehold(ctx, tx, r.Household); err != nil {
			return err
		}
		var n int64
		if err := tx.QueryRowContext(ctx, `UPDATE compounds SET report_seq = report_seq + 1 WHERE id = ? RETURNING report_seq`,
			cid).Scan(&n); err != nil {
			return err
		}
		r.ID = "R" + strconv.FormatInt(n, 10)
		js, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO reports (compound, id, num, js, created_ms, open) VALUES (?, ?, ?, ?, ?, 1)`,
			cid, r.ID, n, string(js), r.Created.UnixMilli()); err != nil {
			return err
		}
		out = r
		return putOp(ctx, tx, opReport, cid, opID, r.ID, now, s.opts.OpTTL)
	})
	if err != nil {
		return renovote.Report{}, wrap(err)
	}
	return out, nil
}

func report(ctx context.Context, q querier, compoundID, id string) (renovote.Report, error) {
	var js string
	err := q.QueryRowContext(ctx, `SELECT js FROM reports WHERE compound = ? AND id = ?`, compoundID, id).Scan(&js)
	if errors.Is(err, sql.ErrNoRows) {
		return renovote.Report{}, renovote.ErrNotFound
	}
	if err != nil {
		return renovote.Report{}, err
	}
	return decodeReport(js)
}

func decodeReport(js string) (renovote.Report, error) {
	var r renovote.Report
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		return r, fmt.Errorf("decode report: %w", err)
	}
	return r, nil
}

// MoveReport changes a report's status and appends the change to its
// history, in one transaction. The move must be allowed by renovote.CanMove
// from the current status; otherwise it returns the current report and an
// error matching renovote.ErrConflict, and changes nothing. A move whose opID
// was applied before returns the report as it is now and changes nothing. A
// zero at is now.
func (s *Store) MoveReport(ctx context.Context, compoundID, id string, to renovote.ReportStatus, actor string, at time.Time, opID string) (renovote.Report, error) {
	wrap := func(err error) error { return fmt.Errorf("move report %s/%s to %s: %w", compoundID, id, to, err) }
	if err := checkCompound(compoundID); err != nil {
		return renovote.Report{}, wrap(err)
	}
	v := &renovote.ValidationError{What: "report move"}
	if !validReportID(id) {
		v.Add("id", "not a report id")
	}
	if to != renovote.ReportAcknowledged && to != renovote.ReportResolved {
		v.Add("to", fmt.Sprintf("%q is not acknowledged or resolved", to))
	}
	if actor == "" {
		v.Add("actor", "missing")
	}
	if err := v.Err(); err != nil {
		return renovote.Report{}, wrap(err)
	}
	if err := checkOpID(opID); err != nil {
		return renovote.Report{}, wrap(err)
	}
	at = nowOr(at).UTC()
	var out renovote.Report
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := s.now()
		moved, ok, err := getOp(ctx, tx, opMove, compoundID, opID, now)
		if err != nil {
			return err
		}
		if ok {
			out, err = report(ctx, tx, compoundID, moved)
			return err
		}
		r, err := report(ctx, tx, compoundID, id)
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		if !renovote.CanMove(r.Status, to) {
			out = r
			return keepErr{fmt.Errorf("report is %s: %w", r.Status, renovote.ErrConflict)}
		}
		r.Status = to
		r.History = append(slices.Clone(r.History), renovote.ReportEvent{Status: to, Actor: actor, At: at})
		js, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET js = ?, open = ? WHERE compound = ? AND id = ?`,
			string(js), b2i(to != renovote.ReportResolved), compoundID, id); err != nil {
			return err
		}
		out = r
		return putOp(ctx, tx, opMove, compoundID, opID, id, now, s.opts.OpTTL)
	})
	if err != nil {
		if errors.Is(err, renovote.ErrConflict) {
			return out, wrap(err)
		}
		return renovote.Report{}, wrap(err)
	}
	return out, nil
}

// Report returns one report of the compound (renovote.ErrNotFound if none).
func (s *Store) Report(ctx context.Context, compoundID, id string) (renovote.Report, error) {
	wrap := func(err error) error { return fmt.Errorf("report %s/%s: %w", compoundID, id, err) }
	if err := checkCompound(compoundID); err != nil {
		return renovote.Report{}, wrap(err)
	}
	if !validReportID(id) {
		return renovote.Report{}, wrap(renovote.ErrNotFound)
	}
	r, err := report(ctx, s.r, compoundID, id)
	if err != nil {
		return renovote.Report{}, wrap(err)
	}
	return r, nil
}

// OpenReports lists the compound's reports that are not resolved, oldest
// first (by creation, then by id number).
func (s *Store) OpenReports(ctx context.Context, compoundID string) ([]renovote.Report, error) {
	out, err := s.reports(ctx, compoundID, true)
	if err != nil {
		return nil, fmt.Errorf("open reports %s: %w", compoundID, err)
	}
	return out, nil
}

// Reports lists every report of the compound, oldest first.
func (s *Store) Reports(ctx context.Context, compoundID string) ([]renovote.Report, error) {
	out, err := s.reports(ctx, compoundID, false)
	if err != nil {
		return nil, fmt.Errorf("reports %s: %w", compoundID, err)
	}
	return out, nil
}

func (s *Store) reports(ctx context.Context, compoundID string, onlyOpen bool) ([]renovote.Report, error) {
	if err := checkCompound(compoundID); err != nil {
		return nil, err
	}
	out := []renovote.Report{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := compoundExists(ctx, tx, compoundID); err != nil {
			return err
		}
		return eachRow(ctx, tx, `SELECT js FROM reports WHERE compound = ? AND (open = 1 OR ? = 0)`,
			[]any{compoundID, b2i(onlyOpen)}, func(r *sql.Rows) error {
				var js string
				if err := r.Scan(&js); err != nil {
					return err
				}
				rep, err := decodeReport(js)
				if err != nil {
					return err
				}
				if !onlyOpen || rep.Status != renovote.ReportResolved {
					out = append(out, rep)
				}
				return nil
			})
	})
	if err != nil {
		return nil, err
	}
	sortReports(out)
	return out, nil
}

// seqNumber is n of "<prefix><n>" (0 for anything else): the ids of reports
// and notices.
func seqNumber(prefix, id string) int64 {
	n, err := strconv.ParseInt(strings.TrimPrefix(id, prefix), 10, 64)
	if err != nil || !strings.HasPrefix(id, prefix) || n < 0 {
		return 0
	}
	return n
}

func reportNumber(id string) int64 { return seqNumber("R", id) }

func validReportID(id string) bool { return reportNumber(id) > 0 && len(id) <= 21 }

func sortReports(rs []renovote.Report) {
	slices.SortStableFunc(rs, func(a, b renovote.Report) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return cmpInt(reportNumber(a.ID), reportNumber(b.ID))
	})
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// SetSupervisor names (on) or un-names a resident supervisor of a compound
// and records the change, with who made it, in the compound's staff audit.
// Idempotent: a change already in place is not recorded again. Naming needs
// an active compound (renovote.ErrNotFound).
func (s *Store) SetSupervisor(ctx context.Context, userID int64, compoundID string, on bool, by string, at time.Time) error {
	op := "remove"
	if on {
		op = "add"
	}
	wrap := func(err error) error { return fmt.Errorf("%s supervisor %d of %s: %w", op, userID, compoundID, err) }
	if err := checkCompound(compoundID); err != nil {
		return wrap(err)
	}
	if userID == 0 {
		return wrap(fmt.Errorf("user id missing: %w", renovote.ErrInvalid))
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		c, err := getCompound(ctx, tx, compoundID)
		if err != nil {
			return err
		}
		if !c.exists || (on && !c.active) {
			return fail("compound", renovote.ErrNotFound)
		}
		var res sql.Result
		if on {
			res, err = tx.ExecContext(ctx, `INSERT OR IGNORE INTO supervisors (compound, user_id) VALUES (?, ?)`, compoundID, userID)
		} else {
			res, err = tx.ExecContext(ctx, `DELETE FROM supervisors WHERE compound = ? AND user_id = ?`, compoundID, userID)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return staffAudit(ctx, tx, compoundID, op, userID, "supervisor", "", by, fmtTime(nowOr(at)))
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}

// IsSupervisor reports whether userID is a resident supervisor of the compound.
func (s *Store) IsSupervisor(ctx context.Context, userID int64, compoundID string) (bool, error) {
	if err := checkCompound(compoundID); err != nil {
		return false, fmt.Errorf("is supervisor %d of %s: %w", userID, compoundID, err)
	}
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM supervisors WHERE compound = ? AND user_id = ?`,
		compoundID, userID).Scan(&n); err != nil {
		return false, fmt.Errorf("is supervisor %d of %s: %w", userID, compoundID, err)
	}
	return n > 0, nil
}

// Supervisors lists the compound's resident supervisors, sorted.
func (s *Store) Supervisors(ctx context.Context, compoundID string) ([]int64, error) {
	if err := checkCompound(compoundID); err != nil {
		return nil, fmt.Errorf("supervisors %s: %w", compoundID, err)
	}
	out := []int64{}
	err := eachRow(ctx, s.r, `SELECT user_id FROM supervisors WHERE compound = ? ORDER BY user_id`, []any{compoundID},
		func(r *sql.Rows) error {
			var id int64
			if err := r.Scan(&id); err != nil {
				return err
			}
			out = append(out, id)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("supervisors %s: %w", compoundID, err)
	}
	return out, nil
}

// SupervisorAudit returns the compound's supervisor changes, oldest first
// (Role "supervisor").
func (s *Store) SupervisorAudit(ctx context.Context, compoundID string) ([]store.StaffChange, error) {
	if err := checkCompound(compoundID); err != nil {
		return nil, fmt.Errorf("supervisor audit %s: %w", compoundID, err)
	}
	out, err := s.readStaffAudit(ctx, compoundID)
	if err != nil {
		return nil, fmt.Errorf("supervisor audit %s: %w", compoundID, err)
	}
	return out, nil
}
