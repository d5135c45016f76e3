package renovote

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Role is what a Telegram user may do. Admins come from configuration; the
// others are named (staff by invitation, residents by binding).
type Role string

const (
	RoleResident Role = ""
	RoleWorker   Role = "worker" // community worker (社区): scoped to named compounds
	RoleBureau   Role = "bureau" // housing bureau (住建局): reads everything, changes nothing but reports
	RoleAdmin    Role = "admin"
)

// AllCompounds in a worker's scope means every compound of the programme.
const AllCompounds = "*"

// StaffMember is a named member of staff.
type StaffMember struct {
	UserID    int64     `json:"user"`
	Role      Role      `json:"role"`
	Compounds []string  `json:"compounds,omitempty"` // a worker's scope; AllCompounds for all
	AddedBy   string    `json:"added_by"`
	Added     time.Time `json:"added"`
}

// Covers reports whether the member may act on the compound: admins and the
// bureau everywhere, a worker within their scope, a resident nowhere.
func (m StaffMember) Covers(compoundID string) bool {
	switch m.Role {
	case RoleAdmin, RoleBureau:
		return true
	case RoleWorker:
		return slices.Contains(m.Compounds, AllCompounds) || slices.Contains(m.Compounds, compoundID)
	}
	return false
}

// Action is something only some roles may do.
type Action string

const (
	ActTally       Action = "tally"        // read tallies
	ActResults     Action = "results"      // read survey results, reports, notices' counts
	ActPaper       Action = "paper"        // record paper and proxy ballots
	ActNotice      Action = "notice"       // compose and send notices
	ActReports     Action = "reports"      // handle problem reports, name supervisors
	ActDoorToDoor  Action = "door_to_door" // list non-voters, remind them
	ActInviteStaff Action = "invite_staff" // invite staff (workers; admins also bureau)
	ActRevokeStaff Action = "revoke_staff" // list and revoke staff
)

// Can reports whether a role may do an action at all; Covers then says where.
// The bureau reads and invites; workers act in their compounds; admins do all.
func (r Role) Can(a Action) bool {
	switch r {
	case RoleAdmin:
		return true
	case RoleBureau:
		return a == ActTally || a == ActResults || a == ActInviteStaff || a == ActRevokeStaff
	case RoleWorker:
		return a == ActTally || a == ActResults || a == ActPaper || a == ActNotice || a == ActReports || a == ActDoorToDoor
	}
	return false
}

// CanInvite reports whether a member of role r may invite a member of role to:
// admins invite bureau and workers, the bureau invites workers.
func (r Role) CanInvite(to Role) bool {
	switch r {
	case RoleAdmin:
		return to == RoleBureau || to == RoleWorker
	case RoleBureau:
		return to == RoleWorker
	}
	return false
}

// StaffInvite is a one-time deep link that makes its user a member of staff.
type StaffInvite struct {
	Code      string    `json:"code"`
	Role      Role      `json:"role"`
	Compounds []string  `json:"compounds,omitempty"`
	By        string    `json:"by"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
	UsedBy    int64     `json:"used_by,omitempty"`
}

// StaffInvitePrefix starts the /start payload of a staff invitation, so it is
// told apart from a household's code.
const StaffInvitePrefix = "staff-"

// IsStaff reports whether r is a role of staff (worker, bureau, admin).
func (r Role) IsStaff() bool {
	return r == RoleWorker || r == RoleBureau || r == RoleAdmin
}

// Rank orders the roles of staff (worker 1, bureau 2, admin 3; 0 for any
// other): an invitation never lowers a member's role.
func (r Role) Rank() int {
	switch r {
	case RoleWorker:
		return 1
	case RoleBureau:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// StaffScope returns a role's scope in canonical form: none for the bureau
// and admins (they read every compound), and for a worker their compounds
// sorted without repeats, or AllCompounds alone.
func StaffScope(role Role, compounds []string) ([]string, error) {
	if role != RoleWorker {
		return nil, nil
	}
	if len(compounds) == 0 {
		return nil, errors.New("a worker needs at least one compound")
	}
	out := make([]string, 0, len(compounds))
	for _, c := range compounds {
		if c == AllCompounds {
			return []string{AllCompounds}, nil
		}
		if !ValidID(c) {
			return nil, fmt.Errorf("%q is not a compound id", c)
		}
		out = append(out, c)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Normalized checks a member of staff (user, who added them, role, scope)
// and returns it with its scope in canonical form (StaffScope) and Added in
// UTC; every problem is in the *ValidationError.
func (m StaffMember) Normalized() (StaffMember, error) {
	v := &ValidationError{What: "staff member"}
	if m.UserID == 0 {
		v.Add("user", "missing")
	}
	if m.AddedBy == "" {
		v.Add("added_by", "missing")
	}
	scope, err := StaffScope(m.Role, m.Compounds)
	if err != nil {
		v.Add("compounds", err.Error())
	}
	if !m.Role.IsStaff() {
		v.Add("role", fmt.Sprintf("%q is not worker, bureau or admin", m.Role))
	}
	if err := v.Err(); err != nil {
		return m, err
	}
	m.Compounds = scope
	m.Added = m.Added.UTC()
	return m, nil
}

// Redeem returns what userID becomes by redeeming the invitation at time at,
// given their current staff record (nil when they are not staff), and
// whether that changes anything. An invitation never lowers a role; a
// worker invited as a worker again gains the invitation's compounds.
func (inv StaffInvite) Redeem(cur *StaffMember, userID int64, at time.Time) (StaffMember, bool, error) {
	next := StaffMember{UserID: userID, Role: inv.Role, Compounds: inv.Compounds, AddedBy: inv.By, Added: at}
	if cur == nil {
		m, err := next.Normalized()
		return m, true, err
	}
	if cur.Role.Rank() > inv.Role.Rank() {
		return *cur, false, nil
	}
	if cur.Role == inv.Role {
		if inv.Role != RoleWorker {
			return *cur, false, nil
		}
		next.Compounds = append(slices.Clone(cur.Compounds), inv.Compounds...)
	}
	m, err := next.Normalized()
	if err != nil {
		return m, false, err
	}
	if m.Role == cur.Role && slices.Equal(m.Compounds, cur.Compounds) {
		return *cur, false, nil
	}
	return m, true, nil
}
