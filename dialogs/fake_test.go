package dialogs

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/renovote/renovote"
)

// fakeStore is an in-memory Store with the semantics the dialogs rely on:
// member cap, already bound, ballot window checked at cmd.At over [opens,
// closes), votes idempotent by OpID; survey window checked at a.At, the
// latest answer of a household counts, counters moved with each answer so
// that they always equal renovote.CountSurvey, submissions idempotent by opID;
// reports numbered R1, R2, ... per compound, moved only as renovote.CanMove
// allows (else ErrConflict), filing and moves idempotent by opID; staff
// members with roles and scopes (a worker added by AddWorker covers every
// compound), one-time staff invitations that expire, notices idempotent by
// opID queued once per recipient to an outbox whose outcomes the tests settle.
type fakeStore struct {
	mu         sync.Mutex
	prog       renovote.Programme
	households map[renovote.HouseholdRef]renovote.Household
	invites    map[string]renovote.Invite
	bindings   map[int64]renovote.HouseholdRef
	members    map[renovote.HouseholdRef][]int64
	failures   map[int64][]time.Time
	votes      map[renovote.HouseholdRef]renovote.HouseholdVote
	ops        map[string]renovote.Receipt
	changes    []renovote.VoteChange
	sessions   map[string][]byte
	staff      map[int64]renovote.StaffMember
	staffInv   map[string]renovote.StaffInvite
	staffLog   []string // what SetStaff, RevokeStaff and the invitations did, for the tests

	answers     map[renovote.HouseholdRef]renovote.SurveyAnswer
	counts      map[string]renovote.SurveyCounts // Households not kept: it comes from the register
	surveyOps   map[string]bool
	reports     map[string][]renovote.Report // per compound, in filing order
	reportOps   map[string][2]string         // opID → compound, report id
	supervisors map[string]map[int64]bool

	notices     []renovote.Notice // in creation order
	noticeOps   map[string]string // opID → notice id
	outbox      []fakeOut
	unreachable map[int64]bool
	dead        []renovote.DeadLetter

	objections *fakeObjections // made on first use (fake_objection_test.go)
}

// fakeOut is one outbox message and its outcome ("" while pending).
type fakeOut struct {
	msg renovote.OutMsg
	got renovote.Delivery
}

func newFakeStore(p renovote.Programme, hhs []renovote.Household) *fakeStore {
	f := &fakeStore{
		prog:       p,
		households: map[renovote.HouseholdRef]renovote.Household{},
		invites:    map[string]renovote.Invite{},
		bindings:   map[int64]renovote.HouseholdRef{},
		members:    map[renovote.HouseholdRef][]int64{},
		failures:   map[int64][]time.Time{},
		votes:      map[renovote.HouseholdRef]renovote.HouseholdVote{},
		ops:        map[string]renovote.Receipt{},
		sessions:   map[string][]byte{},
		staff:      map[int64]renovote.StaffMember{},
		staffInv:   map[string]renovote.StaffInvite{},

		answers:     map[renovote.HouseholdRef]renovote.SurveyAnswer{},
		counts:      map[string]renovote.SurveyCounts{},
		surveyOps:   map[string]bool{},
		reports:     map[string][]renovote.Report{},
		reportOps:   map[string][2]string{},
		supervisors: map[string]map[int64]bool{},

		noticeOps:   map[string]string{},
		unreachable: map[int64]bool{},
	}
	for _, h := range hhs {
		f.households[h.Ref()] = h
	}
	return f
}

// issue gives the household an invitation code (made from its ref, so
// transcripts are stable), revoking its previous one.
func (f *fakeStore) issue(t testing.TB, r renovote.HouseholdRef) string {
	f.revoke(t, r)
	f.mu.Lock()
	defer f.mu.Unlock()
	c := code(r.CompoundID + "_" + r.HouseholdID)
	f.invites[c] = renovote.Invite{Code: c, Ref: r}
	return c
}

func (f *fakeStore) revoke(t testing.TB, r renovote.HouseholdRef) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c, inv := range f.invites {
		if inv.Ref == r {
			inv.Revoked = true
			f.invites[c] = inv
		}
	}
}

func (f *fakeStore) audit(t testing.TB, compoundID string) []renovote.VoteChange {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []renovote.VoteChange
	for _, a := range f.changes {
		if a.Ref.CompoundID == compoundID {
			out = append(out, a)
		}
	}
	return out
}

func (f *fakeStore) addWorker(t testing.TB, id int64) {
	t.Helper()
	if err := f.AddWorker(context.Background(), id, "cli:test", ballotOpens); err != nil {
		t.Fatal(err)
	}
}

func (f *fakeStore) Programme(ctx context.Context) (renovote.Programme, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.prog, nil
}

func (f *fakeStore) Household(ctx context.Context, ref renovote.HouseholdRef) (renovote.Household, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h, ok := f.households[ref]
	if !ok {
		return h, fmt.Errorf("household: %w", renovote.ErrNotFound)
	}
	return h, nil
}

func (f *fakeStore) Households(ctx context.Context, compoundID string) ([]renovote.Household, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []renovote.Household
	for _, h := range f.households {
		if h.CompoundID == compoundID {
			out = append(out, h)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (f *fakeStore) ResolveInvite(ctx context.Context, code string) (renovote.HouseholdRef, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	inv, ok := f.invites[code]
	switch {
	case !ok:
		return renovote.HouseholdRef{}, fmt.Errorf("resolve invite: %w", renovote.ErrNotFound)
	case inv.Revoked:
		return renovote.HouseholdRef{}, fmt.Errorf("resolve invite: %w", renovote.ErrRevoked)
	}
	return inv.Ref, nil
}

func (f *fakeStore) Bind(ctx context.Context, userID int64, ref renovote.HouseholdRef, maxMembers int, now time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if cur, ok := f.bindings[userID]; ok {
		if cur == ref {
			return nil
		}
		return fmt.Errorf("bind: %w", renovote.ErrAlreadyBound)
	}
	h, ok := f.households[ref]
	switch {
	case !ok:
		return fmt.Errorf("bind: %w", renovote.ErrNotFound)
	case h.Removed:
		return fmt.Errorf("bind: %w", renovote.ErrRemoved)
	case len(f.members[ref]) >= maxMembers:
		return fmt.Errorf("bind: %w", renovote.ErrHouseholdFull)
	}
	f.bindings[userID] = ref
	f.members[ref] = append(f.members[ref], userID)
	return nil
}

func (f *fakeStore) Binding(ctx context.Context, userID int64) (renovote.HouseholdRef, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ref, ok := f.bindings[userID]
	return ref, ok, nil
}

func (f *fakeStore) Members(ctx context.Context, ref renovote.HouseholdRef) ([]int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.members[ref]), nil
}

func (f *fakeStore) AddInviteFailure(ctx context.Context, userID int64, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures[userID] = append(f.failures[userID], at)
	return nil
}

func (f *fakeStore) InviteFailures(ctx context.Context, userID int64, since time.Time) (int, time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, oldest := 0, time.Time{}
	for _, at := range f.failures[userID] {
		if at.Before(since) {
			continue
		}
		n++
		if oldest.IsZero() || at.Before(oldest) {
			oldest = at
		}
	}
	return n, oldest, nil
}

func (f *fakeStore) CastVote(ctx context.Context, cmd renovote.VoteCmd) (renovote.Receipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := cmd.Validate(); err != nil {
		return renovote.Receipt{}, fmt.Errorf("cast vote: %w", err)
	}
	if rc, ok := f.ops[cmd.OpID]; ok {
		rc.Replayed = true
		return rc, nil
	}
	c, ok := f.prog.Compound(cmd.Ref.CompoundID)
	if !ok {
		return renovote.Receipt{}, fmt.Errorf("cast vote: compound: %w", renovote.ErrNotFound)
	}
	switch c.Ballot.State(cmd.At) {
	case renovote.NotOpen:
		return renovote.Receipt{}, fmt.Errorf("cast vote: %w", renovote.ErrBallotNotOpen)
	case renovote.Closed:
		return renovote.Receipt{}, fmt.Errorf("cast vote: %w", renovote.ErrBallotClosed)
	}
	h, ok := f.households[cmd.Ref]
	switch {
	case !ok:
		return renovote.Receipt{}, fmt.Errorf("cast vote: %w", renovote.ErrNotFound)
	case h.Removed:
		return renovote.Receipt{}, fmt.Errorf("cast vote: %w", renovote.ErrRemoved)
	}
	prev := f.votes[cmd.Ref].Choice
	f.votes[cmd.Ref] = renovote.HouseholdVote{Choice: cmd.Choice, Channel: cmd.Channel, Actor: cmd.Actor, At: cmd.At, ReceiptID: cmd.ReceiptID, Evidence: cmd.Evidence}
	rc := renovote.Receipt{ID: cmd.ReceiptID, Ref: cmd.Ref, Choice: cmd.Choice, Previous: prev, Channel: cmd.Channel, At: cmd.At}
	f.ops[cmd.OpID] = rc
	f.changes = append(f.changes, renovote.VoteChange{Ref: cmd.Ref, Old: prev, New: cmd.Choice, Channel: cmd.Channel, Actor: cmd.Actor, At: cmd.At, ReceiptID: cmd.ReceiptID, UpdateID: cmd.UpdateID, Evidence: cmd.Evidence})
	return rc, nil
}

func (f *fakeStore) CurrentVote(ctx context.Context, ref renovote.HouseholdRef) (renovote.HouseholdVote, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.votes[ref]
	return v, ok, nil
}

func (f *fakeStore) Tally(ctx context.Context, compoundID string) (renovote.Tally, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var hhs []renovote.Household
	votes := map[string]renovote.Choice{}
	bound := map[string]bool{}
	for ref, h := range f.households {
		if ref.CompoundID != compoundID {
			continue
		}
		hhs = append(hhs, h)
		votes[h.ID] = f.votes[ref].Choice
		bound[h.ID] = len(f.members[ref]) > 0
	}
	return renovote.Recount(compoundID, hhs, votes, bound), nil
}

func (f *fakeStore) GetSession(ctx context.Context, key string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sessions[key]), nil
}

func (f *fakeStore) PutSession(ctx context.Context, key string, data []byte, ttl time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sessions[key] = slices.Clone(data)
	return nil
}

func (f *fakeStore) IsWorker(ctx context.Context, userID int64) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.staff[userID].Role == renovote.RoleWorker, nil
}

// AddWorker makes the user a worker of every compound.
func (f *fakeStore) AddWorker(ctx context.Context, userID int64, by string, now time.Time) error {
	return f.SetStaff(ctx, renovote.StaffMember{UserID: userID, Role: renovote.RoleWorker,
		Compounds: []string{renovote.AllCompounds}, AddedBy: by, Added: now})
}

func (f *fakeStore) Workers(ctx context.Context) ([]int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []int64
	for id, m := range f.staff {
		if m.Role == renovote.RoleWorker {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (f *fakeStore) SubmitSurvey(ctx context.Context, a renovote.SurveyAnswer, opID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.surveyOps[opID] {
		return nil
	}
	if err := a.Validate(f.prog); err != nil {
		return fmt.Errorf("submit survey: %w", err)
	}
	c, ok := f.prog.Compound(a.Ref.CompoundID)
	if !ok {
		return fmt.Errorf("submit survey: compound: %w", renovote.ErrNotFound)
	}
	switch {
	case c.Survey.Opens.IsZero() || c.Survey.State(a.At) == renovote.NotOpen:
		return fmt.Errorf("submit survey: %w", renovote.ErrSurveyNotOpen)
	case c.Survey.State(a.At) == renovote.Closed:
		return fmt.Errorf("submit survey: %w", renovote.ErrSurveyClosed)
	}
	h, ok := f.households[a.Ref]
	switch {
	case !ok:
		return fmt.Errorf("submit survey: %w", renovote.ErrNotFound)
	case h.Removed:
		return fmt.Errorf("submit survey: %w", renovote.ErrRemoved)
	}
	cur := f.counts[c.ID]
	if old, had := f.answers[a.Ref]; had {
		cur = addCounts(cur, renovote.CountSurvey(c.ID, 0, []renovote.SurveyAnswer{old}), -1)
	}
	f.counts[c.ID] = addCounts(cur, renovote.CountSurvey(c.ID, 0, []renovote.SurveyAnswer{a}), 1)
	f.answers[a.Ref] = cloneAnswer(a)
	f.surveyOps[opID] = true
	return nil
}

// addCounts adds sign times o to c, dropping the keys that fall to zero.
func addCounts(c, o renovote.SurveyCounts, sign int64) renovote.SurveyCounts {
	out := renovote.SurveyCounts{CompoundID: o.CompoundID, Respondents: c.Respondents + sign*o.Respondents,
		Contribute: c.Contribute + sign*o.Contribute, Comments: c.Comments + sign*o.Comments, Photos: c.Photos + sign*o.Photos,
		Urgent: map[string][renovote.MaxUrgent]int64{}, Upgrades: map[string]int64{}, Bands: map[string]int64{}}
	for k, v := range c.Urgent {
		out.Urgent[k] = v
	}
	for k, v := range o.Urgent {
		r := out.Urgent[k]
		for i := range r {
			r[i] += sign * v[i]
		}
		out.Urgent[k] = r
		if r == ([renovote.MaxUrgent]int64{}) {
			delete(out.Urgent, k)
		}
	}
	for _, m := range []struct{ dst, a, b map[string]int64 }{{out.Upgrades, c.Upgrades, o.Upgrades}, {out.Bands, c.Bands, o.Bands}} {
		for k, v := range m.a {
			m.dst[k] = v
		}
		for k, v := range m.b {
			m.dst[k] += sign * v
			if m.dst[k] == 0 {
				delete(m.dst, k)
			}
		}
	}
	return out
}

func cloneAnswer(a renovote.SurveyAnswer) renovote.SurveyAnswer {
	if a.Urgent != nil {
		u := map[string][]string{}
		for k, v := range a.Urgent {
			u[k] = slices.Clone(v)
		}
		a.Urgent = u
	}
	a.Upgrades, a.Photos = slices.Clone(a.Upgrades), slices.Clone(a.Photos)
	return a
}

func (f *fakeStore) SurveyAnswer(ctx context.Context, ref renovote.HouseholdRef) (renovote.SurveyAnswer, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.answers[ref]
	return cloneAnswer(a), ok, nil
}

func (f *fakeStore) SurveyCounts(ctx context.Context, compoundID string) (renovote.SurveyCounts, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.prog.Compound(compoundID); !ok {
		return renovote.SurveyCounts{}, fmt.Errorf("survey counts: %w", renovote.ErrNotFound)
	}
	c := addCounts(renovote.SurveyCounts{}, f.counts[compoundID], 1)
	c.CompoundID = compoundID
	for ref, h := range f.households {
		if ref.CompoundID == compoundID && !h.Removed {
			c.Households++
		}
	}
	return c, nil
}

func cloneReport(r renovote.Report) renovote.Report {
	r.Photos, r.History = slices.Clone(r.Photos), slices.Clone(r.History)
	return r
}

func (f *fakeStore) FileReport(ctx context.Context, r renovote.Report, opID string) (renovote.Report, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if k, ok := f.reportOps[opID]; ok {
		return f.findReport(k[0], k[1])
	}
	if err := r.Validate(); err != nil {
		return renovote.Report{}, fmt.Errorf("file report: %w", err)
	}
	if _, ok := f.prog.Compound(r.CompoundID); !ok {
		return renovote.Report{}, fmt.Errorf("file report: compound: %w", renovote.ErrNotFound)
	}
	r = cloneReport(r)
	r.ID = fmt.Sprintf("R%d", len(f.reports[r.CompoundID])+1)
	r.Status = renovote.ReportOpen
	if len(r.History) == 0 {
		r.History = []renovote.ReportEvent{{Status: renovote.ReportOpen, Actor: fmt.Sprintf("tg:%d", r.ReporterID), At: r.Created}}
	}
	f.reports[r.CompoundID] = append(f.reports[r.CompoundID], r)
	f.reportOps[opID] = [2]string{r.CompoundID, r.ID}
	return cloneReport(r), nil
}

// findReport is Report with the lock held.
func (f *fakeStore) findReport(compoundID, id string) (renovote.Report, error) {
	for _, r := range f.reports[compoundID] {
		if r.ID == id {
			return cloneReport(r), nil
		}
	}
	return renovote.Report{}, fmt.Errorf("report %s/%s: %w", compoundID, id, renovote.ErrNotFound)
}

func (f *fakeStore) Report(ctx context.Context, compoundID, id string) (renovote.Report, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.findReport(compoundID, id)
}

func (f *fakeStore) MoveReport(ctx context.Context, compoundID, id string, to renovote.ReportStatus, actor string, at time.Time, opID string) (renovote.Report, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if k, ok := f.reportOps[opID]; ok {
		return f.findReport(k[0], k[1])
	}
	rs := f.reports[compoundID]
	for i, r := range rs {
		if r.ID != id {
			continue
		}
		if !renovote.CanMove(r.Status, to) {
			return renovote.Report{}, fmt.Errorf("move report %s from %s to %s: %w", id, r.Status, to, renovote.ErrConflict)
		}
		r.Status = to
		r.History = append(slices.Clone(r.History), renovote.ReportEvent{Status: to, Actor: actor, At: at})
		rs[i] = r
		f.reportOps[opID] = [2]string{compoundID, id}
		return cloneReport(r), nil
	}
	return renovote.Report{}, fmt.Errorf("move report %s/%s: %w", compoundID, id, renovote.ErrNotFound)
}

func (f *fakeStore) OpenReports(ctx context.Context, compoundID string) ([]renovote.Report, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []renovote.Report
	for _, r := range f.reports[compoundID] {
		if r.Status != renovote.ReportResolved {
			out = append(out, cloneReport(r))
		}
	}
	slices.SortStableFunc(out, func(a, b renovote.Report) int { return a.Created.Compare(b.Created) })
	return out, nil
}

func (f *fakeStore) SetSupervisor(ctx context.Context, userID int64, compoundID string, on bool, by string, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.prog.Compound(compoundID); !ok {
		return fmt.Errorf("set supervisor: compound: %w", renovote.ErrNotFound)
	}
	if f.supervisors[compoundID] == nil {
		f.supervisors[compoundID] = map[int64]bool{}
	}
	if on {
		f.supervisors[compoundID][userID] = true
	} else {
		delete(f.supervisors[compoundID], userID)
	}
	return nil
}

func (f *fakeStore) IsSupervisor(ctx context.Context, userID int64, compoundID string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.supervisors[compoundID][userID], nil
}

var _ backend = (*fakeStore)(nil)
