package storesuite

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

func member(uid int64, role renovote.Role, compounds ...string) renovote.StaffMember {
	return renovote.StaffMember{UserID: uid, Role: role, Compounds: compounds, AddedBy: "tg:1", Added: opens}
}

func ops(log []store.StaffChange) []string {
	out := make([]string, len(log))
	for i, c := range log {
		out[i] = c.Op + ":" + c.Role
	}
	return out
}

func staffIDs(ms []renovote.StaffMember) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = m.UserID
	}
	return out
}

func TestStaffRoles(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()

	must(t, s.SetStaff(ctx, member(10, renovote.RoleWorker, lm, small, lm)))
	must(t, s.SetStaff(ctx, member(11, renovote.RoleWorker, small)))
	must(t, s.SetStaff(ctx, member(12, renovote.RoleWorker, lzy, renovote.AllCompounds)))
	must(t, s.SetStaff(ctx, member(20, renovote.RoleBureau, lm))) // the bureau's scope is dropped
	must(t, s.SetStaff(ctx, member(30, renovote.RoleAdmin)))

	m, ok, err := s.StaffMember(ctx, 10)
	must(t, err)
	if !ok || m.Role != renovote.RoleWorker || !slices.Equal(m.Compounds, []string{lm, small}) ||
		m.AddedBy != "tg:1" || !m.Added.Equal(opens) {
		t.Fatalf("member 10: %+v %v", m, ok)
	}
	if m, _, _ := s.StaffMember(ctx, 12); !slices.Equal(m.Compounds, []string{renovote.AllCompounds}) {
		t.Fatalf("member 12 scope %v", m.Compounds)
	}
	if m, _, _ := s.StaffMember(ctx, 20); m.Compounds != nil {
		t.Fatalf("bureau scope %v", m.Compounds)
	}
	if _, ok, err := s.StaffMember(ctx, 99); err != nil || ok {
		t.Fatalf("not staff: %v %v", ok, err)
	}

	// The same role and scope again: nothing changes, nothing is recorded.
	again := member(10, renovote.RoleWorker, small, lm)
	again.AddedBy, again.Added = "tg:2", during
	must(t, s.SetStaff(ctx, again))
	if m, _, _ := s.StaffMember(ctx, 10); m.AddedBy != "tg:1" {
		t.Fatalf("unchanged member rewritten: %+v", m)
	}
	// A change of scope, then of role.
	must(t, s.SetStaff(ctx, member(11, renovote.RoleWorker, small, lzy)))
	must(t, s.SetStaff(ctx, member(11, renovote.RoleBureau)))

	all, err := s.StaffMembers(ctx)
	must(t, err)
	if !slices.Equal(staffIDs(all), []int64{10, 11, 12, 20, 30}) {
		t.Fatalf("staff %v", staffIDs(all))
	}
	of, err := s.StaffOf(ctx, lm)
	must(t, err)
	if !slices.Equal(staffIDs(of), []int64{10, 11, 12, 20, 30}) {
		t.Fatalf("staff of %s: %v", lm, staffIDs(of))
	}
	must(t, s.SetStaff(ctx, member(11, renovote.RoleWorker, small)))
	of, err = s.StaffOf(ctx, lzy)
	must(t, err)
	if !slices.Equal(staffIDs(of), []int64{12, 20, 30}) {
		t.Fatalf("staff of %s: %v", lzy, staffIDs(of))
	}
	_, err = s.StaffOf(ctx, "Bad Id")
	wantErr(t, err, renovote.ErrInvalid)

	ws, err := s.Workers(ctx)
	must(t, err)
	if !slices.Equal(ws, []int64{10, 11, 12}) {
		t.Fatalf("workers %v", ws)
	}
	if ok, _ := s.IsWorker(ctx, 20); ok {
		t.Fatal("the bureau is not a worker")
	}

	must(t, s.RevokeStaff(ctx, 10, "tg:30", during))
	wantErr(t, s.RevokeStaff(ctx, 10, "tg:30", during), renovote.ErrNotFound)
	if _, ok, _ := s.StaffMember(ctx, 10); ok {
		t.Fatal("revoked member still staff")
	}

	for _, bad := range []renovote.StaffMember{
		member(40, renovote.RoleResident),
		member(40, "mayor"),
		member(40, renovote.RoleWorker),
		member(40, renovote.RoleWorker, "Not An Id"),
		member(0, renovote.RoleBureau),
		{UserID: 40, Role: renovote.RoleBureau},
	} {
		wantErr(t, s.SetStaff(ctx, bad), renovote.ErrInvalid)
	}

	log, err := s.StaffAudit(ctx)
	must(t, err)
	want := []string{"add:worker", "add:worker", "add:worker", "add:bureau", "add:admin",
		"change:worker", "change:bureau", "change:worker", "remove:worker"}
	if !slices.Equal(ops(log), want) {
		t.Fatalf("audit %v, want %v", ops(log), want)
	}
	last := log[len(log)-1]
	if last.UserID != 10 || last.By != "tg:30" || !last.At.Equal(during) || !slices.Equal(last.Compounds, []string{lm, small}) {
		t.Fatalf("last audit entry %+v", last)
	}
}

func invite(role renovote.Role, compounds ...string) renovote.StaffInvite {
	return renovote.StaffInvite{Role: role, Compounds: compounds, By: "tg:30", Created: opens, Expires: opens.Add(24 * time.Hour)}
}

func TestStaffInvites(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()

	for _, bad := range []renovote.StaffInvite{
		invite(renovote.RoleAdmin),
		invite(renovote.RoleResident),
		invite(renovote.RoleWorker),
		invite(renovote.RoleWorker, "Bad Id"),
		{Role: renovote.RoleBureau, By: "tg:30", Created: opens},
		{Role: renovote.RoleBureau, By: "tg:30", Created: opens, Expires: opens},
		{Role: renovote.RoleBureau, Created: opens, Expires: closes},
	} {
		_, err := s.CreateStaffInvite(ctx, bad)
		wantErr(t, err, renovote.ErrInvalid)
	}

	inv, err := s.CreateStaffInvite(ctx, invite(renovote.RoleWorker, lm, lm))
	must(t, err)
	if !renovote.ValidInviteCode(inv.Code) || !slices.Equal(inv.Compounds, []string{lm}) || inv.UsedBy != 0 {
		t.Fatalf("invite %+v", inv)
	}
	inv2, err := s.CreateStaffInvite(ctx, invite(renovote.RoleWorker, lm))
	must(t, err)
	if inv2.Code == inv.Code {
		t.Fatal("same code twice")
	}

	_, err = s.RedeemStaffInvite(ctx, renovote.NewInviteCode(), 50, opens)
	wantErr(t, err, renovote.ErrNotFound)
	_, err = s.RedeemStaffInvite(ctx, "not a code", 50, opens)
	wantErr(t, err, renovote.ErrNotFound)
	_, err = s.RedeemStaffInvite(ctx, inv.Code, 0, opens)
	wantErr(t, err, renovote.ErrInvalid)

	// The last instant before expiry, with the deep link's prefix.
	just := inv.Expires.Add(-time.Nanosecond)
	m, err := s.RedeemStaffInvite(ctx, renovote.StaffInvitePrefix+inv.Code, 50, just)
	must(t, err)
	if m.UserID != 50 || m.Role != renovote.RoleWorker || !slices.Equal(m.Compounds, []string{lm}) ||
		m.AddedBy != "tg:30" || !m.Added.Equal(just) {
		t.Fatalf("redeemed %+v", m)
	}
	if got, ok, _ := s.StaffMember(ctx, 50); !ok || !slices.Equal(got.Compounds, m.Compounds) {
		t.Fatalf("stored %+v", got)
	}
	// Again by the same user, even after expiry: the same record, no change.
	again, err := s.RedeemStaffInvite(ctx, inv.Code, 50, closes)
	must(t, err)
	if again.UserID != 50 || !again.Added.Equal(just) {
		t.Fatalf("again %+v", again)
	}
	// By another user: used.
	_, err = s.RedeemStaffInvite(ctx, inv.Code, 51, opens)
	wantErr(t, err, renovote.ErrRevoked)

	// Expiry is exclusive: at Expires the invitation is no longer good.
	_, err = s.RedeemStaffInvite(ctx, inv2.Code, 52, inv2.Expires)
	wantErr(t, err, renovote.ErrRevoked)
	if _, ok, _ := s.StaffMember(ctx, 52); ok {
		t.Fatal("expired invitation made staff")
	}

	// A worker invited to another compound gets both; the bureau invited as a
	// worker stays the bureau (the invitation is used all the same).
	inv3, err := s.CreateStaffInvite(ctx, invite(renovote.RoleWorker, small))
	must(t, err)
	m, err = s.RedeemStaffInvite(ctx, inv3.Code, 50, opens)
	must(t, err)
	if m.Role != renovote.RoleWorker || !slices.Equal(m.Compounds, []string{lm, small}) {
		t.Fatalf("merged %+v", m)
	}
	must(t, s.SetStaff(ctx, member(60, renovote.RoleBureau)))
	inv4, err := s.CreateStaffInvite(ctx, invite(renovote.RoleWorker, small))
	must(t, err)
	m, err = s.RedeemStaffInvite(ctx, inv4.Code, 60, opens)
	must(t, err)
	if m.Role != renovote.RoleBureau {
		t.Fatalf("bureau lowered to %+v", m)
	}
	_, err = s.RedeemStaffInvite(ctx, inv4.Code, 61, opens)
	wantErr(t, err, renovote.ErrRevoked)
	// A worker promoted by a bureau invitation.
	inv5, err := s.CreateStaffInvite(ctx, invite(renovote.RoleBureau))
	must(t, err)
	m, err = s.RedeemStaffInvite(ctx, inv5.Code, 50, opens)
	must(t, err)
	if m.Role != renovote.RoleBureau || m.Compounds != nil {
		t.Fatalf("promoted %+v", m)
	}
	// Revoked after redeeming: the link does not bring them back.
	must(t, s.RevokeStaff(ctx, 50, "tg:30", during))
	_, err = s.RedeemStaffInvite(ctx, inv5.Code, 50, opens)
	wantErr(t, err, renovote.ErrRevoked)

	log, err := s.StaffAudit(ctx)
	must(t, err)
	want := []string{"redeem:worker", "redeem:worker", "add:bureau", "redeem:bureau", "redeem:bureau", "remove:bureau"}
	if !slices.Equal(ops(log), want) {
		t.Fatalf("audit %v, want %v", ops(log), want)
	}
	if log[0].UserID != 50 || log[0].By != "tg:30" || !log[0].At.Equal(just) {
		t.Fatalf("redeem entry %+v", log[0])
	}
}

func TestStaffInviteConcurrentRedeem(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	for round := range 5 {
		inv, err := s.CreateStaffInvite(ctx, invite(renovote.RoleWorker, lm))
		must(t, err)
		var wg sync.WaitGroup
		errs := make([]error, 10)
		start := make(chan struct{})
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = s.RedeemStaffInvite(ctx, inv.Code, int64(1000*(round+1)+i), during.Add(-24*time.Hour*30))
			}()
		}
		close(start)
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case errorsIs(err, renovote.ErrRevoked):
			default:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d winners", round, won)
		}
	}
	all, err := s.StaffMembers(ctx)
	must(t, err)
	log, err := s.StaffAudit(ctx)
	must(t, err)
	if len(all) != 5 || len(log) != 5 {
		t.Fatalf("%d members, %d audit entries", len(all), len(log))
	}
}
