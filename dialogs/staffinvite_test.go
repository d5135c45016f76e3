package dialogs

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote"
)

var (
	workerJ   = user{910, "zh"}    // a worker of 金融小区 only
	workerL   = user{911, "en"}    // a worker of 粮贸小区 only
	bureau    = user{950, "zh"}    // the housing bureau
	bureauE   = user{951, "en"}    // the housing bureau
	newcomer  = user{700, "zh"}    // about to become staff
	newcomerE = user{701, "en"}    // about to become staff
	stranger  = user{702, "zh-tw"} // tries codes that are not theirs
)

// setStaff makes u a member of staff directly in the store.
func (w *world) setStaff(u user, role renovote.Role, compounds ...string) {
	w.t.Helper()
	err := w.be.SetStaff(context.Background(), renovote.StaffMember{UserID: u.id, Role: role, Compounds: compounds,
		AddedBy: "cli:test", Added: ballotOpens.Add(-time.Hour)})
	if err != nil {
		w.t.Fatal(err)
	}
}

// member is u's staff record (Role "" if none).
func (w *world) member(u user) renovote.StaffMember {
	w.t.Helper()
	m, _, err := w.be.StaffMember(context.Background(), u.id)
	if err != nil {
		w.t.Fatal(err)
	}
	return m
}

// Staff invitations: an admin invites a worker of one compound and the
// bureau, the bureau invites a worker; links are used once, expire, and bad
// codes count in the throttle; /staff lists, /revoke_staff revokes.
func TestStaffInviteZh(t *testing.T) { transcript(t, "staff_invite_zh", staffInviteZh) }

func staffInviteZh(w *world) {
	w.note("An admin invites a community worker of 粮贸小区.")
	w.send(admin, "/invite_staff")
	w.send(admin, "/invite_staff worker 不存在小区")
	w.send(admin, "/invite_staff worker 粮贸小区")
	link := w.lastStaffLink(admin.id)

	w.note("The new member opens the link, types instead of pressing, then accepts.")
	w.send(newcomer, "/start "+link)
	w.send(newcomer, "好的")
	w.tap(newcomer, "接受")
	if m := w.member(newcomer); m.Role != renovote.RoleWorker || !slices.Equal(m.Compounds, []string{"liangmao"}) || m.AddedBy != "tg:1" {
		w.t.Fatalf("member = %+v", m)
	}
	w.note("They are a worker of 粮贸小区 now.")
	w.send(newcomer, "/help")
	w.send(newcomer, "/tally 金融小区")

	w.note("The same link is used: another user cannot use it again.")
	w.send(stranger, "/start "+link)
	w.tap(stranger, "接受")
	if m := w.member(stranger); m.Role != "" {
		w.t.Fatalf("the link was used twice: %+v", m)
	}

	w.note("A link that expired after 7 days; a declined one stays unused.")
	w.send(admin, "/invite_staff worker jinrong, liangmao")
	old := w.lastStaffLink(admin.id)
	w.send(admin, "/invite_staff worker all")
	declined := w.lastStaffLink(admin.id)
	w.at(duringBallot.Add(7*24*time.Hour + time.Minute))
	w.send(stranger, "/start "+old)
	w.tap(stranger, "接受")
	w.send(stranger, "/start "+declined)
	w.tap(stranger, "不接受")
	if m := w.member(stranger); m.Role != "" {
		w.t.Fatalf("stranger = %+v", m)
	}

	w.note("Unknown and malformed codes count with wrong household codes: then the user must wait.")
	w.send(stranger, "/start staff-"+code("notarealcode"))
	w.tap(stranger, "接受")
	w.send(stranger, "/start staff-a/b")
	w.send(stranger, "/start staff-")
	w.send(stranger, "/start staff-"+code("anotherfake"))
	w.tap(stranger, "接受")
	w.send(stranger, "/start staff-"+code("onemorefake"))
	if n, _, _ := w.be.InviteFailures(context.Background(), stranger.id, w.now.Add(-time.Hour)); n != 5 {
		w.t.Errorf("failures = %d, want 5", n)
	}

	w.note("The bureau is invited by an admin, and invites a worker; it may not invite the bureau.")
	w.send(admin, "/invite_staff bureau")
	w.send(bureau, "/start "+w.lastStaffLink(admin.id))
	w.tap(bureau, "接受")
	if m := w.member(bureau); m.Role != renovote.RoleBureau {
		w.t.Fatalf("bureau = %+v", m)
	}
	w.send(bureau, "/invite_staff bureau")
	w.send(bureau, "/invite_staff worker 金融小区")
	w.send(workerJ, "/start "+w.lastStaffLink(bureau.id))
	w.tap(workerJ, "接受")
	if m := w.member(workerJ); m.Role != renovote.RoleWorker || !slices.Equal(m.Compounds, []string{"jinrong"}) {
		w.t.Fatalf("workerJ = %+v", m)
	}

	w.note("Workers and residents may not invite, list or revoke staff.")
	w.send(workerJ, "/invite_staff worker 金融小区")
	w.send(workerJ, "/staff")
	w.send(zhang, "/revoke_staff 910")

	w.note("An admin adds a worker directly, with a scope.")
	w.send(admin, "/addworker 912 金融小区")
	w.send(admin, "/addworker 913 不存在")
	w.send(admin, "/staff")
	w.send(bureau, "/staff")

	w.note("The bureau revokes a worker, but not an admin's or the bureau's role; an admin revokes the bureau.")
	w.send(bureau, "/revoke_staff 910")
	if m := w.member(workerJ); m.Role != "" {
		w.t.Fatalf("not revoked: %+v", m)
	}
	w.send(workerJ, "/paper")
	w.send(bureau, "/revoke_staff 950")
	w.send(bureau, "/revoke_staff 1")
	w.send(admin, "/revoke_staff 12345")
	w.send(admin, "/revoke_staff abc")
	w.send(admin, "/revoke_staff 950")
	if m := w.member(bureau); m.Role != "" {
		w.t.Fatalf("not revoked: %+v", m)
	}
	w.send(bureau, "/staff")
}

func TestStaffInviteEn(t *testing.T) { transcript(t, "staff_invite_en", staffInviteEn) }

func staffInviteEn(w *world) {
	w.setStaff(bureauE, renovote.RoleBureau)
	w.send(bureauE, "/invite_staff worker")
	w.send(bureauE, "/invite_staff worker 粮贸小区,jinrong")
	w.send(newcomerE, "/start "+w.lastStaffLink(bureauE.id))
	w.tap(newcomerE, "Accept")
	w.note("The link opened again by the same member: nothing changes.")
	w.send(newcomerE, "/start "+w.lastStaffLink(bureauE.id))
	w.tap(newcomerE, "Accept")
	w.send(newcomerE, "/help")
	w.send(bureauE, "/help")
	w.send(bureauE, "/staff")
	w.send(bureauE, "/revoke_staff 701")
	w.send(newcomerE, "/notice")
}

// With a store that reads invitations (StaffInviteReader), the confirmation
// shows the role and scope, and used or expired codes are refused at once.
func TestStaffInviteReader(t *testing.T) {
	f := newFakeStore(testProgramme(), testRegister())
	e := New(Config{Store: f, Admins: []int64{admin.id}, BotUsername: "renovote_bot"})
	ctx := context.Background()
	inv, err := f.CreateStaffInvite(ctx, renovote.StaffInvite{Role: renovote.RoleWorker, Compounds: []string{"liangmao"},
		By: "tg:1", Created: duringBallot, Expires: duringBallot.Add(staffInviteTTL)})
	if err != nil {
		t.Fatal(err)
	}
	start := func(uid int64, payload string, now time.Time) Response {
		resp, err := e.Handle(ctx, Input{UpdateID: now.Unix() + uid, UserID: uid, ChatID: uid, Command: "start", Args: payload}, now)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := start(700, "staff-"+inv.Code, duringBallot)
	if got := resp.Replies[0].Text; !strings.Contains(got, "社区工作人员（粮贸小区）") || len(resp.Replies[0].Buttons) != 2 {
		t.Fatalf("confirmation: %+v", resp)
	}
	if r := start(701, "staff-"+inv.Code, duringBallot.Add(staffInviteTTL)); r.Replies[0].Text != mStaffInviteUsed.zh {
		t.Errorf("expired: %+v", r)
	}
	if r := start(701, "staff-"+code("unknownunknown"), duringBallot); r.Replies[0].Text != mStaffInviteInvalid.zh {
		t.Errorf("unknown: %+v", r)
	}
	if n, _, _ := f.InviteFailures(ctx, 701, duringBallot.Add(-time.Hour)); n != 2 {
		t.Errorf("failures = %d, want 2", n)
	}
	resp, err = e.Handle(ctx, Input{UpdateID: 9, UserID: 700, ChatID: 700, Callback: "si:y", MessageID: 1}, duringBallot)
	if err != nil || !strings.Contains(resp.Replies[0].Text, "社区工作人员（粮贸小区）") {
		t.Fatalf("accept: %+v %v", resp, err)
	}
	if r := start(702, "staff-"+inv.Code, duringBallot); r.Replies[0].Text != mStaffInviteUsed.zh {
		t.Errorf("used: %+v", r)
	}
}
