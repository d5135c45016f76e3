package renovote_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/renovote/renovote"
)

// TestStaffInviteRedeem: an invitation never lowers a role, a worker gains
// the invitation's compounds, and nothing changes when nothing would.
func TestStaffInviteRedeem(t *testing.T) {
	at := time.Date(2020, 5, 1, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	worker := &renovote.StaffMember{UserID: 7, Role: renovote.RoleWorker, Compounds: []string{"b"}, AddedBy: "x"}
	bureau := &renovote.StaffMember{UserID: 7, Role: renovote.RoleBureau, AddedBy: "x"}
	for _, tc := range []struct {
		name    string
		inv     renovote.StaffInvite
		cur     *renovote.StaffMember
		role    renovote.Role
		scope   []string
		changed bool
		invalid bool
	}{
		{"new worker", renovote.StaffInvite{Role: renovote.RoleWorker, Compounds: []string{"c", "a", "c"}, By: "admin"}, nil, renovote.RoleWorker, []string{"a", "c"}, true, false},
		{"worker gains compounds", renovote.StaffInvite{Role: renovote.RoleWorker, Compounds: []string{"a"}, By: "admin"}, worker, renovote.RoleWorker, []string{"a", "b"}, true, false},
		{"worker, same compound", renovote.StaffInvite{Role: renovote.RoleWorker, Compounds: []string{"b"}, By: "admin"}, worker, renovote.RoleWorker, []string{"b"}, false, false},
		{"worker raised to bureau", renovote.StaffInvite{Role: renovote.RoleBureau, By: "admin"}, worker, renovote.RoleBureau, nil, true, false},
		{"bureau not lowered", renovote.StaffInvite{Role: renovote.RoleWorker, Compounds: []string{"a"}, By: "admin"}, bureau, renovote.RoleBureau, nil, false, false},
		{"worker with no compound", renovote.StaffInvite{Role: renovote.RoleWorker, By: "admin"}, nil, "", nil, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, changed, err := tc.inv.Redeem(tc.cur, 7, at)
			var v *renovote.ValidationError
			if tc.invalid {
				if !errors.As(err, &v) {
					t.Fatalf("err %v, want a ValidationError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Role != tc.role || !slices.Equal(m.Compounds, tc.scope) || changed != tc.changed {
				t.Fatalf("got %s %v changed %v, want %s %v changed %v", m.Role, m.Compounds, changed, tc.role, tc.scope, tc.changed)
			}
			if changed && (m.Added.Location() != time.UTC || !m.Added.Equal(at)) {
				t.Fatalf("added %v, want %v in UTC", m.Added, at)
			}
		})
	}
}

// TestStaffScope: scopes in canonical form, and the errors.
func TestStaffScope(t *testing.T) {
	if got, err := renovote.StaffScope(renovote.RoleWorker, []string{"b", renovote.AllCompounds, "a"}); err != nil || !slices.Equal(got, []string{renovote.AllCompounds}) {
		t.Fatalf("all: %v %v", got, err)
	}
	if got, err := renovote.StaffScope(renovote.RoleBureau, []string{"a"}); err != nil || got != nil {
		t.Fatalf("bureau: %v %v", got, err)
	}
	if _, err := renovote.StaffScope(renovote.RoleWorker, []string{"not an id!"}); err == nil {
		t.Fatal("bad compound id accepted")
	}
	if renovote.Role("resident").IsStaff() || renovote.Role("resident").Rank() != 0 || renovote.RoleAdmin.Rank() <= renovote.RoleBureau.Rank() {
		t.Fatal("role order")
	}
}
