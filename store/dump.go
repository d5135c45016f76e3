package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/storedump"
)

// Export reads the whole store (see storedump), for `renovote migrate`. Run
// it with the bot stopped: it is many reads, not one snapshot. Staff
// invitations and job histories are found with SCAN (one server; on a
// Cluster, only the node that serves the command is scanned).
func (s *Store) Export(ctx context.Context) (storedump.Dump, error) {
	d, err := s.export(ctx)
	if err != nil {
		return storedump.Dump{}, fmt.Errorf("export: %w", err)
	}
	return d, nil
}

func (s *Store) export(ctx context.Context) (storedump.Dump, error) {
	d := storedump.Dump{Version: storedump.Version, RunHistory: map[string][]json.RawMessage{}}
	current := map[string]bool{}
	if p, err := s.Programme(ctx); err == nil {
		d.Programme = &p
		for _, c := range p.Compounds {
			current[c.ID] = true
		}
	} else if !errors.Is(err, renovote.ErrNotFound) {
		return d, err
	}
	ids, err := s.rdb.SMembers(ctx, s.k.compounds()).Result()
	if err != nil {
		return d, err
	}
	slices.Sort(ids)
	for _, id := range ids {
		if !renovote.ValidID(id) {
			continue
		}
		ck := s.k.compound(id)
		meta, err := s.rdb.HGetAll(ctx, ck.meta).Result()
		if err != nil {
			return d, err
		}
		if len(meta) == 0 {
			continue
		}
		if !current[id] {
			d.Retired = append(d.Retired, retiredCompound(id, meta))
		}
		c, err := s.exportCompound(ctx, id, ck)
		if err != nil {
			return d, fmt.Errorf("compound %s: %w", id, err)
		}
		d.Compounds = append(d.Compounds, c)
	}
	return d, s.exportGlobal(ctx, &d)
}

// retiredCompound rebuilds a retired compound from its meta hash.
func retiredCompound(id string, m map[string]string) renovote.Compound {
	i64 := func(f string) int64 { v, _ := strconv.ParseInt(m[f], 10, 64); return v }
	at := func(p string) time.Time { return time.Unix(i64(p+"_s"), i64(p+"_ns")).UTC() }
	c := renovote.Compound{ID: id, Name: m["name"], PublishTally: m["publish"] == "1", PlannedHouseholds: i64("planned"),
		Ballot: renovote.Window{Opens: at("opens"), Closes: at("closes")}}
	_ = json.Unmarshal([]byte(m["rule"]), &c.Rule)
	if m["survey_opens_s"] != "" {
		c.Survey = renovote.Window{Opens: at("survey_opens"), Closes: at("survey_closes")}
	}
	if m["publicity_opens_s"] != "" {
		c.Publicity = renovote.Window{Opens: at("publicity_opens"), Closes: at("publicity_closes")}
	}
	return c
}

func decodeAll[T any](m map[string]string) ([]T, error) {
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	})
	var out []T
	for _, k := range keys {
		var v T
		if err := json.Unmarshal([]byte(m[k]), &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *Store) exportCompound(ctx context.Context, id string, ck compoundKeys) (storedump.Compound, error) {
	c := storedump.Compound{ID: id, Votes: map[string]renovote.HouseholdVote{}, Members: map[string][]int64{},
		Reminders: map[renovote.WindowKind]map[string]int{}}
	h, err := s.readHashes(ctx, ck, ck.hh, ck.votes, ck.members, ck.inv, ck.survey, ck.reports, ck.objections)
	if err != nil {
		return c, err
	}
	if c.Households, err = decodeHouseholds(h[0]); err != nil {
		return c, err
	}
	for hid, js := range h[1] {
		var v renovote.HouseholdVote
		if err := json.Unmarshal([]byte(js), &v); err != nil {
			return c, err
		}
		c.Votes[hid] = v
	}
	for hid, list := range h[2] {
		if ids := parseMembers(list); len(ids) > 0 {
			c.Members[hid] = ids
		}
	}
	for hid, js := range h[3] {
		var r invRecord
		if err := json.Unmarshal([]byte(js), &r); err != nil {
			return c, err
		}
		c.Invites = append(c.Invites, storedump.Invite{HouseholdID: hid, Code: r.Code, Issued: r.Issued, Revoked: r.Revoked})
	}
	slices.SortFunc(c.Invites, func(a, b storedump.Invite) int { return strings.Compare(a.HouseholdID, b.HouseholdID) })
	if c.Survey, err = decodeAll[renovote.SurveyAnswer](h[4]); err != nil {
		return c, err
	}
	if c.Reports, err = decodeAll[renovote.Report](h[5]); err != nil {
		return c, err
	}
	slices.SortFunc(c.Reports, func(a, b renovote.Report) int { return cmpInt(reportNumber(a.ID), reportNumber(b.ID)) })
	if c.Objections, err = decodeAll[renovote.Objection](h[6]); err != nil {
		return c, err
	}
	slices.SortFunc(c.Objections, func(a, b renovote.Objection) int {
		return cmpInt(objectionNumber(a.ID), objectionNumber(b.ID))
	})
	audit, err := s.Audit(ctx, id, "", 0)
	if err != nil {
		return c, err
	}
	for _, e := range audit {
		c.VoteAudit = append(c.VoteAudit, e.VoteChange)
	}
	reg, err := s.rdb.XRange(ctx, ck.regAudit, "-", "+").Result()
	if err != nil {
		return c, err
	}
	for _, m := range reg {
		f := func(k string) string { v, _ := m.Values[k].(string); return v }
		n := func(k string) int64 { v, _ := strconv.ParseInt(f(k), 10, 64); return v }
		c.RegisterAudit = append(c.RegisterAudit, storedump.RegisterImport{Actor: f("actor"), At: f("at"),
			Added: n("added"), Updated: n("updated"), Unchanged: n("unchanged"), Missing: n("missing"), Removed: n("removed")})
	}
	sa, err := s.SurveyAudit(ctx, id)
	if err != nil {
		return c, err
	}
	for _, e := range sa {
		c.SurveyAudit = append(c.SurveyAudit, storedump.SurveyChange{HouseholdID: e.Ref.HouseholdID, Actor: e.Actor,
			At: e.At, OpID: e.OpID, Replaced: e.Replaced})
	}
	seq := func(k string) (int64, error) {
		v, err := s.rdb.Get(ctx, k).Int64()
		if isNil(err) {
			return 0, nil
		}
		return v, err
	}
	if c.ReportSeq, err = seq(ck.reportSeq); err != nil {
		return c, err
	}
	if c.ObjectionSeq, err = seq(ck.objectionSeq); err != nil {
		return c, err
	}
	if c.Supervisors, err = s.Supervisors(ctx, id); err != nil {
		return c, err
	}
	c.Supervisors = orNil(c.Supervisors)
	sup, err := s.SupervisorAudit(ctx, id)
	if err != nil {
		return c, err
	}
	c.SupervisorAudit = dumpStaffChanges(sup)
	oa, err := s.ObjectionAudit(ctx, id)
	if err != nil {
		return c, err
	}
	for _, e := range oa {
		c.ObjectionAudit = append(c.ObjectionAudit, storedump.ObjectionChange{Op: e.Op, ID: e.ID,
			HouseholdID: e.Household.HouseholdID, UserID: e.UserID, Actor: e.Actor, At: e.At, OpID: e.OpID})
	}
	for _, kind := range []renovote.WindowKind{renovote.BallotWindow, renovote.SurveyWindow} {
		m, err := s.ReminderCounts(ctx, id, kind)
		if err != nil {
			return c, err
		}
		if len(m) > 0 {
			c.Reminders[kind] = m
		}
	}
	return c, nil
}

func dumpStaffChanges(es []StaffChange) []storedump.StaffChange {
	var out []storedump.StaffChange
	for _, e := range es {
		out = append(out, storedump.StaffChange{Op: e.Op, Role: e.Role, Compounds: e.Compounds, UserID: e.UserID, By: e.By, At: e.At})
	}
	return out
}

// scanKeys lists the keys matching pattern (built from keys.go's names), on
// every master of a Cluster (SCAN reaches one node).
func (s *Store) scanKeys(ctx context.Context, pattern string) ([]string, error) {
	var out []string
	var mu sync.Mutex // ForEachMaster runs the nodes concurrently
	scan := func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			mu.Lock()
			out = append(out, iter.Val())
			mu.Unlock()
		}
		return iter.Err()
	}
	var err error
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return scan(ctx, c) })
	} else {
		err = scan(ctx, s.rdb)
	}
	slices.Sort(out)
	return slices.Compact(out), err
}

func (s *Store) exportGlobal(ctx context.Context, d *storedump.Dump) error {
	var err error
	if d.Staff, err = s.staffMembers(ctx); err != nil {
		return err
	}
	d.Staff = orNil(d.Staff)
	sa, err := s.StaffAudit(ctx)
	if err != nil {
		return err
	}
	d.StaffAudit = dumpStaffChanges(sa)
	invKeys, err := s.scanKeys(ctx, s.k.staffInvite("*"))
	if err != nil {
		return err
	}
	for _, k := range invKeys {
		js, err := s.rdb.Get(ctx, k).Result()
		if isNil(err) {
			continue
		}
		if err != nil {
			return err
		}
		var inv renovote.StaffInvite
		if err := json.Unmarshal([]byte(js), &inv); err != nil {
			return err
		}
		d.StaffInvites = append(d.StaffInvites, inv)
	}
	ids, err := s.rdb.ZRange(ctx, s.k.notices(), 0, -1).Result()
	if err != nil {
		return err
	}
	ids = slices.DeleteFunc(ids, func(id string) bool { return !validNoticeID(id) })
	slices.SortFunc(ids, func(a, b string) int { return cmpInt(noticeNumber(a), noticeNumber(b)) })
	ns, err := s.notices(ctx, ids)
	if err != nil {
		return err
	}
	for _, n := range ns {
		nk := s.k.notice(n.ID)
		st, err := s.rdb.HGetAll(ctx, nk.state).Result()
		if err != nil {
			return err
		}
		dn := storedump.Notice{Notice: n, Enqueued: st["enqueued"] == "1", LateAt: parseTime(st["late_at"]),
			CancelledBy: st["cancelled_by"], CancelledAt: parseTime(st["cancelled_at"])}
		q, err := s.rdb.SMembers(ctx, nk.queued).Result()
		if err != nil {
			return err
		}
		dn.Queued = orNil(sortedIDs(q))
		st2, err := s.rdb.SMembers(ctx, nk.settled).Result()
		if err != nil {
			return err
		}
		dn.Settled = orNil(sortedIDs(st2))
		d.Notices = append(d.Notices, dn)
	}
	if d.NoticeSeq, err = s.rdb.Get(ctx, s.k.noticeSeq()).Int64(); isNil(err) {
		err = nil
	}
	if err != nil {
		return err
	}
	msgs, err := s.rdb.XRange(ctx, s.k.outbox(), "-", "+").Result()
	if err != nil {
		return err
	}
	for _, m := range msgs {
		o := outMsg(m.ID, m.Values, 1)
		o.ID, o.Attempts = "", 0
		d.Outbox = append(d.Outbox, o)
	}
	un, err := s.rdb.SMembers(ctx, s.k.unreachable()).Result()
	if err != nil {
		return err
	}
	d.Unreachable = orNil(sortedIDs(un))
	if d.DeadLetters, err = s.DeadLetters(ctx, 0); err != nil {
		return err
	}
	d.DeadLetters = orNil(d.DeadLetters)
	if d.Announced, err = s.rdb.SMembers(ctx, s.k.announced()).Result(); err != nil {
		return err
	}
	slices.Sort(d.Announced)
	d.Announced = orNil(d.Announced)
	hist, err := s.scanKeys(ctx, s.k.runHistory("*"))
	if err != nil {
		return err
	}
	for _, k := range hist {
		job := k[strings.Index(k, "{run:")+len("{run:") : strings.LastIndex(k, "}")]
		l, err := s.rdb.LRange(ctx, k, 0, -1).Result()
		if err != nil {
			return err
		}
		for _, js := range l {
			d.RunHistory[job] = append(d.RunHistory[job], json.RawMessage(js))
		}
	}
	return nil
}

// Import writes a dump into this store, which must be empty (no programme,
// staff or notice: storedump.ErrNotEmpty). Counters are rebuilt from the
// data. It is many writes, not one transaction: on an error, empty the
// target (or use a fresh database) and run it again.
func (s *Store) Import(ctx context.Context, d storedump.Dump) error {
	if err := s.importDump(ctx, d); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	return nil
}

func (s *Store) importDump(ctx context.Context, d storedump.Dump) error {
	if d.Version != storedump.Version {
		return fmt.Errorf("dump version %d: %w", d.Version, renovote.ErrInvalid)
	}
	for _, k := range []string{s.k.programme(), s.k.staffMembers(), s.k.notices(), s.k.compounds()} {
		n, err := s.rdb.Exists(ctx, k).Result() // one key per command: they are in different slots
		if err != nil {
			return err
		}
		if n > 0 {
			return storedump.ErrNotEmpty
		}
	}
	if p := d.Programme; p != nil {
		if len(d.Retired) > 0 { // apply them with the programme once, so that they exist, then retire them
			all := *p
			all.Compounds = append(slices.Clone(p.Compounds), d.Retired...)
			if err := s.ApplyProgramme(ctx, all); err != nil {
				return err
			}
		}
		if err := s.ApplyProgramme(ctx, *p); err != nil {
			return err
		}
	} else if len(d.Retired) > 0 {
		return fmt.Errorf("retired compounds without a programme: %w", renovote.ErrInvalid)
	}
	for _, c := range d.Compounds {
		if err := s.importCompound(ctx, c); err != nil {
			return fmt.Errorf("compound %s: %w", c.ID, err)
		}
	}
	return s.importGlobal(ctx, d)
}

func (s *Store) importCompound(ctx context.Context, c storedump.Compound) error {
	ck, err := s.compound(c.ID)
	if err != nil {
		return err
	}
	now := strconv.FormatInt(time.Now().UnixMilli(), 10)
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, h := range c.Households {
			h.CompoundID = c.ID
			js, err := json.Marshal(hhRecord{Household: h, OwnerKey: h.OwnerKey()})
			if err != nil {
				return err
			}
			p.HSet(ctx, ck.hh, h.ID, string(js))
		}
		for hid, v := range c.Votes {
			js, err := json.Marshal(v)
			if err != nil {
				return err
			}
			p.HSet(ctx, ck.choice, hid, string(v.Choice))
			p.HSet(ctx, ck.votes, hid, string(js))
		}
		for _, e := range c.VoteAudit {
			upd := ""
			if e.UpdateID != 0 {
				upd = strconv.FormatInt(e.UpdateID, 10)
			}
			p.XAdd(ctx, &redis.XAddArgs{Stream: ck.audit, Values: []any{"household", e.Ref.HouseholdID, "old", string(e.Old),
				"new", string(e.New), "channel", string(e.Channel), "actor", e.Actor, "at", fmtTime(e.At),
				"receipt", e.ReceiptID, "update", upd, "evidence", e.Evidence}})
		}
		for _, e := range c.RegisterAudit {
			p.XAdd(ctx, &redis.XAddArgs{Stream: ck.regAudit, Values: []any{"actor", e.Actor, "at", e.At, "added", e.Added,
				"updated", e.Updated, "unchanged", e.Unchanged, "missing", e.Missing, "removed", e.Removed}})
		}
		for hid, ids := range c.Members {
			list := make([]string, len(ids))
			for i, u := range ids {
				list[i] = strconv.FormatInt(u, 10)
				p.HSet(ctx, s.k.user(u), "c", c.ID, "h", hid, "s", "d", "t", now)
			}
			if len(list) > 0 {
				p.HSet(ctx, ck.members, hid, strings.Join(list, ","))
			}
		}
		for _, inv := range c.Invites {
			js, err := json.Marshal(invRecord{Code: inv.Code, Issued: inv.Issued, Revoked: inv.Revoked})
			if err != nil {
				return err
			}
			p.HSet(ctx, ck.inv, inv.HouseholdID, string(js))
			if inv.Code != "" && renovote.ValidInviteCode(inv.Code) {
				if err := s.putInviteIndex(ctx, p, renovote.Invite{Code: inv.Code, Issued: inv.Issued,
					Ref: renovote.HouseholdRef{CompoundID: c.ID, HouseholdID: inv.HouseholdID}}); err != nil {
					return err
				}
			}
		}
		for _, a := range c.Survey {
			js, err := json.Marshal(a)
			if err != nil {
				return err
			}
			p.HSet(ctx, ck.survey, a.Ref.HouseholdID, string(js))
		}
		for _, e := range c.SurveyAudit {
			p.XAdd(ctx, &redis.XAddArgs{Stream: ck.surveyAudit, Values: []any{"household", e.HouseholdID, "actor", e.Actor,
				"at", fmtTime(e.At), "op", e.OpID, "replaced", boolStr(e.Replaced)}})
		}
		for _, r := range c.Reports {
			js, err := json.Marshal(r)
			if err != nil {
				return err
			}
			p.HSet(ctx, ck.reports, r.ID, string(js))
			if r.Status != renovote.ReportResolved {
				p.ZAdd(ctx, ck.reportsOpen, redis.Z{Score: float64(r.Created.UnixMilli()), Member: r.ID})
			}
		}
		if c.ReportSeq > 0 {
			p.Set(ctx, ck.reportSeq, c.ReportSeq, 0)
		}
		for _, o := range c.Objections {
			js, err := json.Marshal(o)
			if err != nil {
				return err
			}
			p.HSet(ctx, ck.objections, o.ID, string(js))
			if o.Status == renovote.ObjectionOpen {
				p.ZAdd(ctx, ck.objectionsOpen, redis.Z{Score: float64(o.Created.UnixMilli()), Member: o.ID})
			}
		}
		if c.ObjectionSeq > 0 {
			p.Set(ctx, ck.objectionSeq, c.ObjectionSeq, 0)
		}
		for _, e := range c.ObjectionAudit {
			p.XAdd(ctx, &redis.XAddArgs{Stream: ck.objectionAudit, Values: []any{"op", e.Op, "id", e.ID,
				"household", e.HouseholdID, "user", strconv.FormatInt(e.UserID, 10), "actor", e.Actor,
				"at", fmtTime(e.At), "opid", e.OpID}})
		}
		for _, u := range c.Supervisors {
			p.SAdd(ctx, ck.supervisors, strconv.FormatInt(u, 10))
		}
		for _, e := range c.SupervisorAudit {
			p.XAdd(ctx, &redis.XAddArgs{Stream: ck.staffAudit, Values: []any{"op", e.Op, "role", e.Role,
				"user", strconv.FormatInt(e.UserID, 10), "by", e.By, "at", fmtTime(e.At)}})
		}
		for kind, m := range c.Reminders {
			for h, n := range m {
				p.HSet(ctx, ck.reminders(kind), h, n)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	_, err = s.RebuildCounters(ctx, c.ID)
	return err
}

func (s *Store) importGlobal(ctx context.Context, d storedump.Dump) error {
	if err := s.ensureStaff(ctx); err != nil {
		return err
	}
	if len(d.Outbox) > 0 {
		if err := s.ensureGroup(ctx); err != nil {
			return err
		}
	}
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, m := range d.Staff {
			js, err := json.Marshal(m)
			if err != nil {
				return err
			}
			p.HSet(ctx, s.k.staffMembers(), strconv.FormatInt(m.UserID, 10), string(js))
		}
		for _, e := range d.StaffAudit {
			p.XAdd(ctx, &redis.XAddArgs{Stream: s.k.staffAudit(), Values: []any{"op", e.Op,
				"user", strconv.FormatInt(e.UserID, 10), "role", e.Role, "compounds", strings.Join(e.Compounds, ","),
				"by", e.By, "at", fmtTime(e.At)}})
		}
		for _, inv := range d.StaffInvites {
			if !renovote.ValidInviteCode(inv.Code) {
				continue
			}
			ttl := time.Until(inv.Expires.Add(s.staffInviteGrace()))
			if ttl <= 0 {
				continue
			}
			js, err := json.Marshal(inv)
			if err != nil {
				return err
			}
			p.Set(ctx, s.k.staffInvite(inv.Code), string(js), ttl)
		}
		for _, n := range d.Notices {
			if !validNoticeID(n.ID) {
				continue
			}
			nk := s.k.notice(n.ID)
			js, err := json.Marshal(n.Notice)
			if err != nil {
				return err
			}
			p.Set(ctx, nk.record, string(js), 0)
			c := n.Counts
			p.HSet(ctx, nk.state, "status", string(n.Status), "recipients", c.Recipients, "delivered", c.Delivered,
				"unreachable", c.Unreachable, "failed", c.Failed, "enqueued", boolStr(n.Enqueued),
				"by_chat", n.ByChat, "progress_id", n.ProgressID)
			if n.Late {
				p.HSet(ctx, nk.state, "late", "1", "late_at", fmtTime(n.LateAt))
			}
			if n.CancelledBy != "" || !n.CancelledAt.IsZero() {
				p.HSet(ctx, nk.state, "cancelled_by", n.CancelledBy, "cancelled_at", fmtTime(n.CancelledAt))
			}
			p.ZAdd(ctx, s.k.notices(), redis.Z{Score: float64(n.Created.UnixMilli()), Member: n.ID})
			if n.Status == renovote.NoticeScheduled {
				p.ZAdd(ctx, s.k.noticesDue(), redis.Z{Score: float64(n.SendAt.UnixMilli()), Member: n.ID})
			}
			if n.Kind != renovote.KindDigest {
				for _, cid := range n.Compounds {
					if renovote.ValidID(cid) {
						p.ZAdd(ctx, s.k.compound(cid).notices, redis.Z{Score: float64(n.Created.UnixMilli()), Member: n.ID})
					}
				}
			}
			for _, chat := range n.Queued {
				p.SAdd(ctx, nk.queued, strconv.FormatInt(chat, 10))
			}
			for _, chat := range n.Settled {
				p.SAdd(ctx, nk.settled, strconv.FormatInt(chat, 10))
			}
		}
		if d.NoticeSeq > 0 {
			p.Set(ctx, s.k.noticeSeq(), d.NoticeSeq, 0)
		}
		for _, m := range d.Outbox {
			p.XAdd(ctx, &redis.XAddArgs{Stream: s.k.outbox(), Values: []any{"notice", m.NoticeID,
				"chat", strconv.FormatInt(m.ChatID, 10), "text", m.Text, "photo", m.Photo, "document", m.Document}})
		}
		for _, c := range d.Unreachable {
			p.SAdd(ctx, s.k.unreachable(), strconv.FormatInt(c, 10))
		}
		for _, dl := range d.DeadLetters { // newest first, as the list keeps them
			js, err := json.Marshal(dl)
			if err != nil {
				return err
			}
			p.RPush(ctx, s.k.deadLetters(), string(js))
		}
		for _, a := range d.Announced {
			p.SAdd(ctx, s.k.announced(), a)
		}
		for job, recs := range d.RunHistory {
			if !validJobName(job) {
				continue
			}
			for _, js := range recs { // newest first
				p.RPush(ctx, s.k.runHistory(job), string(js))
			}
		}
		return nil
	})
	return err
}

// orNil makes an empty list nil, as the other store exports it.
func orNil[T any](l []T) []T {
	if len(l) == 0 {
		return nil
	}
	return l
}
