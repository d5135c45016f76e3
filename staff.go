package renovote

import (
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
