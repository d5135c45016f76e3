package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// FileReport stores a new problem report in one script in the compound's slot:
// a filing whose opID was applied before returns that report and changes
// nothing; otherwise the reporter's household must be on the register
// (renovote.ErrNotFound, renovote.ErrRemoved) and the compound active; the
// report gets the next id of the compound ("R1", "R2", ...), status open and a
// history of one open event, and is listed among the open reports. r.ID,
// r.Status and r.History are ignored; a zero r.Created is now. The opID is kept
// for Options.OpTTL.
func (s *Store) FileReport(ctx context.Context, r renovote.Report, opID string) (renovote.Report, error) {
	wrap := func(err error) error { return fmt.Errorf("file report %s: %w", r.Household, err) }
	if err := r.Validate(); err != nil {
		return renovote.Report{}, wrap(err)
	}
	ck, err := s.checkRef(r.Household)
	if err != nil {
		return renovote.Report{}, wrap(err)
	}
	if err := checkOpID(opID); err != nil {
		return renovote.Report{}, wrap(err)
	}
	r.ID = "" // assigned by the script, which relies on `{"id":""` leading the JSON
	r.Created = nowOr(r.Created).UTC()
	r.Status = renovote.ReportOpen
	actor := ""
	if r.ReporterID != 0 {
		actor = "tg:" + strconv.FormatInt(r.ReporterID, 10)
	}
	r.History = []renovote.ReportEvent{{Status: renovote.ReportOpen, Actor: actor, At: r.Created}}
	js, err := json.Marshal(r)
	if err != nil {
		return renovote.Report{}, wrap(err)
	}
	_, res, err := s.run(ctx, scriptReportFile,
		[]string{ck.meta, ck.hh, ck.reports, ck.reportSeq, ck.reportsOpen, ck.reportOp(opID)},
		r.Household.HouseholdID, string(js), strconv.FormatInt(r.Created.UnixMilli(), 10), s.opts.OpTTL.Milliseconds())
	if err != nil {
		return renovote.Report{}, wrap(err)
	}
	out, err := decodeReport(str(res, 0))
	if err != nil {
		return renovote.Report{}, wrap(err)
	}
	return out, nil
}

// maxMoveAttempts bounds the compare-and-set loop of MoveReport.
const maxMoveAttempts = 32

// MoveReport changes a report's status and appends the change to its history.
// The move must be allowed by renovote.CanMove from the current status
// (open → acknowledged → resolved, open → resolved); otherwise it returns the
// current report and an error matching renovote.ErrConflict, and changes
// nothing. The change is a compare-and-set against the report as read, so
// concurrent moves are applied one after the other, each checked against the
// status the other left. A move whose opID was applied before returns the
// report as it is now and changes nothing. A zero at is now.
func (s *Store) MoveReport(ctx context.Context, compoundID, id string, to renovote.ReportStatus, actor string, at time.Time, opID string) (renovote.Report, error) {
	wrap := func(err error) error { return fmt.Errorf("move report %s/%s to %s: %w", compoundID, id, to, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
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

	// Read the report and whether opID was applied, in one transaction.
	var op, cur *redis.StringCmd
	if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		op = p.Get(ctx, ck.moveOp(opID))
		cur = p.HGet(ctx, ck.reports, id)
		return nil
	}); err != nil && !isNil(err) {
		return renovote.Report{}, wrap(err)
	}
	if op.Err() == nil { // a retry of an applied move
		r, err := s.Report(ctx, compoundID, op.Val())
		if err != nil {
			return renovote.Report{}, wrap(err)
		}
		return r, nil
	}
	if isNil(cur.Err()) {
		return renovote.Report{}, wrap(fmt.Errorf("report: %w", renovote.ErrNotFound))
	}
	curJS := cur.Val()
	for range maxMoveAttempts {
		r, err := decodeReport(curJS)
		if err != nil {
			return renovote.Report{}, wrap(err)
		}
		if !renovote.CanMove(r.Status, to) {
			return r, wrap(fmt.Errorf("report is %s: %w", r.Status, renovote.ErrConflict))
		}
		next := r
		next.Status = to
		next.History = append(slices.Clone(r.History), renovote.ReportEvent{Status: to, Actor: actor, At: at})
		nextJS, err := json.Marshal(next)
		if err != nil {
			return renovote.Report{}, wrap(err)
		}
		st, res, err := s.run(ctx, scriptReportMove, []string{ck.reports, ck.reportsOpen, ck.moveOp(opID)},
			id, curJS, string(nextJS), boolStr(to == renovote.ReportResolved), s.opts.OpTTL.Milliseconds())
		if err != nil {
			return renovote.Report{}, wrap(err)
		}
		if st == "STALE" { // changed since read: check the move again against it
			curJS = str(res, 0)
			continue
		}
		out, err := decodeReport(str(res, 0))
		if err != nil {
			return renovote.Report{}, wrap(err)
		}
		return out, nil
	}
	return renovote.Report{}, wrap(fmt.Errorf("report keeps changing: %w", renovote.ErrConflict))
}

// Report returns one report of the compound (renovote.ErrNotFound if none).
func (s *Store) Report(ctx context.Context, compoundID, id string) (renovote.Report, error) {
	wrap := func(err error) error { return fmt.Errorf("report %s/%s: %w", compoundID, id, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return renovote.Report{}, wrap(err)
	}
	if !validReportID(id) {
		return renovote.Report{}, wrap(renovote.ErrNotFound)
	}
	js, err := s.rdb.HGet(ctx, ck.reports, id).Result()
	if isNil(err) {
		return renovote.Report{}, wrap(renovote.ErrNotFound)
	}
	if err != nil {
		return renovote.Report{}, wrap(err)
	}
	r, err := decodeReport(js)
	if err != nil {
		return renovote.Report{}, wrap(err)
	}
	return r, nil
}

// OpenReports lists the compound's reports that are not resolved, oldest
// first (by creation, then by id number).
func (s *Store) OpenReports(ctx context.Context, compoundID string) ([]renovote.Report, error) {
	wrap := func(err error) error { return fmt.Errorf("open reports %s: %w", compoundID, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return nil, wrap(err)
	}
	var exists *redis.IntCmd
	var zr *redis.StringSliceCmd
	if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		exists = p.Exists(ctx, ck.meta)
		zr = p.ZRange(ctx, ck.reportsOpen, 0, -1)
		return nil
	}); err != nil {
		return nil, wrap(err)
	}
	if exists.Val() == 0 {
		return nil, wrap(renovote.ErrNotFound)
	}
	ids := zr.Val()
	if len(ids) == 0 {
		return []renovote.Report{}, nil
	}
	// A report resolved between the two reads is filtered out below.
	vals, err := s.rdb.HMGet(ctx, ck.reports, ids...).Result()
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]renovote.Report, 0, len(vals))
	for _, v := range vals {
		js, ok := v.(string)
		if !ok {
			continue
		}
		r, err := decodeReport(js)
		if err != nil {
			return nil, wrap(err)
		}
		if r.Status != renovote.ReportResolved {
			out = append(out, r)
		}
	}
	sortReports(out)
	return out, nil
}

// Reports lists every report of the compound, oldest first.
func (s *Store) Reports(ctx context.Context, compoundID string) ([]renovote.Report, error) {
	wrap := func(err error) error { return fmt.Errorf("reports %s: %w", compoundID, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return nil, wrap(err)
	}
	h, err := s.readHashes(ctx, ck, ck.reports)
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]renovote.Report, 0, len(h[0]))
	for _, js := range h[0] {
		r, err := decodeReport(js)
		if err != nil {
			return nil, wrap(err)
		}
		out = append(out, r)
	}
	sortReports(out)
	return out, nil
}

func decodeReport(js string) (renovote.Report, error) {
	var r renovote.Report
	if js == "" {
		return r, errors.New("report missing")
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		return r, fmt.Errorf("decode report: %w", err)
	}
	return r, nil
}

// reportNumber is n of "R<n>" (0 for anything else).
func reportNumber(id string) int64 { return seqNumber("R", id) }

// seqNumber is n of "<prefix><n>" (0 for anything else): the ids of reports
// and notices.
func seqNumber(prefix, id string) int64 {
	n, err := strconv.ParseInt(strings.TrimPrefix(id, prefix), 10, 64)
	if err != nil || !strings.HasPrefix(id, prefix) || n < 0 {
		return 0
	}
	return n
}

func validReportID(id string) bool { return reportNumber(id) > 0 && len(id) <= 21 }

// sortReports orders reports oldest first: by creation time, then by number.
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

// SetSupervisor names (on) or un-names a resident supervisor (民间监理员) of a
// compound and records the change, with who made it, in the compound's staff
// audit stream. Idempotent: a change already in place is not recorded again.
// Naming needs an active compound (renovote.ErrNotFound).
func (s *Store) SetSupervisor(ctx context.Context, userID int64, compoundID string, on bool, by string, at time.Time) error {
	op := "remove"
	if on {
		op = "add"
	}
	wrap := func(err error) error { return fmt.Errorf("%s supervisor %d of %s: %w", op, userID, compoundID, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return wrap(err)
	}
	if userID == 0 {
		return wrap(fmt.Errorf("user id missing: %w", renovote.ErrInvalid))
	}
	if _, _, err := s.run(ctx, scriptSupervisor, []string{ck.meta, ck.supervisors, ck.staffAudit},
		op, strconv.FormatInt(userID, 10), by, fmtTime(nowOr(at))); err != nil {
		return wrap(err)
	}
	return nil
}

// IsSupervisor reports whether userID is a resident supervisor of the compound.
func (s *Store) IsSupervisor(ctx context.Context, userID int64, compoundID string) (bool, error) {
	ck, err := s.compound(compoundID)
	if err != nil {
		return false, fmt.Errorf("is supervisor %d of %s: %w", userID, compoundID, err)
	}
	ok, err := s.rdb.SIsMember(ctx, ck.supervisors, strconv.FormatInt(userID, 10)).Result()
	if err != nil {
		return false, fmt.Errorf("is supervisor %d of %s: %w", userID, compoundID, err)
	}
	return ok, nil
}

// Supervisors lists the compound's resident supervisors, sorted.
func (s *Store) Supervisors(ctx context.Context, compoundID string) ([]int64, error) {
	ck, err := s.compound(compoundID)
	if err != nil {
		return nil, fmt.Errorf("supervisors %s: %w", compoundID, err)
	}
	ms, err := s.rdb.SMembers(ctx, ck.supervisors).Result()
	if err != nil {
		return nil, fmt.Errorf("supervisors %s: %w", compoundID, err)
	}
	return sortedIDs(ms), nil
}

// SupervisorAudit returns the compound's supervisor changes, oldest first
// (Role "supervisor").
func (s *Store) SupervisorAudit(ctx context.Context, compoundID string) ([]StaffChange, error) {
	ck, err := s.compound(compoundID)
	if err != nil {
		return nil, fmt.Errorf("supervisor audit %s: %w", compoundID, err)
	}
	out, err := s.readStaffAudit(ctx, ck.staffAudit)
	if err != nil {
		return nil, fmt.Errorf("supervisor audit %s: %w", compoundID, err)
	}
	return out, nil
}
