package dialogs

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/renovote/renovote"
)

// /report_problem: a bound resident reports a problem of their building or of
// the compound's public areas, with a description and up to
// renovote.MaxSurveyPhotos photos. Buttons:
//
//	r:w:<tok>:b  the problem is in the household's building
//	r:w:<tok>:p  the problem is in the public areas (renovote.PublicArea)
//	r:ok:<tok>   send the report
//	r:x:<tok>    cancel
//
// tok is the draft's id (Session.Report), so buttons of an older report are
// stale. The compound's workers and every admin get the report in their
// private chat, with
//
//	r:a:<compound>:<id>  acknowledge (已受理)
//	r:r:<compound>:<id>  resolved (已解决)
//
// which are checked again on the server side: only workers of the compound
// and admins may move a report (not the bureau, not a worker of another
// compound).
// The reporter is told of each move. /reports lists open reports for staff;
// /supervisor names resident supervisors (民间监理员), whose reports are marked.

// reportIDPattern is what a report id may look like ("R12").
var reportIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,24}$`)

// reportCommand answers /report_problem.
func (t *turn) reportCommand() (Response, error) {
	ref, bound, err := t.e.store.Binding(t.ctx, t.in.UserID)
	if err != nil {
		return t.fail("binding", err)
	}
	if !bound {
		return t.say(mReportNotBound.s(t.l)), nil
	}
	_, _, h, err := t.household(ref)
	if err != nil {
		return t.fail("load household", err)
	}
	if h.Removed {
		t.s = Session{}
		return t.say(mHouseholdRemoved.s(t.l)), nil
	}
	d := &ReportDraft{ID: newDraftID("report", t.in, t.now), CompoundID: ref.CompoundID, HouseholdID: ref.HouseholdID}
	t.s = Session{Flow: flowReport, Step: stepWhere, Report: d}
	return t.sayButtons(mReportWhere.s(t.l), t.whereButtons(d, h)), nil
}

func (t *turn) whereButtons(d *ReportDraft, h renovote.Household) [][]Button {
	var rows [][]Button
	if strings.TrimSpace(h.Building) != "" {
		rows = append(rows, []Button{{Label: whereLabel(t.l, h.Building), Data: "r:w:" + d.ID + ":b"}})
	}
	return append(rows,
		[]Button{{Label: mPublicArea.s(t.l), Data: "r:w:" + d.ID + ":p"}},
		[]Button{{Label: mBtnCancel.s(t.l), Data: "r:x:" + d.ID}})
}

func (t *turn) sendButtons(d *ReportDraft) [][]Button {
	return [][]Button{{{Label: mBtnSubmit.s(t.l), Data: "r:ok:" + d.ID}}, {{Label: mBtnCancel.s(t.l), Data: "r:x:" + d.ID}}}
}

// whereLabel names where a problem is: "3栋", "Bldg 3", "小区公共区域".
func whereLabel(l lang, where string) string {
	if where == renovote.PublicArea {
		return mPublicArea.s(l)
	}
	b := strings.TrimSpace(where)
	if l == zh {
		if isPlain(b) {
			return b + "栋"
		}
		return b
	}
	return "Bldg " + core(b)
}

// reportCallback handles the r: buttons of residents and of staff.
func (t *turn) reportCallback(data string) (Response, error) {
	f := strings.Split(data, ":")
	if len(f) < 3 {
		return toast(mReportExpired.s(t.l)), nil
	}
	switch f[1] {
	case "a", "r":
		return t.moveReport(f)
	}
	d := t.s.Report
	if t.s.Flow != flowReport || d == nil || d.ID != f[2] {
		if fin := t.finished; f[1] == "ok" && len(f) == 3 && fin != nil && fin.Report != "" && fin.Update == t.in.UpdateID {
			return t.reportReplayed(fin)
		}
		return toast(mReportExpired.s(t.l)), nil
	}
	switch {
	case f[1] == "x" && len(f) == 3:
		t.s = Session{}
		return t.answer(mReportCancelled.s(t.l), nil), nil
	case f[1] == "w" && len(f) == 4 && t.s.Step == stepWhere && (f[3] == "b" || f[3] == "p"):
		d.Where = renovote.PublicArea
		if f[3] == "b" {
			h, err := t.e.store.Household(t.ctx, d.ref())
			if err != nil {
				return t.fail("load household", err)
			}
			d.Where = strings.TrimSpace(h.Building)
		}
		if d.Where == "" {
			return toast(mReportExpired.s(t.l)), nil
		}
		t.s.Step = stepDescribe
		text := mReportDescribe.f(t.l, whereLabel(t.l, d.Where), renovote.MaxCommentRunes, renovote.MaxSurveyPhotos)
		return t.answer(text, [][]Button{{{Label: mBtnCancel.s(t.l), Data: "r:x:" + d.ID}}}), nil
	case f[1] == "ok" && len(f) == 3 && t.s.Step == stepDescribe:
		return t.fileReport(d)
	}
	return toast(mReportExpired.s(t.l)), nil
}

// reportText is typed text while a report is written: its description.
func (t *turn) reportText() (Response, error) {
	d := t.s.Report
	if d == nil {
		t.s = Session{}
		return t.say(mHint.s(t.l)), nil
	}
	if t.s.Step != stepDescribe {
		return t.say(mReportExpectWhere.s(t.l)), nil
	}
	if strings.TrimSpace(t.in.Text) == "" {
		return t.say(mReportNeedSomething.s(t.l)), nil
	}
	if n := utf8.RuneCountInString(t.in.Text); n > renovote.MaxCommentRunes {
		return t.say(mTextTooLong.f(t.l, renovote.MaxCommentRunes, n)), nil
	}
	d.Text = t.in.Text // exactly as typed: data, shown back as plain text
	return t.sayButtons(mReportTextSaved.f(t.l, renovote.MaxSurveyPhotos-len(d.Photos)), t.sendButtons(d)), nil
}

// reportPhoto is a photo sent while a report is written.
func (t *turn) reportPhoto() (Response, error) {
	d := t.s.Report
	if d == nil {
		t.s = Session{}
		return t.say(mHint.s(t.l)), nil
	}
	if t.s.Step != stepDescribe {
		return t.say(mReportPhotoNotNow.s(t.l)), nil
	}
	ph, problem := t.checkPhoto(len(d.Photos), mBtnSubmit)
	if problem != "" {
		var buttons [][]Button
		if d.Text != "" || len(d.Photos) > 0 {
			buttons = t.sendButtons(d)
		}
		return t.sayButtons(problem, buttons), nil
	}
	d.Photos = append(d.Photos, ph)
	return t.sayButtons(photoReceived(t.l, len(d.Photos), mBtnSubmit), t.sendButtons(d)), nil
}

// fileReport stores the report and sends it to every worker and admin.
func (t *turn) fileReport(d *ReportDraft) (Response, error) {
	st := t.e.store
	if d.Text == "" && len(d.Photos) == 0 {
		return alert(mReportNeedSomething.s(t.l)), nil
	}
	ref, bound, err := st.Binding(t.ctx, t.in.UserID)
	if err != nil {
		return t.fail("binding", err)
	}
	if !bound || ref != d.ref() {
		t.s = Session{}
		return t.answer(mReportExpired.s(t.l)+"\n"+mReportNotSent.s(t.l), nil), nil
	}
	sup, err := st.IsSupervisor(t.ctx, t.in.UserID, ref.CompoundID)
	if err != nil {
		return t.fail("is supervisor", err)
	}
	r := renovote.Report{
		CompoundID: ref.CompoundID, Household: ref, ReporterID: t.in.UserID, Supervisor: sup,
		Where: d.Where, Text: d.Text, Photos: slices.Clone(d.Photos), Status: renovote.ReportOpen, Created: t.now,
		History: []renovote.ReportEvent{{Status: renovote.ReportOpen, Actor: t.actor(), At: t.now}},
	}
	notSent := func(m msg) (Response, error) {
		t.s = Session{}
		return t.answer(m.s(t.l)+"\n"+mReportNotSent.s(t.l), nil), nil
	}
	if err := r.Validate(); err != nil {
		return notSent(mReportExpired)
	}
	got, err := st.FileReport(t.ctx, r, t.opID())
	switch {
	case errors.Is(err, renovote.ErrRemoved):
		return notSent(mHouseholdRemoved)
	case errors.Is(err, renovote.ErrInvalid), errors.Is(err, renovote.ErrNotFound):
		return notSent(mReportExpired)
	case err != nil:
		return t.fail("file report", err)
	}
	t.s = Session{}
	t.finished = &Finished{Update: t.in.UpdateID, CompoundID: got.CompoundID, Report: got.ID}
	return t.reportFiled(got)
}

// reportFiled tells the reporter the report's number and sends it to staff.
func (t *turn) reportFiled(r renovote.Report) (Response, error) {
	p, err := t.e.store.Programme(t.ctx)
	if err != nil {
		return t.fail("programme", err)
	}
	resp := Response{Replies: []Reply{t.edit(mReportFiled.f(t.l, r.ID), nil)}, CallbackText: mReportFiledToast.s(t.l)}
	ids := slices.Clone(t.e.adminIDs)
	staff, err := t.e.store.StaffOf(t.ctx, r.CompoundID)
	if err != nil { // the report is stored: the admins still get it, /reports lists it
		t.e.log.Warn("dialogs: list the compound's staff", "update", t.in.UpdateID, "err", err)
	}
	for _, m := range staff {
		if m.Role.Can(renovote.ActReports) { // not the bureau: it cannot act on reports
			ids = append(ids, m.UserID)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	text := t.staffReportText(p, r)
	for _, id := range ids {
		resp.Replies = append(resp.Replies, Reply{ChatID: id, Text: text, Buttons: staffReportButtons(r)})
		for i, ph := range r.Photos {
			caption := "📷 " + r.ID + " " + strconv.Itoa(i+1) + "/" + strconv.Itoa(len(r.Photos))
			if ph.Caption != "" {
				caption += "\n" + ph.Caption
			}
			resp.Replies = append(resp.Replies, Reply{ChatID: id, Text: caption, PhotoFileID: ph.FileID})
		}
	}
	return resp, nil
}

// reportReplayed answers the same Send update handled again: it was filed.
func (t *turn) reportReplayed(f *Finished) (Response, error) {
	r, err := t.e.store.Report(t.ctx, f.CompoundID, f.Report)
	if err != nil {
		return t.fail("report", err)
	}
	return t.reportFiled(r)
}

// bi is a label in both languages, for staff messages: their language is not
// known when they are written.
func bi(m msg) string { return m.zh + " / " + m.en }

func statusLabel(l lang, s renovote.ReportStatus) string {
	switch s {
	case renovote.ReportOpen:
		return mStatusOpen.s(l)
	case renovote.ReportAcknowledged:
		return mStatusAcknowledged.s(l)
	case renovote.ReportResolved:
		return mStatusResolved.s(l)
	}
	return string(s)
}

// staffReportText is a report as staff get it, in both languages: where,
// from which household (no name, no phone), when, its status, the photo
// count, and the description exactly as typed.
func (t *turn) staffReportText(p renovote.Programme, r renovote.Report) string {
	c, ok := p.Compound(r.CompoundID)
	if !ok {
		c = renovote.Compound{ID: r.CompoundID, Name: r.CompoundID}
	}
	loc := location(p)
	from := r.Household.HouseholdID
	if h, err := t.e.store.Household(t.ctx, r.Household); err == nil {
		from = householdLabel(zh, h)
	} else {
		t.e.log.Warn("dialogs: load reporter's household", "update", t.in.UpdateID, "err", err)
	}
	var b strings.Builder
	for _, l := range []lang{zh, en} {
		b.WriteString(mReportHead.f(l, r.ID, c.Name, whereLabel(l, r.Where)))
		if r.Supervisor {
			b.WriteString(mSupervisorMark.s(l))
		}
		b.WriteString("\n")
	}
	b.WriteString(bi(mReportFrom) + ": " + from + "\n")
	b.WriteString(bi(mReportFiledAt) + ": " + fmtTime(zh, loc, r.Created) + "\n")
	status := statusLabel(zh, r.Status) + " / " + statusLabel(en, r.Status)
	for i := len(r.History) - 1; i >= 0; i-- {
		if ev := r.History[i]; ev.Status == r.Status && r.Status != renovote.ReportOpen {
			status += "（" + fmtTime(zh, loc, ev.At) + "，" + ev.Actor + "）"
			break
		}
	}
	b.WriteString(bi(mReportStatus) + ": " + status)
	if n := len(r.Photos); n > 0 {
		b.WriteString("\n" + bi(mReportPhotos) + ": " + strconv.Itoa(n))
	}
	if r.Text != "" {
		b.WriteString("\n——\n" + r.Text)
	}
	return b.String()
}

// staffReportButtons are the moves a report's status still allows.
func staffReportButtons(r renovote.Report) [][]Button {
	var row []Button
	suffix := ":" + r.CompoundID + ":" + r.ID
	if renovote.CanMove(r.Status, renovote.ReportAcknowledged) {
		row = append(row, Button{Label: bi(mBtnAcknowledge), Data: "r:a" + suffix})
	}
	if renovote.CanMove(r.Status, renovote.ReportResolved) {
		row = append(row, Button{Label: bi(mBtnResolved), Data: "r:r" + suffix})
	}
	if row == nil {
		return nil
	}
	return [][]Button{row}
}

// moveReport handles a staff button "r:a|r:<compound>:<id>".
func (t *turn) moveReport(f []string) (Response, error) {
	if len(f) != 4 || !renovote.ValidID(f[2]) || !reportIDPattern.MatchString(f[3]) {
		return toast(mReportNotFound.s(t.l)), nil
	}
	m, ok, err := t.may(renovote.ActReports)
	if err != nil {
		return t.fail("staff member", err)
	}
	if !ok {
		return t.denied(m), nil
	}
	if !m.Covers(f[2]) {
		return t.outOfScope(m, f[2]), nil
	}
	to := renovote.ReportAcknowledged
	if f[1] == "r" {
		to = renovote.ReportResolved
	}
	p, err := t.e.store.Programme(t.ctx)
	if err != nil {
		return t.fail("programme", err)
	}
	r, err := t.e.store.MoveReport(t.ctx, f[2], f[3], to, t.actor(), t.now, t.opID())
	switch {
	case errors.Is(err, renovote.ErrNotFound), errors.Is(err, renovote.ErrInvalid): // a forged button: no such id
		return toast(mReportNotFound.s(t.l)), nil
	case errors.Is(err, renovote.ErrConflict):
		cur, err := t.e.store.Report(t.ctx, f[2], f[3])
		if err != nil {
			return t.fail("report", err)
		}
		return Response{
			Replies:      []Reply{t.edit(t.staffReportText(p, cur), staffReportButtons(cur))},
			CallbackText: mReportAlready.f(t.l, statusLabel(t.l, cur.Status)),
		}, nil
	case err != nil:
		return t.fail("move report", err)
	}
	resp := Response{
		Replies:      []Reply{t.edit(t.staffReportText(p, r), staffReportButtons(r))},
		CallbackText: mReportUpdatedToast.s(t.l),
	}
	told := mReporterAcknowledged
	if r.Status == renovote.ReportResolved {
		told = mReporterResolved
	}
	if r.ReporterID != 0 {
		resp.Replies = append(resp.Replies, Reply{ChatID: r.ReporterID, Text: told.f(zh, r.ID) + "\n" + told.f(en, r.ID)})
	}
	return resp, nil
}

// listReports answers /reports [compound] (staff, the bureau too): the open
// reports of one compound, or of every compound of the member's scope that
// has some.
func (t *turn) listReports() (Response, error) {
	m, p, resp, done, err := t.staffAct(renovote.ActResults)
	if done {
		return resp, err
	}
	compounds, more := inScope(p, m), false
	total := len(compounds)
	if arg := strings.TrimSpace(t.in.Args); arg != "" {
		c, ok := p.CompoundByName(arg)
		if !ok {
			return t.say(mPaperUnknownCompound.s(t.l)), nil
		}
		if !m.Covers(c.ID) {
			return t.outOfScope(m, c.ID), nil
		}
		compounds = []renovote.Compound{c}
	} else if len(compounds) > maxTallyCompounds {
		compounds, more = compounds[:maxTallyCompounds], true
	}
	parts := []string{mReportsHeader.f(t.l, fmtTime(t.l, location(p), t.now))}
	open := 0
	for _, c := range compounds {
		rs, err := t.e.store.OpenReports(t.ctx, c.ID)
		if err != nil {
			return t.fail("open reports", err)
		}
		if len(rs) == 0 && len(compounds) > 1 {
			continue
		}
		open += len(rs)
		lines := []string{mReportsCompound.f(t.l, c.Name, len(rs))}
		for _, r := range rs {
			lines = append(lines, t.reportLine(r))
		}
		parts = append(parts, strings.Join(lines, "\n"))
	}
	if open == 0 && len(compounds) > 1 {
		parts = append(parts, mReportsNone.s(t.l))
	}
	if more {
		parts = append(parts, mReportsMore.f(t.l, total, maxTallyCompounds))
	}
	return Response{Replies: splitMessages(parts)}, nil
}

// reportLine: "R3 · 3栋 · 待处理 · 2 小时前 · 📷2\n   楼道灯坏了，晚上看不见…".
func (t *turn) reportLine(r renovote.Report) string {
	s := r.ID + " · " + whereLabel(t.l, r.Where)
	if r.Supervisor {
		s += mSupervisorMark.s(t.l)
	}
	s += " · " + statusLabel(t.l, r.Status) + " · " + age(t.l, t.now.Sub(r.Created))
	if n := len(r.Photos); n > 0 {
		s += " · 📷" + strconv.Itoa(n)
	}
	if text := strings.Join(strings.Fields(r.Text), " "); text != "" {
		if rs := []rune(text); len(rs) > 40 {
			text = string(rs[:40]) + "…"
		}
		s += "\n   " + text
	}
	return s
}

// age says how long ago: "刚刚", "5 分钟前", "3 小时前", "2 天前".
func age(l lang, d time.Duration) string {
	switch {
	case d < time.Minute:
		return mAgeNow.s(l)
	case d < time.Hour:
		return mAgeMinutes.f(l, int(d/time.Minute))
	case d < 24*time.Hour:
		return mAgeHours.f(l, int(d/time.Hour))
	}
	return mAgeDays.f(l, int(d/(24*time.Hour)))
}

// supervisorCommand answers "/supervisor <user id> [compound]" and
// "/supervisor remove <user id> [compound]" (workers of the compound,
// admins). The compound defaults to the user's; a new supervisor must be
// bound to a household.
func (t *turn) supervisorCommand() (Response, error) {
	m, ok, err := t.may(renovote.ActReports)
	if err != nil {
		return t.fail("staff member", err)
	}
	if !ok {
		return t.denied(m), nil
	}
	f := strings.Fields(t.in.Args)
	on := true
	if len(f) > 0 && (strings.EqualFold(f[0], "remove") || f[0] == "取消") {
		on, f = false, f[1:]
	}
	if len(f) == 0 {
		return t.say(mSupervisorUsage.s(t.l)), nil
	}
	uid, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil || uid <= 0 {
		return t.say(mSupervisorUsage.s(t.l)), nil
	}
	p, err := t.e.store.Programme(t.ctx)
	if err != nil {
		return t.fail("programme", err)
	}
	ref, bound, err := t.e.store.Binding(t.ctx, uid)
	if err != nil {
		return t.fail("binding", err)
	}
	if on && !bound {
		return t.say(mSupervisorNotBound.f(t.l, uid)), nil
	}
	var c renovote.Compound
	switch {
	case len(f) > 1:
		c, ok = p.CompoundByName(strings.Join(f[1:], " "))
		if !ok {
			return t.say(mPaperUnknownCompound.s(t.l)), nil
		}
	case bound:
		if c, ok = p.Compound(ref.CompoundID); !ok {
			return t.say(mPaperUnknownCompound.s(t.l)), nil
		}
	default:
		return t.say(mSupervisorWhich.f(t.l, uid)), nil
	}
	if !m.Covers(c.ID) {
		return t.outOfScope(m, c.ID), nil
	}
	if err := t.e.store.SetSupervisor(t.ctx, uid, c.ID, on, t.actor(), t.now); err != nil {
		return t.fail("set supervisor", err)
	}
	text, notice := mSupervisorSet.f(t.l, uid, c.Name), mSupervisorNotice
	if !on {
		text, notice = mSupervisorRemoved.f(t.l, uid, c.Name), mSupervisorNoticeOff
	}
	return Response{Replies: []Reply{
		{Text: text},
		{ChatID: uid, Text: notice.f(zh, c.Name) + "\n" + notice.f(en, c.Name)},
	}}, nil
}
