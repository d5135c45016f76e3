package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/storedump"
)

// Export reads the whole store in one read transaction (see storedump).
func (s *Store) Export(ctx context.Context) (storedump.Dump, error) {
	d := storedump.Dump{Version: storedump.Version, RunHistory: map[string][]json.RawMessage{}}
	err := s.read(ctx, func(tx *sql.Tx) error {
		var js string
		err := tx.QueryRowContext(ctx, `SELECT v FROM kv WHERE k = 'programme'`).Scan(&js)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		current := map[string]bool{}
		if err == nil {
			var p renovote.Programme
			if err := json.Unmarshal([]byte(js), &p); err != nil {
				return fmt.Errorf("decode programme: %w", err)
			}
			d.Programme = &p
			for _, c := range p.Compounds {
				current[c.ID] = true
			}
		}
		var ids []string
		if err := eachRow(ctx, tx, `SELECT id, name, rule, publish, planned, opens_ns, closes_ns, survey_opens_ns,
			survey_closes_ns, publicity_opens_ns, publicity_closes_ns FROM compounds ORDER BY id`, nil,
			func(r *sql.Rows) error {
				var c renovote.Compound
				var rule string
				var o, cl int64
				var so, sc, po, pc sql.NullInt64
				if err := r.Scan(&c.ID, &c.Name, &rule, &c.PublishTally, &c.PlannedHouseholds, &o, &cl, &so, &sc, &po, &pc); err != nil {
					return err
				}
				ids = append(ids, c.ID)
				if current[c.ID] {
					return nil
				}
				if err := json.Unmarshal([]byte(rule), &c.Rule); err != nil {
					return fmt.Errorf("decode rule of %s: %w", c.ID, err)
				}
				c.Ballot = renovote.Window{Opens: time.Unix(0, o).UTC(), Closes: time.Unix(0, cl).UTC()}
				if so.Valid && sc.Valid {
					c.Survey = renovote.Window{Opens: time.Unix(0, so.Int64).UTC(), Closes: time.Unix(0, sc.Int64).UTC()}
				}
				if po.Valid && pc.Valid {
					c.Publicity = renovote.Window{Opens: time.Unix(0, po.Int64).UTC(), Closes: time.Unix(0, pc.Int64).UTC()}
				}
				d.Retired = append(d.Retired, c)
				return nil
			}); err != nil {
			return err
		}
		for _, id := range ids {
			c, err := exportCompound(ctx, tx, id)
			if err != nil {
				return fmt.Errorf("compound %s: %w", id, err)
			}
			d.Compounds = append(d.Compounds, c)
		}
		return s.exportGlobal(ctx, tx, &d)
	})
	if err != nil {
		return storedump.Dump{}, fmt.Errorf("export: %w", err)
	}
	return d, nil
}

// jsonRows decodes the JSON column of a query into a slice.
func jsonRows[T any](ctx context.Context, q querier, query string, args ...any) ([]T, error) {
	var out []T
	err := eachRow(ctx, q, query, args, func(r *sql.Rows) error {
		var js string
		if err := r.Scan(&js); err != nil {
			return err
		}
		var v T
		if err := json.Unmarshal([]byte(js), &v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

func exportCompound(ctx context.Context, tx *sql.Tx, id string) (storedump.Compound, error) {
	c := storedump.Compound{ID: id, Votes: map[string]renovote.HouseholdVote{}, Members: map[string][]int64{},
		Reminders: map[renovote.WindowKind]map[string]int{}}
	var err error
	if c.Households, err = households(ctx, tx, id); err != nil {
		return c, err
	}
	if err := eachRow(ctx, tx, `SELECT household, js FROM votes WHERE compound = ?`, []any{id}, func(r *sql.Rows) error {
		var h, js string
		var v renovote.HouseholdVote
		if err := r.Scan(&h, &js); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(js), &v); err != nil {
			return err
		}
		c.Votes[h] = v
		return nil
	}); err != nil {
		return c, err
	}
	if err := eachRow(ctx, tx, `SELECT household, old, new, channel, actor, at, receipt, update_id, evidence
		FROM vote_audit WHERE compound = ? ORDER BY seq`, []any{id}, func(r *sql.Rows) error {
		var e renovote.VoteChange
		var at string
		if err := r.Scan(&e.Ref.HouseholdID, &e.Old, &e.New, &e.Channel, &e.Actor, &at, &e.ReceiptID, &e.UpdateID, &e.Evidence); err != nil {
			return err
		}
		e.Ref.CompoundID, e.At = id, parseTime(at)
		c.VoteAudit = append(c.VoteAudit, e)
		return nil
	}); err != nil {
		return c, err
	}
	if err := eachRow(ctx, tx, `SELECT actor, at, added, updated, unchanged, missing, removed FROM register_audit
		WHERE compound = ? ORDER BY seq`, []any{id}, func(r *sql.Rows) error {
		var e storedump.RegisterImport
		if err := r.Scan(&e.Actor, &e.At, &e.Added, &e.Updated, &e.Unchanged, &e.Missing, &e.Removed); err != nil {
			return err
		}
		c.RegisterAudit = append(c.RegisterAudit, e)
		return nil
	}); err != nil {
		return c, err
	}
	if err := eachRow(ctx, tx, `SELECT household, user_id FROM members WHERE compound = ? ORDER BY household, user_id`,
		[]any{id}, func(r *sql.Rows) error {
			var h string
			var u int64
			if err := r.Scan(&h, &u); err != nil {
				return err
			}
			c.Members[h] = append(c.Members[h], u)
			return nil
		}); err != nil {
		return c, err
	}
	if err := eachRow(ctx, tx, `SELECT household, code, issued, revoked FROM invites WHERE compound = ? ORDER BY household`,
		[]any{id}, func(r *sql.Rows) error {
			var inv storedump.Invite
			var issued string
			if err := r.Scan(&inv.HouseholdID, &inv.Code, &issued, &inv.Revoked); err != nil {
				return err
			}
			inv.Issued = parseTime(issued)
			c.Invites = append(c.Invites, inv)
			return nil
		}); err != nil {
		return c, err
	}
	if c.Survey, err = jsonRows[renovote.SurveyAnswer](ctx, tx, `SELECT js FROM survey WHERE compound = ? ORDER BY household`, id); err != nil {
		return c, err
	}
	if err := eachRow(ctx, tx, `SELECT household, actor, at, op, replaced FROM survey_audit WHERE compound = ? ORDER BY seq`,
		[]any{id}, func(r *sql.Rows) error {
			var e storedump.SurveyChange
			var at string
			if err := r.Scan(&e.HouseholdID, &e.Actor, &at, &e.OpID, &e.Replaced); err != nil {
				return err
			}
			e.At = parseTime(at)
			c.SurveyAudit = append(c.SurveyAudit, e)
			return nil
		}); err != nil {
		return c, err
	}
	if c.Reports, err = jsonRows[renovote.Report](ctx, tx, `SELECT js FROM reports WHERE compound = ? ORDER BY num`, id); err != nil {
		return c, err
	}
	if c.Objections, err = jsonRows[renovote.Objection](ctx, tx, `SELECT js FROM objections WHERE compound = ? ORDER BY num`, id); err != nil {
		return c, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT report_seq, objection_seq FROM compounds WHERE id = ?`, id).
		Scan(&c.ReportSeq, &c.ObjectionSeq); err != nil {
		return c, err
	}
	if err := eachRow(ctx, tx, `SELECT user_id FROM supervisors WHERE compound = ? ORDER BY user_id`, []any{id},
		func(r *sql.Rows) error {
			var u int64
			err := r.Scan(&u)
			c.Supervisors = append(c.Supervisors, u)
			return err
		}); err != nil {
		return c, err
	}
	if c.SupervisorAudit, err = exportStaffAudit(ctx, tx, id); err != nil {
		return c, err
	}
	if err := eachRow(ctx, tx, `SELECT op, id, household, user_id, actor, at, opid FROM objection_audit
		WHERE compound = ? ORDER BY seq`, []any{id}, func(r *sql.Rows) error {
		var e storedump.ObjectionChange
		var at string
		if err := r.Scan(&e.Op, &e.ID, &e.HouseholdID, &e.UserID, &e.Actor, &at, &e.OpID); err != nil {
			return err
		}
		e.At = parseTime(at)
		c.ObjectionAudit = append(c.ObjectionAudit, e)
		return nil
	}); err != nil {
		return c, err
	}
	err = eachRow(ctx, tx, `SELECT kind, household, n FROM reminders WHERE compound = ?`, []any{id}, func(r *sql.Rows) error {
		var k, h string
		var n int
		if err := r.Scan(&k, &h, &n); err != nil {
			return err
		}
		kind := renovote.WindowKind(k)
		if c.Reminders[kind] == nil {
			c.Reminders[kind] = map[string]int{}
		}
		c.Reminders[kind][h] = n
		return nil
	})
	return c, err
}

func exportStaffAudit(ctx context.Context, q querier, scope string) ([]storedump.StaffChange, error) {
	var out []storedump.StaffChange
	err := eachRow(ctx, q, `SELECT op, user_id, role, compounds, by_whom, at FROM staff_audit WHERE scope = ? ORDER BY seq`,
		[]any{scope}, func(r *sql.Rows) error {
			var e storedump.StaffChange
			var comps, at string
			if err := r.Scan(&e.Op, &e.UserID, &e.Role, &comps, &e.By, &at); err != nil {
				return err
			}
			if comps != "" {
				e.Compounds = strings.Split(comps, ",")
			}
			e.At = parseTime(at)
			out = append(out, e)
			return nil
		})
	return out, err
}

func (s *Store) exportGlobal(ctx context.Context, tx *sql.Tx, d *storedump.Dump) error {
	var err error
	if d.Staff, err = jsonRows[renovote.StaffMember](ctx, tx, `SELECT js FROM staff ORDER BY user_id`); err != nil {
		return err
	}
	if d.StaffAudit, err = exportStaffAudit(ctx, tx, ""); err != nil {
		return err
	}
	if d.StaffInvites, err = jsonRows[renovote.StaffInvite](ctx, tx, `SELECT js FROM staff_invites WHERE keep_ns > ? ORDER BY code`,
		s.now().UnixNano()); err != nil {
		return err
	}
	if err := eachRow(ctx, tx, `SELECT `+noticeCols+`, enqueued, late_at, cancelled_by, cancelled_at FROM notices ORDER BY num`, nil,
		func(r *sql.Rows) error {
			var n storedump.Notice
			var lateAt, cancelledAt string
			var err error
			n.Notice, err = scanNotice(scanExtra{r, []any{&n.Enqueued, &lateAt, &n.CancelledBy, &cancelledAt}})
			if err != nil {
				return err
			}
			n.LateAt, n.CancelledAt = parseTime(lateAt), parseTime(cancelledAt)
			d.Notices = append(d.Notices, n)
			return nil
		}); err != nil {
		return err
	}
	for i := range d.Notices {
		n := &d.Notices[i]
		if err := eachRow(ctx, tx, `SELECT chat, outcome IS NOT NULL FROM notice_chats WHERE notice = ? ORDER BY chat`,
			[]any{n.ID}, func(r *sql.Rows) error {
				var chat int64
				var settled bool
				if err := r.Scan(&chat, &settled); err != nil {
					return err
				}
				n.Queued = append(n.Queued, chat)
				if settled {
					n.Settled = append(n.Settled, chat)
				}
				return nil
			}); err != nil {
			return err
		}
	}
	var seq string
	if err := tx.QueryRowContext(ctx, `SELECT v FROM kv WHERE k = 'notice_seq'`).Scan(&seq); err == nil {
		fmt.Sscan(seq, &d.NoticeSeq)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if err := eachRow(ctx, tx, `SELECT notice, chat, text, photo, document FROM outbox ORDER BY seq`, nil, func(r *sql.Rows) error {
		var m renovote.OutMsg
		err := r.Scan(&m.NoticeID, &m.ChatID, &m.Text, &m.Photo, &m.Document)
		d.Outbox = append(d.Outbox, m)
		return err
	}); err != nil {
		return err
	}
	if err := eachRow(ctx, tx, `SELECT chat FROM unreachable ORDER BY chat`, nil, func(r *sql.Rows) error {
		var c int64
		err := r.Scan(&c)
		d.Unreachable = append(d.Unreachable, c)
		return err
	}); err != nil {
		return err
	}
	if d.DeadLetters, err = jsonRows[renovote.DeadLetter](ctx, tx, `SELECT js FROM dead_letters ORDER BY seq DESC`); err != nil {
		return err
	}
	if err := eachRow(ctx, tx, `SELECT key FROM announced ORDER BY key`, nil, func(r *sql.Rows) error {
		var k string
		err := r.Scan(&k)
		d.Announced = append(d.Announced, k)
		return err
	}); err != nil {
		return err
	}
	return eachRow(ctx, tx, `SELECT job, js FROM run_history ORDER BY seq DESC`, nil, func(r *sql.Rows) error {
		var job, js string
		if err := r.Scan(&job, &js); err != nil {
			return err
		}
		d.RunHistory[job] = append(d.RunHistory[job], json.RawMessage(js))
		return nil
	})
}

// scanExtra scans a notice's columns followed by more.
type scanExtra struct {
	r     *sql.Rows
	extra []any
}

func (x scanExtra) Scan(dest ...any) error { return x.r.Scan(append(dest, x.extra...)...) }

// Import writes a dump into this store, which must be empty
// (storedump.ErrNotEmpty otherwise), in one transaction: all or nothing.
func (s *Store) Import(ctx context.Context, d storedump.Dump) error {
	wrap := func(err error) error { return fmt.Errorf("import: %w", err) }
	if d.Version != storedump.Version {
		return wrap(fmt.Errorf("dump version %d: %w", d.Version, renovote.ErrInvalid))
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM compounds) + (SELECT COUNT(*) FROM staff) +
			(SELECT COUNT(*) FROM notices) + (SELECT COUNT(*) FROM kv WHERE k = 'programme')`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return storedump.ErrNotEmpty
		}
		if p := d.Programme; p != nil {
			js, err := json.Marshal(p)
			if err != nil {
				return err
			}
			for _, c := range p.Compounds {
				if err := putCompound(ctx, tx, p.ID, c, true); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO kv (k, v) VALUES ('programme', ?)`, string(js)); err != nil {
				return err
			}
		}
		for _, c := range d.Retired {
			if err := putCompound(ctx, tx, "", c, false); err != nil {
				return err
			}
		}
		for _, c := range d.Compounds {
			if err := importCompound(ctx, tx, c); err != nil {
				return fmt.Errorf("compound %s: %w", c.ID, err)
			}
		}
		return s.importGlobal(ctx, tx, d)
	})
	if err != nil {
		return wrap(err)
	}
	s.setProgramme(nil)
	return nil
}

func importCompound(ctx context.Context, tx *sql.Tx, c storedump.Compound) error {
	exec := func(q string, args ...any) error { _, err := tx.ExecContext(ctx, q, args...); return err }
	if err := compoundExists(ctx, tx, c.ID); err != nil {
		return fmt.Errorf("no programme or retired compound: %w", err)
	}
	for _, h := range c.Households {
		h.CompoundID = c.ID
		rec := hhRecord{Household: h, OwnerKey: h.OwnerKey()}
		js, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		if err := putHouseholdRecord(ctx, tx, rec, string(js)); err != nil {
			return err
		}
	}
	for _, h := range slices.Sorted(maps.Keys(c.Votes)) {
		v := c.Votes[h]
		js, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if err := exec(`INSERT INTO votes (compound, household, choice, js) VALUES (?, ?, ?, ?)`, c.ID, h, string(v.Choice), string(js)); err != nil {
			return err
		}
	}
	for _, e := range c.VoteAudit {
		if err := exec(`INSERT INTO vote_audit (compound, household, old, new, channel, actor, at, at_ns, receipt, update_id, evidence)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, e.Ref.HouseholdID, string(e.Old), string(e.New), string(e.Channel),
			e.Actor, fmtTime(e.At), unixNano(e.At), e.ReceiptID, e.UpdateID, e.Evidence); err != nil {
			return err
		}
	}
	for _, e := range c.RegisterAudit {
		if err := exec(`INSERT INTO register_audit (compound, actor, at, added, updated, unchanged, missing, removed)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, e.Actor, e.At, e.Added, e.Updated, e.Unchanged, e.Missing, e.Removed); err != nil {
			return err
		}
	}
	for _, h := range slices.Sorted(maps.Keys(c.Members)) {
		for _, u := range c.Members[h] {
			if err := exec(`INSERT INTO members (compound, household, user_id) VALUES (?, ?, ?)`, c.ID, h, u); err != nil {
				return err
			}
			if err := exec(`INSERT OR REPLACE INTO users (user_id, compound, household) VALUES (?, ?, ?)`, u, c.ID, h); err != nil {
				return err
			}
		}
	}
	for _, inv := range c.Invites {
		if err := exec(`INSERT INTO invites (compound, household, code, issued, revoked) VALUES (?, ?, ?, ?, ?)`,
			c.ID, inv.HouseholdID, inv.Code, fmtTime(inv.Issued), b2i(inv.Revoked)); err != nil {
			return err
		}
		if inv.Code != "" {
			if err := exec(`INSERT OR REPLACE INTO invite_codes (code, compound, household, issued, revoked) VALUES (?, ?, ?, ?, 0)`,
				inv.Code, c.ID, inv.HouseholdID, fmtTime(inv.Issued)); err != nil {
				return err
			}
		}
	}
	for _, a := range c.Survey {
		js, err := json.Marshal(a)
		if err != nil {
			return err
		}
		if err := exec(`INSERT INTO survey (compound, household, js) VALUES (?, ?, ?)`, c.ID, a.Ref.HouseholdID, string(js)); err != nil {
			return err
		}
	}
	if err := recomputeSurvey(ctx, tx, c.ID); err != nil {
		return err
	}
	for _, e := range c.SurveyAudit {
		if err := exec(`INSERT INTO survey_audit (compound, household, actor, at, at_ns, op, replaced) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			c.ID, e.HouseholdID, e.Actor, fmtTime(e.At), unixNano(e.At), e.OpID, b2i(e.Replaced)); err != nil {
			return err
		}
	}
	for _, r := range c.Reports {
		js, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if err := exec(`INSERT INTO reports (compound, id, num, js, created_ms, open) VALUES (?, ?, ?, ?, ?, ?)`,
			c.ID, r.ID, reportNumber(r.ID), string(js), r.Created.UnixMilli(), b2i(r.Status != renovote.ReportResolved)); err != nil {
			return err
		}
	}
	for _, o := range c.Objections {
		js, err := json.Marshal(o)
		if err != nil {
			return err
		}
		if err := exec(`INSERT INTO objections (compound, id, num, js, created_ms, open) VALUES (?, ?, ?, ?, ?, ?)`,
			c.ID, o.ID, seqNumber("O", o.ID), string(js), o.Created.UnixMilli(), b2i(o.Status == renovote.ObjectionOpen)); err != nil {
			return err
		}
	}
	if err := exec(`UPDATE compounds SET report_seq = ?, objection_seq = ? WHERE id = ?`, c.ReportSeq, c.ObjectionSeq, c.ID); err != nil {
		return err
	}
	for _, u := range c.Supervisors {
		if err := exec(`INSERT INTO supervisors (compound, user_id) VALUES (?, ?)`, c.ID, u); err != nil {
			return err
		}
	}
	if err := importStaffAudit(ctx, tx, c.ID, c.SupervisorAudit); err != nil {
		return err
	}
	for _, e := range c.ObjectionAudit {
		if err := objectionAudit(ctx, tx, c.ID, e.Op, e.ID, e.HouseholdID, e.UserID, e.Actor, fmtTime(e.At), e.OpID); err != nil {
			return err
		}
	}
	for kind, m := range c.Reminders {
		for h, n := range m {
			if err := exec(`INSERT INTO reminders (compound, kind, household, n) VALUES (?, ?, ?, ?)`, c.ID, string(kind), h, n); err != nil {
				return err
			}
		}
	}
	return nil
}

func importStaffAudit(ctx context.Context, tx *sql.Tx, scope string, es []storedump.StaffChange) error {
	for _, e := range es {
		if err := staffAudit(ctx, tx, scope, e.Op, e.UserID, e.Role, strings.Join(e.Compounds, ","), e.By, fmtTime(e.At)); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) importGlobal(ctx context.Context, tx *sql.Tx, d storedump.Dump) error {
	exec := func(q string, args ...any) error { _, err := tx.ExecContext(ctx, q, args...); return err }
	for _, m := range d.Staff {
		js, err := json.Marshal(m)
		if err != nil {
			return err
		}
		if err := exec(`INSERT INTO staff (user_id, js) VALUES (?, ?)`, m.UserID, string(js)); err != nil {
			return err
		}
	}
	if err := importStaffAudit(ctx, tx, "", d.StaffAudit); err != nil {
		return err
	}
	for _, inv := range d.StaffInvites {
		js, err := json.Marshal(inv)
		if err != nil {
			return err
		}
		keep := inv.Expires.Add(s.opts.OpTTL)
		if err := exec(`INSERT INTO staff_invites (code, js, keep_ns) VALUES (?, ?, ?)`, inv.Code, string(js), unixNano(keep)); err != nil {
			return err
		}
	}
	for _, n := range d.Notices {
		js, err := json.Marshal(n.Notice)
		if err != nil {
			return err
		}
		late := ""
		if n.Late {
			late = fmtTime(n.LateAt)
		}
		cancelledAt := ""
		if !n.CancelledAt.IsZero() {
			cancelledAt = fmtTime(n.CancelledAt)
		}
		c := n.Counts
		if err := exec(`INSERT INTO notices (id, num, js, created_ms, send_at_ns, status, due, recipients, delivered,
			unreachable, failed, enqueued, by_chat, progress_id, cancelled_by, cancelled_at, late, late_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			n.ID, noticeNumber(n.ID), string(js), n.Created.UnixMilli(), unixNano(n.SendAt), string(n.Status),
			b2i(n.Status == renovote.NoticeScheduled), c.Recipients, c.Delivered, c.Unreachable, c.Failed,
			b2i(n.Enqueued), n.ByChat, n.ProgressID, n.CancelledBy, cancelledAt, b2i(n.Late), late); err != nil {
			return err
		}
		if n.Kind != renovote.KindDigest {
			for _, cid := range n.Compounds {
				if err := exec(`INSERT OR IGNORE INTO notice_compounds (compound, notice, created_ms, num) VALUES (?, ?, ?, ?)`,
					cid, n.ID, n.Created.UnixMilli(), noticeNumber(n.ID)); err != nil {
					return err
				}
			}
		}
		settled := map[int64]bool{}
		for _, c := range n.Settled {
			settled[c] = true
		}
		for _, chat := range n.Queued {
			var outcome any
			if settled[chat] {
				outcome = "settled" // the outcome itself is in the notice's counts
			}
			if err := exec(`INSERT INTO notice_chats (notice, chat, outcome) VALUES (?, ?, ?)`, n.ID, chat, outcome); err != nil {
				return err
			}
		}
	}
	if d.NoticeSeq > 0 {
		if err := exec(`INSERT OR REPLACE INTO kv (k, v) VALUES ('notice_seq', ?)`, fmt.Sprint(d.NoticeSeq)); err != nil {
			return err
		}
	}
	for _, m := range d.Outbox {
		if err := exec(`INSERT INTO outbox (notice, chat, text, photo, document) VALUES (?, ?, ?, ?, ?)`,
			m.NoticeID, m.ChatID, m.Text, m.Photo, m.Document); err != nil {
			return err
		}
	}
	for _, c := range d.Unreachable {
		if err := exec(`INSERT OR IGNORE INTO unreachable (chat) VALUES (?)`, c); err != nil {
			return err
		}
	}
	for i := len(d.DeadLetters) - 1; i >= 0; i-- { // oldest first
		js, err := json.Marshal(d.DeadLetters[i])
		if err != nil {
			return err
		}
		if err := exec(`INSERT INTO dead_letters (js) VALUES (?)`, string(js)); err != nil {
			return err
		}
	}
	for _, k := range d.Announced {
		if err := exec(`INSERT OR IGNORE INTO announced (key) VALUES (?)`, k); err != nil {
			return err
		}
	}
	for _, job := range slices.Sorted(maps.Keys(d.RunHistory)) {
		recs := d.RunHistory[job]
		for i := len(recs) - 1; i >= 0; i-- { // oldest first
			if err := exec(`INSERT INTO run_history (job, js) VALUES (?, ?)`, job, string(recs[i])); err != nil {
				return err
			}
		}
	}
	return nil
}
