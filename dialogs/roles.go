package dialogs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/renovote/renovote"
)

// Roles. A user's role is admin when listed in Config.Admins, else their
// staff record's (Store.StaffMember), else resident. Every staff command and
// every staff button press is checked here, on the server side: the role
// must allow the action (renovote.Role.Can) and, for an action on a compound,
// the member's scope must cover it (renovote.StaffMember.Covers). A refusal
// changes nothing and is logged with the user id and the command or button
// (never a name, a phone or a code).
//
// This file also holds /addworker, /staff, /revoke_staff and /help.

func (t *turn) isAdmin() bool { return t.e.admins[t.in.UserID] }

// member is the sender's role and scope, read once per turn.
func (t *turn) member() (renovote.StaffMember, error) {
	if t.me != nil {
		return *t.me, nil
	}
	m := renovote.StaffMember{UserID: t.in.UserID, Role: renovote.RoleResident}
	if t.isAdmin() {
		m = renovote.StaffMember{UserID: t.in.UserID, Role: renovote.RoleAdmin, Compounds: []string{renovote.AllCompounds}, AddedBy: "config"}
	} else {
		sm, ok, err := t.e.store.StaffMember(t.ctx, t.in.UserID)
		if err != nil {
			return m, err
		}
		if ok {
			m = sm
		}
	}
	t.me = &m
	return m, nil
}

// may reports whether the sender's role allows the action at all.
func (t *turn) may(a renovote.Action) (renovote.StaffMember, bool, error) {
	m, err := t.member()
	if err != nil {
		return m, false, err
	}
	return m, m.Role.Can(a), nil
}

// staffAct checks that the sender's role may do a at all, and loads the
// programme. When done, resp is the answer: the refusal (logged), or the
// failure with its error.
func (t *turn) staffAct(a renovote.Action) (m renovote.StaffMember, p renovote.Programme, resp Response, done bool, err error) {
	m, ok, err := t.may(a)
	if err != nil {
		resp, err = t.fail("staff member", err)
		return m, p, resp, true, err
	}
	if !ok {
		return m, p, t.denied(m), true, nil
	}
	if p, err = t.e.store.Programme(t.ctx); err != nil {
		resp, err = t.fail("programme", err)
		return m, p, resp, true, err
	}
	return m, p, Response{}, false, nil
}

// denied refuses an action the sender's role does not allow: it logs the
// attempt and says "not allowed". A staff flow the sender may no longer run
// is dropped.
func (t *turn) denied(m renovote.StaffMember) Response {
	t.logRefused(m, "role", "")
	if t.s.Flow == flowPaper || t.s.Flow == flowNotice {
		t.s = Session{}
	}
	return t.refusal(mNotAllowed.s(t.l))
}

// outOfScope refuses an action on a compound the member does not cover; the
// flow going on, if any, stays as it was.
func (t *turn) outOfScope(m renovote.StaffMember, compoundID string) Response {
	t.logRefused(m, "scope", compoundID)
	return t.refusal(mNotInScope.s(t.l))
}

func (t *turn) refusal(text string) Response {
	if t.in.Callback != "" {
		return alert(text)
	}
	return t.say(text)
}

// logRefused logs a refused attempt: who (user id and role), what (the
// command, the button's data or the flow typed into) and why.
func (t *turn) logRefused(m renovote.StaffMember, why, compoundID string) {
	args := []any{"user", t.in.UserID, "role", roleName(m.Role), "why", why}
	switch {
	case t.in.Callback != "":
		args = append(args, "callback", clip(t.in.Callback, 64))
	case t.in.Command != "":
		args = append(args, "command", "/"+clip(strings.ToLower(t.in.Command), 32))
	default:
		args = append(args, "flow", t.s.Flow)
	}
	if compoundID != "" {
		args = append(args, "compound", clip(compoundID, 32))
	}
	t.e.log.Warn("dialogs: refused", args...)
}

// clip keeps at most n bytes of s, of printable ASCII only.
func clip(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
	if len(s) > n {
		return s[:n]
	}
	return s
}

func roleName(r renovote.Role) string {
	if r == renovote.RoleResident {
		return "resident"
	}
	return string(r)
}

// inScope lists the programme's compounds the member covers, in programme order.
func inScope(p renovote.Programme, m renovote.StaffMember) []renovote.Compound {
	var out []renovote.Compound
	for _, c := range p.Compounds {
		if m.Covers(c.ID) {
			out = append(out, c)
		}
	}
	return out
}

// coversAll reports whether the member covers every compound of the programme.
func coversAll(p renovote.Programme, m renovote.StaffMember) bool {
	return len(inScope(p, m)) == len(p.Compounds)
}

func roleLabel(l lang, r renovote.Role) string {
	switch r {
	case renovote.RoleWorker:
		return mRoleWorker.s(l)
	case renovote.RoleBureau:
		return mRoleBureau.s(l)
	case renovote.RoleAdmin:
		return mRoleAdmin.s(l)
	case renovote.RoleResident:
		return mRoleResident.s(l)
	}
	return string(r)
}

// scopeLabel names compounds: "粮贸小区、金融小区", or "全部小区".
func scopeLabel(l lang, p renovote.Programme, ids []string) string {
	if slices.Contains(ids, renovote.AllCompounds) {
		return mAllCompounds.s(l)
	}
	names := make([]string, 0, len(ids))
	for _, c := range p.Compounds { // in programme order
		if slices.Contains(ids, c.ID) {
			names = append(names, compoundName(p, c.ID))
		}
	}
	for _, id := range ids {
		if _, ok := p.Compound(id); !ok {
			names = append(names, id)
		}
	}
	return strings.Join(names, listSep(l))
}

// compoundName is the compound's name, or its id when it is not in the programme.
func compoundName(p renovote.Programme, id string) string {
	if c, ok := p.Compound(id); ok && c.Name != "" {
		return c.Name
	}
	return id
}

// memberLabel is a role with its scope: "社区工作人员（粮贸小区）".
func memberLabel(l lang, p renovote.Programme, r renovote.Role, compounds []string) string {
	if r != renovote.RoleWorker {
		return roleLabel(l, r)
	}
	return mWithPart.f(l, roleLabel(l, r), scopeLabel(l, p, compounds))
}

// parseScope reads compounds by id or name, separated by commas, 、 or
// spaces; "all" (全部, *) means every compound. It returns the compound ids
// (renovote.AllCompounds alone for all) and the words that name no compound.
func parseScope(p renovote.Programme, s string) (ids, unknown []string) {
	words := strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",，、;；", r)
	})
	for _, w := range words {
		switch strings.ToLower(w) {
		case "all", "全部", "*", "全部小区":
			return []string{renovote.AllCompounds}, nil
		}
		c, ok := p.CompoundByName(w)
		if !ok {
			unknown = append(unknown, w)
			continue
		}
		if !slices.Contains(ids, c.ID) {
			ids = append(ids, c.ID)
		}
	}
	return ids, unknown
}

// addWorker answers "/addworker <user id> [compounds|all]" (admins): the
// user becomes a worker of the compounds (default: all).
func (t *turn) addWorker() (Response, error) {
	m, err := t.member()
	if err != nil {
		return t.fail("staff member", err)
	}
	if m.Role != renovote.RoleAdmin {
		return t.denied(m), nil
	}
	f := strings.Fields(t.in.Args)
	if len(f) == 0 {
		return t.say(mAddWorkerUsage.s(t.l)), nil
	}
	id, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil || id <= 0 {
		return t.say(mAddWorkerUsage.s(t.l)), nil
	}
	p, err := t.e.store.Programme(t.ctx)
	if err != nil {
		return t.fail("programme", err)
	}
	scope := []string{renovote.AllCompounds}
	if len(f) > 1 {
		ids, unknown := parseScope(p, strings.Join(f[1:], " "))
		if len(unknown) > 0 || len(ids) == 0 {
			return t.say(mUnknownCompounds.f(t.l, strings.Join(unknown, listSep(t.l))) + "\n" + mAddWorkerUsage.s(t.l)), nil
		}
		scope = ids
	}
	err = t.e.store.SetStaff(t.ctx, renovote.StaffMember{UserID: id, Role: renovote.RoleWorker, Compounds: scope, AddedBy: t.actor(), Added: t.now})
	if err != nil {
		return t.fail("set staff", err)
	}
	r := t.say(mWorkerAdded.f(t.l, id, scopeLabel(t.l, p, scope)))
	r.Menus = []int64{id}
	return r, nil
}

// listStaff answers /staff (admins, the bureau): the admins of the
// configuration, then every named member with role, scope, when and by whom.
func (t *turn) listStaff() (Response, error) {
	_, p, resp, done, err := t.staffAct(renovote.ActRevokeStaff)
	if done {
		return resp, err
	}
	members, err := t.e.store.StaffMembers(t.ctx)
	if err != nil {
		return t.fail("staff members", err)
	}
	loc := location(p)
	lines := []string{mStaffHeader.f(t.l, fmtTime(t.l, loc, t.now))}
	for _, id := range t.e.adminIDs {
		lines = append(lines, mStaffConfigAdmin.f(t.l, id))
	}
	for _, s := range members {
		line := fmt.Sprintf("%d · %s", s.UserID, memberLabel(t.l, p, s.Role, s.Compounds))
		if !s.Added.IsZero() {
			line += " · " + mStaffAdded.f(t.l, fmtTime(t.l, loc, s.Added), s.AddedBy)
		}
		lines = append(lines, line)
	}
	if len(members) == 0 {
		lines = append(lines, mStaffNone.s(t.l))
	}
	lines = append(lines, mStaffFooter.s(t.l))
	return Response{Replies: splitMessages([]string{strings.Join(lines, "\n")})}, nil
}

// revokeStaff answers "/revoke_staff <user id>" (admins, the bureau): the
// member loses their role. One may revoke whom one may invite: the bureau
// revokes workers, admins revoke workers and the bureau. The member is told.
func (t *turn) revokeStaff() (Response, error) {
	m, ok, err := t.may(renovote.ActRevokeStaff)
	if err != nil {
		return t.fail("staff member", err)
	}
	if !ok {
		return t.denied(m), nil
	}
	id, err := strconv.ParseInt(strings.TrimSpace(t.in.Args), 10, 64)
	if err != nil || id <= 0 {
		return t.say(mRevokeUsage.s(t.l)), nil
	}
	if t.e.admins[id] {
		return t.say(mRevokeConfigAdmin.f(t.l, id)), nil
	}
	target, found, err := t.e.store.StaffMember(t.ctx, id)
	if err != nil {
		return t.fail("staff member", err)
	}
	if !found {
		return t.say(mNotStaff.f(t.l, id)), nil
	}
	if !m.Role.CanInvite(target.Role) {
		return t.denied(m), nil
	}
	err = t.e.store.RevokeStaff(t.ctx, id, t.actor(), t.now)
	switch {
	case errors.Is(err, renovote.ErrNotFound):
		return t.say(mNotStaff.f(t.l, id)), nil
	case err != nil:
		return t.fail("revoke staff", err)
	}
	return Response{Replies: []Reply{
		{Text: mStaffRevoked.f(t.l, id, roleLabel(t.l, target.Role))},
		{ChatID: id, Text: mYouAreRevoked.s(zh) + "\n" + mYouAreRevoked.s(en)},
	}, Menus: []int64{id}}, nil
}

// help lists exactly what the user may do.
func (t *turn) help() (Response, error) {
	m, err := t.member()
	if err != nil {
		return t.fail("staff member", err)
	}
	if m.Role == renovote.RoleResident {
		return t.say(mHelpResident.s(t.l)), nil
	}
	p, err := t.e.store.Programme(t.ctx)
	if err != nil {
		return t.fail("programme", err)
	}
	parts := []string{mYourRole.f(t.l, memberLabel(t.l, p, m.Role, m.Compounds))}
	if m.Role != renovote.RoleBureau {
		parts = append(parts, mHelpResident.s(t.l))
	}
	parts = append(parts, t.staffHelp(m.Role))
	return t.say(strings.Join(parts, "\n\n")), nil
}

// staffHelp lists the staff commands of a role.
func (t *turn) staffHelp(r renovote.Role) string {
	var parts []string
	switch r {
	case renovote.RoleWorker:
		parts = []string{mHelpStaff.s(t.l), mHelpWork.s(t.l), mHelpRead.s(t.l), mHelpNotices.s(t.l)}
	case renovote.RoleBureau:
		parts = []string{mHelpBureau.s(t.l), mHelpRead.s(t.l), mHelpNoticesAll.s(t.l), mHelpStaffAdmin.s(t.l), mHelpBasics.s(t.l)}
	case renovote.RoleAdmin:
		parts = []string{mHelpStaff.s(t.l), mHelpWork.s(t.l), mHelpRead.s(t.l), mHelpNotices.s(t.l), mHelpStaffAdmin.s(t.l), mHelpAdmin.s(t.l)}
	default:
		return ""
	}
	if h := t.dashboardHelp(); h != "" {
		parts = slices.Insert(parts, slices.Index(parts, mHelpRead.s(t.l))+1, h)
	}
	return strings.Join(parts, "\n")
}

// RoleOf is the user's role now: admin from the configuration, else their
// staff record, else resident. The adapter uses it for command menus.
func (e *Engine) RoleOf(ctx context.Context, userID int64) (renovote.Role, error) {
	if e.admins[userID] {
		return renovote.RoleAdmin, nil
	}
	m, ok, err := e.store.StaffMember(ctx, userID)
	if err != nil || !ok {
		return renovote.RoleResident, err
	}
	return m.Role, nil
}

// StaffUsers lists the configured admins and every named member of staff:
// the users whose command menu differs from the residents'.
func (e *Engine) StaffUsers(ctx context.Context) ([]int64, error) {
	ms, err := e.store.StaffMembers(ctx)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(e.adminIDs)
	for _, m := range ms {
		if !slices.Contains(out, m.UserID) {
			out = append(out, m.UserID)
		}
	}
	return out, nil
}
