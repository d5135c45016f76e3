package dialogs

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

// The fake store's staff, staff invitations, notices and outbox.

func cloneMember(m renovote.StaffMember) renovote.StaffMember {
	m.Compounds = slices.Clone(m.Compounds)
	return m
}

func (f *fakeStore) StaffMember(ctx context.Context, userID int64) (renovote.StaffMember, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.staff[userID]
	return cloneMember(m), ok, nil
}

func (f *fakeStore) StaffMembers(ctx context.Context) ([]renovote.StaffMember, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []renovote.StaffMember
	for _, m := range f.staff {
		out = append(out, cloneMember(m))
	}
	slices.SortFunc(out, func(a, b renovote.StaffMember) int { return cmp.Compare(a.UserID, b.UserID) })
	return out, nil
}

// normStaff checks a member as the store does and puts the scope in
// canonical form: a worker's sorted and unique (AllCompounds alone), none for
// the others.
func normStaff(m renovote.StaffMember) (renovote.StaffMember, error) {
	switch {
	case m.UserID == 0 || m.AddedBy == "":
		return m, fmt.Errorf("staff member: %w", renovote.ErrInvalid)
	case m.Role != renovote.RoleWorker && m.Role != renovote.RoleBureau && m.Role != renovote.RoleAdmin:
		return m, fmt.Errorf("staff member: role %q: %w", m.Role, renovote.ErrInvalid)
	case m.Role != renovote.RoleWorker:
		m.Compounds = nil
		return m, nil
	case len(m.Compounds) == 0:
		return m, fmt.Errorf("staff member: a worker without compounds: %w", renovote.ErrInvalid)
	case slices.Contains(m.Compounds, renovote.AllCompounds):
		m.Compounds = []string{renovote.AllCompounds}
		return m, nil
	}
	for _, c := range m.Compounds {
		if !renovote.ValidID(c) {
			return m, fmt.Errorf("staff member: compound %q: %w", c, renovote.ErrInvalid)
		}
	}
	m.Compounds = slices.Compact(slices.Sorted(slices.Values(m.Compounds)))
	return m, nil
}

func (f *fakeStore) SetStaff(ctx context.Context, m renovote.StaffMember) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.setStaff(m)
}

// setStaff is SetStaff with the lock held: the same role and scope again
// change nothing.
func (f *fakeStore) setStaff(m renovote.StaffMember) error {
	m, err := normStaff(m)
	if err != nil {
		return fmt.Errorf("set staff: %w", err)
	}
	if cur, ok := f.staff[m.UserID]; ok && cur.Role == m.Role && slices.Equal(cur.Compounds, m.Compounds) {
		return nil
	}
	f.staff[m.UserID] = cloneMember(m)
	f.staffLog = append(f.staffLog, fmt.Sprintf("set %d %s %v by %s", m.UserID, m.Role, m.Compounds, m.AddedBy))
	return nil
}

func (f *fakeStore) RevokeStaff(ctx context.Context, userID int64, by string, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.staff[userID]; !ok {
		return fmt.Errorf("revoke staff %d: %w", userID, renovote.ErrNotFound)
	}
	delete(f.staff, userID)
	f.staffLog = append(f.staffLog, fmt.Sprintf("revoke %d by %s", userID, by))
	return nil
}

func (f *fakeStore) CreateStaffInvite(ctx context.Context, inv renovote.StaffInvite) (renovote.StaffInvite, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if inv.Role != renovote.RoleWorker && inv.Role != renovote.RoleBureau || inv.By == "" || !inv.Expires.After(inv.Created) {
		return renovote.StaffInvite{}, fmt.Errorf("create staff invite: %w", renovote.ErrInvalid)
	}
	m, err := normStaff(renovote.StaffMember{UserID: 1, Role: inv.Role, Compounds: inv.Compounds, AddedBy: inv.By})
	if err != nil {
		return renovote.StaffInvite{}, fmt.Errorf("create staff invite: %w", err)
	}
	inv.Code = code(fmt.Sprintf("staffcode%d_", len(f.staffInv)+1))
	inv.Compounds = m.Compounds
	inv.UsedBy = 0
	f.staffInv[inv.Code] = inv
	f.staffLog = append(f.staffLog, fmt.Sprintf("invite %s %v by %s", inv.Role, inv.Compounds, inv.By))
	return inv, nil
}

// roleRank orders the roles as the store does: an invitation never lowers one.
func roleRank(r renovote.Role) int {
	return map[renovote.Role]int{renovote.RoleWorker: 1, renovote.RoleBureau: 2, renovote.RoleAdmin: 3}[r]
}

func (f *fakeStore) RedeemStaffInvite(ctx context.Context, code string, userID int64, at time.Time) (renovote.StaffMember, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	code = strings.TrimPrefix(code, renovote.StaffInvitePrefix)
	inv, ok := f.staffInv[code]
	cur, isStaff := f.staff[userID]
	switch {
	case !ok:
		return renovote.StaffMember{}, fmt.Errorf("redeem staff invite: %w", renovote.ErrNotFound)
	case inv.UsedBy == userID && isStaff:
		return cloneMember(cur), nil
	case inv.UsedBy != 0, !at.Before(inv.Expires):
		return renovote.StaffMember{}, fmt.Errorf("redeem staff invite: %w", renovote.ErrRevoked)
	}
	inv.UsedBy = userID
	f.staffInv[code] = inv
	next := renovote.StaffMember{UserID: userID, Role: inv.Role, Compounds: slices.Clone(inv.Compounds), AddedBy: inv.By, Added: at}
	if isStaff {
		if roleRank(cur.Role) > roleRank(inv.Role) || cur.Role == inv.Role && inv.Role != renovote.RoleWorker {
			return cloneMember(cur), nil
		}
		if cur.Role == inv.Role {
			next.Compounds = append(slices.Clone(cur.Compounds), inv.Compounds...)
		}
	}
	if err := f.setStaff(next); err != nil {
		return renovote.StaffMember{}, err
	}
	return cloneMember(f.staff[userID]), nil
}

func (f *fakeStore) StaffOf(ctx context.Context, compoundID string) ([]renovote.StaffMember, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []renovote.StaffMember
	for _, m := range f.staff {
		if m.Covers(compoundID) {
			out = append(out, cloneMember(m))
		}
	}
	slices.SortFunc(out, func(a, b renovote.StaffMember) int { return cmp.Compare(a.UserID, b.UserID) })
	return out, nil
}

func cloneNotice(n renovote.Notice) renovote.Notice {
	n.Compounds, n.Buildings = slices.Clone(n.Compounds), slices.Clone(n.Buildings)
	return n
}

func (f *fakeStore) CreateNotice(ctx context.Context, n renovote.Notice, opID string) (renovote.Notice, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id, ok := f.noticeOps[opID]; ok {
		return f.findNotice(id)
	}
	if err := n.Validate(); err != nil {
		return renovote.Notice{}, fmt.Errorf("create notice: %w", err)
	}
	for _, c := range n.Compounds {
		if _, ok := f.prog.Compound(c); !ok {
			return renovote.Notice{}, fmt.Errorf("create notice: compound %q: %w", c, renovote.ErrNotFound)
		}
	}
	n = cloneNotice(n)
	n.ID = fmt.Sprintf("N%d", len(f.notices)+1)
	n.Status = renovote.NoticeSending
	if n.SendAt.After(n.Created) {
		n.Status = renovote.NoticeScheduled
	}
	n.Counts, n.ProgressID = renovote.NoticeCounts{}, 0
	f.notices = append(f.notices, n)
	f.noticeOps[opID] = n.ID
	return cloneNotice(n), nil
}

// findNotice is Notice with the lock held.
func (f *fakeStore) findNotice(id string) (renovote.Notice, error) {
	for _, n := range f.notices {
		if n.ID == id {
			return cloneNotice(n), nil
		}
	}
	return renovote.Notice{}, fmt.Errorf("notice %s: %w", id, renovote.ErrNotFound)
}

func (f *fakeStore) putNotice(n renovote.Notice) {
	for i := range f.notices {
		if f.notices[i].ID == n.ID {
			f.notices[i] = cloneNotice(n)
		}
	}
}

func (f *fakeStore) Notice(ctx context.Context, id string) (renovote.Notice, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.findNotice(id)
}

func (f *fakeStore) SetNoticeProgress(ctx context.Context, id string, chatID int64, messageID int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.findNotice(id)
	if err != nil {
		return err
	}
	n.ByChat, n.ProgressID = chatID, messageID
	f.putNotice(n)
	return nil
}

func (f *fakeStore) NoticeRecipients(ctx context.Context, compounds, buildings []string, onlyNonVoters bool) ([]int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []int64
	for ref, h := range f.households {
		if h.Removed || !slices.Contains(compounds, ref.CompoundID) || len(buildings) > 0 && !slices.Contains(buildings, h.Building) {
			continue
		}
		if onlyNonVoters && f.votes[ref].Choice != renovote.ChoiceNone {
			continue
		}
		for _, id := range f.members[ref] {
			if !f.unreachable[id] {
				out = append(out, id)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func (f *fakeStore) EnqueueNotice(ctx context.Context, id string, recipients []int64) (renovote.Notice, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.findNotice(id)
	if err != nil {
		return n, err
	}
	if n.Status == renovote.NoticeCancelled {
		return renovote.Notice{}, fmt.Errorf("enqueue notice %s: cancelled: %w", id, renovote.ErrConflict)
	}
	queued := map[int64]bool{}
	for _, o := range f.outbox {
		if o.msg.NoticeID == id {
			queued[o.msg.ChatID] = true
		}
	}
	for _, chat := range recipients {
		if queued[chat] {
			continue
		}
		queued[chat] = true
		f.outbox = append(f.outbox, fakeOut{msg: renovote.OutMsg{ID: fmt.Sprintf("out%d", len(f.outbox)+1), NoticeID: id,
			ChatID: chat, Text: n.Text, Photo: n.Photo, Document: n.Document}})
		n.Counts.Recipients++
	}
	if n.Status == renovote.NoticeScheduled {
		n.Status = renovote.NoticeSending
	}
	if n.Status == renovote.NoticeSending && n.Counts.Finished() {
		n.Status = renovote.NoticeDone
	}
	f.putNotice(n)
	return n, nil
}

func (f *fakeStore) CancelNotice(ctx context.Context, id, by string, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.findNotice(id)
	if err != nil {
		return err
	}
	if n.Status != renovote.NoticeScheduled {
		return fmt.Errorf("cancel notice %s (%s): %w", id, n.Status, renovote.ErrConflict)
	}
	n.Status = renovote.NoticeCancelled
	f.putNotice(n)
	return nil
}

// newestFirst sorts notices by creation, newest first (then by id).
func newestFirst(ns []renovote.Notice) {
	slices.SortStableFunc(ns, func(a, b renovote.Notice) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return strings.Compare(fmt.Sprintf("%08s", b.ID), fmt.Sprintf("%08s", a.ID))
	})
}

func (f *fakeStore) Notices(ctx context.Context, compoundID string, n int) ([]renovote.Notice, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []renovote.Notice
	for _, x := range f.notices {
		if slices.Contains(x.Compounds, compoundID) {
			out = append(out, cloneNotice(x))
		}
	}
	newestFirst(out)
	return out[:min(n, len(out))], nil
}

func (f *fakeStore) AllNotices(ctx context.Context, n int) ([]renovote.Notice, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []renovote.Notice
	for _, x := range f.notices {
		out = append(out, cloneNotice(x))
	}
	newestFirst(out)
	return out[:min(n, len(out))], nil
}

func (f *fakeStore) DeadLetters(ctx context.Context, n int) ([]renovote.DeadLetter, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := slices.Clone(f.dead)
	slices.Reverse(out)
	return out[:min(n, len(out))], nil
}

func (f *fakeStore) IsUnreachable(ctx context.Context, chatID int64) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.unreachable[chatID], nil
}

func (f *fakeStore) NonVoters(ctx context.Context, compoundID string) ([]renovote.Household, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []renovote.Household
	for ref, h := range f.households {
		if ref.CompoundID == compoundID && !h.Removed && f.votes[ref].Choice == renovote.ChoiceNone {
			out = append(out, h)
		}
	}
	store.SortHouseholds(out)
	return out, nil
}

// StaffInvite is the optional StaffInviteReader.
func (f *fakeStore) StaffInvite(ctx context.Context, code string) (renovote.StaffInvite, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	inv, ok := f.staffInv[code]
	if !ok {
		return renovote.StaffInvite{}, fmt.Errorf("staff invite: %w", renovote.ErrNotFound)
	}
	inv.Compounds = slices.Clone(inv.Compounds)
	return inv, nil
}

// settle delivers every pending outbox message: to the chats in outcomes with
// that outcome, to the others delivered. A notice whose every recipient has an
// outcome is done.
func (f *fakeStore) settle(t testing.TB, outcomes map[int64]renovote.Delivery, at time.Time) []renovote.OutMsg {
	f.mu.Lock()
	defer f.mu.Unlock()
	var settled []renovote.OutMsg
	for i := range f.outbox {
		o := &f.outbox[i]
		if o.got != "" {
			continue
		}
		d, ok := outcomes[o.msg.ChatID]
		if !ok {
			d = renovote.Delivered
		}
		o.got = d
		settled = append(settled, o.msg)
		n, err := f.findNotice(o.msg.NoticeID)
		if err != nil {
			t.Fatal(err)
		}
		switch d {
		case renovote.Delivered:
			n.Counts.Delivered++
			delete(f.unreachable, o.msg.ChatID)
		case renovote.Unreachable:
			n.Counts.Unreachable++
			f.unreachable[o.msg.ChatID] = true
		case renovote.Failed:
			n.Counts.Failed++
			f.dead = append(f.dead, renovote.DeadLetter{Msg: o.msg, Error: "gave up", At: at})
		}
		if n.Counts.Finished() {
			n.Status = renovote.NoticeDone
		}
		f.putNotice(n)
	}
	return settled
}

// outboxOf lists the messages queued for a notice.
func (f *fakeStore) outboxOf(t testing.TB, noticeID string) []renovote.OutMsg {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []renovote.OutMsg
	for _, o := range f.outbox {
		if o.msg.NoticeID == noticeID {
			out = append(out, o.msg)
		}
	}
	return out
}
