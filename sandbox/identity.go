package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/renovote/renovote"
)

// The staff's Telegram user ids are fixed; household members get ids from
// FirstResident on, in the order the page first acts as them.
const (
	Admin         int64 = 9000
	Bureau        int64 = 8000
	WorkerBase    int64 = 8100 // + the compound's index in the programme
	FirstResident int64 = 100001
)

// UsersFile is where the household members' ids are kept.
const UsersFile = "users.json"

// Identity is someone the page can act as.
type Identity struct {
	UserID int64         `json:"user_id"`
	Role   renovote.Role `json:"role"` // RoleResident for household members
	// Compound is a worker's compound or a member's; Household and Member
	// (1, 2, ...) name a member.
	Compound  string `json:"compound,omitempty"`
	Household string `json:"household,omitempty"`
	Member    int    `json:"member,omitempty"`
}

// Staff lists the staff the sandbox creates for a programme: the bureau, one
// worker per compound (scoped to it), and the admin (from the configuration,
// not the store).
func Staff(p renovote.Programme) []Identity {
	out := []Identity{{UserID: Bureau, Role: renovote.RoleBureau}}
	for i, c := range p.Compounds {
		out = append(out, Identity{UserID: WorkerBase + int64(i), Role: renovote.RoleWorker, Compound: c.ID})
	}
	return append(out, Identity{UserID: Admin, Role: renovote.RoleAdmin})
}

// StaffMember is the store's record of a staff identity (the admin has none:
// admins come from the configuration).
func (id Identity) StaffMember() (renovote.StaffMember, bool) {
	switch id.Role {
	case renovote.RoleBureau:
		return renovote.StaffMember{UserID: id.UserID, Role: id.Role, AddedBy: "sandbox"}, true
	case renovote.RoleWorker:
		return renovote.StaffMember{UserID: id.UserID, Role: id.Role, Compounds: []string{id.Compound}, AddedBy: "sandbox"}, true
	}
	return renovote.StaffMember{}, false
}

// Name is what the page and the fake Telegram call the identity.
func (id Identity) Name(p renovote.Programme, lang string) string {
	compound := id.Compound
	for _, c := range p.Compounds {
		if c.ID == id.Compound {
			compound = c.Name
		}
	}
	en := lang == "en"
	switch id.Role {
	case renovote.RoleBureau:
		return pick(en, "住建局", "Housing bureau")
	case renovote.RoleAdmin:
		return pick(en, "管理员", "Admin")
	case renovote.RoleWorker:
		return pick(en, "社区工作者·", "Community worker · ") + compound
	}
	if en {
		return fmt.Sprintf("%s %s · member %d", compound, id.Household, id.Member)
	}
	return fmt.Sprintf("%s %s · 成员%d", compound, id.Household, id.Member)
}

func pick(en bool, zh, enText string) string {
	if en {
		return enText
	}
	return zh
}

// people allocates and remembers the household members' user ids.
type people struct {
	path string

	mu      sync.Mutex
	next    int64
	members []Identity
}

type peopleFile struct {
	Next    int64      `json:"next"`
	Members []Identity `json:"members"`
}

func openPeople(dir string) (*people, error) {
	p := &people{path: filepath.Join(dir, UsersFile), next: FirstResident}
	data, err := os.ReadFile(p.path)
	if errors.Is(err, os.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sandbox users: %w", err)
	}
	var f peopleFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("sandbox users %s: %w", p.path, err)
	}
	p.next, p.members = max(f.Next, FirstResident), f.Members
	return p, nil
}

// member returns the identity of a household's n-th member, allocating its
// user id the first time.
func (p *people) member(compound, household string, n int) (Identity, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.members {
		if m.Compound == compound && m.Household == household && m.Member == n {
			return m, nil
		}
	}
	id := Identity{UserID: p.next, Role: renovote.RoleResident, Compound: compound, Household: household, Member: n}
	data, err := json.MarshalIndent(peopleFile{Next: p.next + 1, Members: append(slices.Clip(p.members), id)}, "", "  ")
	if err != nil {
		return Identity{}, err
	}
	if err := writeFileAtomic(p.path, data); err != nil {
		return Identity{}, err
	}
	p.next++
	p.members = append(p.members, id)
	return id, nil
}

// byID finds a member by user id.
func (p *people) byID(userID int64) (Identity, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.members {
		if m.UserID == userID {
			return m, true
		}
	}
	return Identity{}, false
}

// all lists the members acted as so far.
func (p *people) all() []Identity {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.members)
}
