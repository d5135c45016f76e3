package dialogs

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/renovote/renovote"
)

// Staff invitations. "/invite_staff worker <compound>[,<compound>…|all]" and
// "/invite_staff bureau" (renovote.Role.CanInvite: the bureau invites workers,
// admins also the bureau) store a one-time invitation valid for
// staffInviteTTL and answer with its deep link
// https://t.me/<bot>?start=staff-<code>, to forward to the new member. The
// link sends "/start staff-<code>": a confirmation screen with
//
//	si:y  accept: Store.RedeemStaffInvite, then the staff help
//	si:n  decline
//
// The code waits in the session (never in a button, never logged). Unknown,
// used and expired codes count as failed attempts in the throttle of
// household codes.

// staffInviteTTL is how long a staff invitation is valid.
const staffInviteTTL = 7 * 24 * time.Hour

// StaffInviteReader is what a Store may offer besides Store: reading a staff
// invitation without using it (renovote.ErrNotFound for an unknown code), so
// that the confirmation screen shows the role and scope it gives and refuses
// unknown, used and expired codes before the member accepts. Without it the
// screen is generic and the code is checked when accepted.
type StaffInviteReader interface {
	StaffInvite(ctx context.Context, code string) (renovote.StaffInvite, error)
}

// inviteStaff answers /invite_staff.
func (t *turn) inviteStaff() (Response, error) {
	m, ok, err := t.may(renovote.ActInviteStaff)
	if err != nil {
		return t.fail("staff member", err)
	}
	if !ok {
		return t.denied(m), nil
	}
	f := strings.Fields(t.in.Args)
	if len(f) == 0 {
		return t.say(mInviteStaffUsage.s(t.l)), nil
	}
	var role renovote.Role
	switch strings.ToLower(f[0]) {
	case "worker", "工作人员", "社区工作人员":
		role = renovote.RoleWorker
	case "bureau", "住建局":
		role = renovote.RoleBureau
	default:
		return t.say(mInviteStaffUsage.s(t.l)), nil
	}
	if !m.Role.CanInvite(role) {
		return t.denied(m), nil
	}
	p, err := t.e.store.Programme(t.ctx)
	if err != nil {
		return t.fail("programme", err)
	}
	var scope []string
	if role == renovote.RoleWorker {
		ids, unknown := parseScope(p, strings.Join(f[1:], " "))
		if len(unknown) > 0 {
			return t.say(mUnknownCompounds.f(t.l, strings.Join(unknown, listSep(t.l))) + "\n" + mInviteStaffUsage.s(t.l)), nil
		}
		if len(ids) == 0 {
			return t.say(mInviteStaffUsage.s(t.l)), nil
		}
		scope = ids
	} else if len(f) > 1 {
		return t.say(mInviteStaffUsage.s(t.l)), nil
	}
	inv, err := t.e.store.CreateStaffInvite(t.ctx, renovote.StaffInvite{
		Role: role, Compounds: scope, By: t.actor(), Created: t.now, Expires: t.now.Add(staffInviteTTL)})
	if err != nil {
		return t.fail("create staff invite", err)
	}
	what := memberLabel(t.l, p, inv.Role, inv.Compounds)
	until := fmtTime(t.l, location(p), inv.Expires)
	payload := renovote.StaffInvitePrefix + inv.Code
	if t.e.botUsername == "" {
		return t.say(mInviteStaffCreatedCmd.f(t.l, what, until, "/start "+payload)), nil
	}
	return t.say(mInviteStaffCreated.f(t.l, what, until, renovote.InviteLink(t.e.botUsername, payload))), nil
}

// validStaffCode reports whether s may be a staff invitation's code: 1 to 58
// characters of the deep-link alphabet (a /start payload has at most 64).
func validStaffCode(s string) bool {
	if s == "" || len(s) > 64-len(renovote.StaffInvitePrefix) {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// staffStart answers "/start staff-<code>" (the throttle was checked).
func (t *turn) staffStart(code string) (Response, error) {
	if !validStaffCode(code) {
		return t.inviteFailed(mStaffInviteInvalid)
	}
	text := mStaffInviteGeneric.s(t.l)
	if r, ok := t.e.store.(StaffInviteReader); ok {
		inv, err := r.StaffInvite(t.ctx, code)
		switch {
		case errors.Is(err, renovote.ErrNotFound):
			return t.inviteFailed(mStaffInviteInvalid)
		case err != nil:
			return t.fail("staff invite", err)
		case inv.UsedBy != 0 && inv.UsedBy != t.in.UserID, !t.now.Before(inv.Expires):
			return t.inviteFailed(mStaffInviteUsed)
		}
		p, err := t.e.store.Programme(t.ctx)
		if err != nil {
			return t.fail("programme", err)
		}
		text = mStaffInviteConfirm.f(t.l, memberLabel(t.l, p, inv.Role, inv.Compounds))
		m, err := t.member()
		if err != nil {
			return t.fail("staff member", err)
		}
		if m.Role != renovote.RoleResident {
			text += "\n" + mStaffInviteCurrent.f(t.l, memberLabel(t.l, p, m.Role, m.Compounds))
		}
	}
	t.s = Session{Flow: flowStaffInvite, Code: code}
	return t.sayButtons(text, t.staffInviteButtons()), nil
}

func (t *turn) staffInviteButtons() [][]Button {
	return [][]Button{{{Label: mBtnAccept.s(t.l), Data: "si:y"}}, {{Label: mBtnDecline.s(t.l), Data: "si:n"}}}
}

// staffInviteReminder answers text typed while the buttons wait.
func (t *turn) staffInviteReminder() Response {
	return t.sayButtons(mStaffInviteReminder.s(t.l), t.staffInviteButtons())
}

// staffInviteCallback handles "si:y" and "si:n".
func (t *turn) staffInviteCallback(data string) (Response, error) {
	if t.s.Flow != flowStaffInvite || t.s.Code == "" || (data != "si:y" && data != "si:n") {
		return alert(mStaffInviteExpired.s(t.l)), nil
	}
	if data == "si:n" {
		t.s = Session{}
		return Response{Replies: []Reply{t.edit(mStaffInviteDeclined.s(t.l), nil)}}, nil
	}
	n, oldest, err := t.e.store.InviteFailures(t.ctx, t.in.UserID, t.now.Add(-time.Hour))
	if err != nil {
		return t.fail("count invite failures", err)
	}
	if n >= t.e.maxFailures {
		t.s = Session{}
		return Response{Replies: []Reply{t.edit(mTooManyAttempts.f(t.l, waitMinutes(oldest, t.now)), nil)}}, nil
	}
	m, err := t.e.store.RedeemStaffInvite(t.ctx, t.s.Code, t.in.UserID, t.now)
	switch {
	case errors.Is(err, renovote.ErrNotFound):
		return t.staffInviteRefused(mStaffInviteInvalid)
	case errors.Is(err, renovote.ErrRevoked):
		return t.staffInviteRefused(mStaffInviteUsed)
	case err != nil:
		return t.fail("redeem staff invite", err)
	}
	t.s = Session{}
	if t.isAdmin() { // the configuration's role comes first
		m = renovote.StaffMember{UserID: t.in.UserID, Role: renovote.RoleAdmin}
	}
	p, err := t.e.store.Programme(t.ctx)
	if err != nil {
		return t.fail("programme", err)
	}
	text := mStaffInviteAccepted.f(t.l, memberLabel(t.l, p, m.Role, m.Compounds)) + "\n\n" + t.staffHelp(m.Role)
	return Response{Replies: []Reply{t.edit(text, nil)}, CallbackText: mStaffInviteToast.s(t.l), Menus: []int64{t.in.UserID}}, nil
}

// staffInviteRefused notes a failed attempt and says why the code failed.
func (t *turn) staffInviteRefused(m msg) (Response, error) {
	if err := t.e.store.AddInviteFailure(t.ctx, t.in.UserID, t.now); err != nil {
		return t.fail("add invite failure", err)
	}
	t.s = Session{}
	return Response{Replies: []Reply{t.edit(m.s(t.l), nil)}}, nil
}
