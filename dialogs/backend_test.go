package dialogs

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

// backend is a Store the transcript tests can seed and inspect. Every
// transcript runs on the in-memory fake and on the real store (storetest:
// REDIS_URL or miniredis), and both must give the same transcript.
type backend interface {
	Store
	issue(t testing.TB, r renovote.HouseholdRef) string // a fresh invitation code
	revoke(t testing.TB, r renovote.HouseholdRef)
	audit(t testing.TB, compoundID string) []renovote.VoteChange
	addWorker(t testing.TB, id int64)
	// settle delivers every message waiting in the outbox, as the bot would:
	// to the chats in outcomes with that outcome, to the others delivered.
	settle(t testing.TB, outcomes map[int64]renovote.Delivery, at time.Time) []renovote.OutMsg
}

type backendKind struct {
	name string
	new  func(t testing.TB) backend
}

var backends = []backendKind{
	{"fake", func(t testing.TB) backend { return newFakeStore(testProgramme(), testRegister()) }},
	{"store", newStoreBackend},
}

// goldenBackend writes the golden files under -update; the others compare.
const goldenBackend = "fake"

// transcript runs a scenario on every backend and compares its transcript
// with testdata/<name>.golden.
func transcript(t *testing.T, name string, run func(w *world)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			w := newWorld(t, b.new(t))
			run(w)
			w.golden(name, b.name == goldenBackend)
		})
	}
}

// storeBackend is the real store, seeded with the test programme and register.
type storeBackend struct{ *store.Store }

func newStoreBackend(t testing.TB) backend {
	t.Helper()
	ctx := context.Background()
	s := storetest.New(t)
	if err := s.ApplyProgramme(ctx, testProgramme()); err != nil {
		t.Fatal(err)
	}
	byCompound := map[string][]renovote.Household{}
	for _, h := range testRegister() {
		byCompound[h.CompoundID] = append(byCompound[h.CompoundID], h)
	}
	for c, hhs := range byCompound {
		if _, err := s.ImportRegister(ctx, c, hhs, store.ImportOptions{Actor: "cli:test", Now: ballotOpens.Add(-24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	return storeBackend{s}
}

func (s storeBackend) issue(t testing.TB, r renovote.HouseholdRef) string {
	t.Helper()
	inv, err := s.IssueInvite(context.Background(), r, ballotOpens.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return inv.Code
}

func (s storeBackend) revoke(t testing.TB, r renovote.HouseholdRef) {
	t.Helper()
	if err := s.RevokeInvite(context.Background(), r); err != nil {
		t.Fatal(err)
	}
}

func (s storeBackend) audit(t testing.TB, compoundID string) []renovote.VoteChange {
	t.Helper()
	es, err := s.Audit(context.Background(), compoundID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []renovote.VoteChange
	for _, e := range es {
		out = append(out, e.VoteChange)
	}
	return out
}

func (s storeBackend) addWorker(t testing.TB, id int64) {
	t.Helper()
	if err := s.AddWorker(context.Background(), id, "cli:test", ballotOpens); err != nil {
		t.Fatal(err)
	}
}

func (s storeBackend) settle(t testing.TB, outcomes map[int64]renovote.Delivery, at time.Time) []renovote.OutMsg {
	t.Helper()
	ctx := context.Background()
	var out []renovote.OutMsg
	for {
		ms, err := s.ClaimOutbox(ctx, "test", 100, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) == 0 {
			return out
		}
		for _, m := range ms {
			d, ok := outcomes[m.ChatID]
			if !ok {
				d = renovote.Delivered
			}
			if _, err := s.SettleOutbox(ctx, m, d, "test", at); err != nil {
				t.Fatal(err)
			}
			out = append(out, m)
		}
	}
}

// flaky wraps a Store so that a test can make any of its methods fail.
type flaky struct {
	Store
	mu   sync.Mutex
	fail map[string]error
}

func (f *flaky) set(method string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail == nil {
		f.fail = map[string]error{}
	}
	if err == nil {
		delete(f.fail, method)
	} else {
		f.fail[method] = err
	}
}

func (f *flaky) err(method string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail[method]; err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	return nil
}

func (f *flaky) Programme(ctx context.Context) (renovote.Programme, error) {
	if err := f.err("Programme"); err != nil {
		return renovote.Programme{}, err
	}
	return f.Store.Programme(ctx)
}

func (f *flaky) Household(ctx context.Context, r renovote.HouseholdRef) (renovote.Household, error) {
	if err := f.err("Household"); err != nil {
		return renovote.Household{}, err
	}
	return f.Store.Household(ctx, r)
}

func (f *flaky) ResolveInvite(ctx context.Context, code string) (renovote.HouseholdRef, error) {
	if err := f.err("ResolveInvite"); err != nil {
		return renovote.HouseholdRef{}, err
	}
	return f.Store.ResolveInvite(ctx, code)
}

func (f *flaky) Bind(ctx context.Context, userID int64, r renovote.HouseholdRef, maxMembers int, now time.Time) error {
	if err := f.err("Bind"); err != nil {
		return err
	}
	return f.Store.Bind(ctx, userID, r, maxMembers, now)
}

func (f *flaky) Binding(ctx context.Context, userID int64) (renovote.HouseholdRef, bool, error) {
	if err := f.err("Binding"); err != nil {
		return renovote.HouseholdRef{}, false, err
	}
	return f.Store.Binding(ctx, userID)
}

func (f *flaky) Members(ctx context.Context, r renovote.HouseholdRef) ([]int64, error) {
	if err := f.err("Members"); err != nil {
		return nil, err
	}
	return f.Store.Members(ctx, r)
}

func (f *flaky) AddInviteFailure(ctx context.Context, userID int64, at time.Time) error {
	if err := f.err("AddInviteFailure"); err != nil {
		return err
	}
	return f.Store.AddInviteFailure(ctx, userID, at)
}

func (f *flaky) InviteFailures(ctx context.Context, userID int64, since time.Time) (int, time.Time, error) {
	if err := f.err("InviteFailures"); err != nil {
		return 0, time.Time{}, err
	}
	return f.Store.InviteFailures(ctx, userID, since)
}

func (f *flaky) CastVote(ctx context.Context, cmd renovote.VoteCmd) (renovote.Receipt, error) {
	if err := f.err("CastVote"); err != nil {
		return renovote.Receipt{}, err
	}
	return f.Store.CastVote(ctx, cmd)
}

func (f *flaky) Tally(ctx context.Context, compoundID string) (renovote.Tally, error) {
	if err := f.err("Tally"); err != nil {
		return renovote.Tally{}, err
	}
	return f.Store.Tally(ctx, compoundID)
}

func (f *flaky) GetSession(ctx context.Context, key string) ([]byte, error) {
	if err := f.err("GetSession"); err != nil {
		return nil, err
	}
	return f.Store.GetSession(ctx, key)
}

func (f *flaky) PutSession(ctx context.Context, key string, data []byte, ttl time.Duration) error {
	if err := f.err("PutSession"); err != nil {
		return err
	}
	return f.Store.PutSession(ctx, key, data, ttl)
}

func (f *flaky) Workers(ctx context.Context) ([]int64, error) {
	if err := f.err("Workers"); err != nil {
		return nil, err
	}
	return f.Store.Workers(ctx)
}

func (f *flaky) SubmitSurvey(ctx context.Context, a renovote.SurveyAnswer, opID string) error {
	if err := f.err("SubmitSurvey"); err != nil {
		return err
	}
	return f.Store.SubmitSurvey(ctx, a, opID)
}

func (f *flaky) SurveyAnswer(ctx context.Context, r renovote.HouseholdRef) (renovote.SurveyAnswer, bool, error) {
	if err := f.err("SurveyAnswer"); err != nil {
		return renovote.SurveyAnswer{}, false, err
	}
	return f.Store.SurveyAnswer(ctx, r)
}

func (f *flaky) SurveyCounts(ctx context.Context, compoundID string) (renovote.SurveyCounts, error) {
	if err := f.err("SurveyCounts"); err != nil {
		return renovote.SurveyCounts{}, err
	}
	return f.Store.SurveyCounts(ctx, compoundID)
}

func (f *flaky) FileReport(ctx context.Context, r renovote.Report, opID string) (renovote.Report, error) {
	if err := f.err("FileReport"); err != nil {
		return renovote.Report{}, err
	}
	return f.Store.FileReport(ctx, r, opID)
}

func (f *flaky) MoveReport(ctx context.Context, compoundID, id string, to renovote.ReportStatus, actor string, at time.Time, opID string) (renovote.Report, error) {
	if err := f.err("MoveReport"); err != nil {
		return renovote.Report{}, err
	}
	return f.Store.MoveReport(ctx, compoundID, id, to, actor, at, opID)
}

func (f *flaky) IsWorker(ctx context.Context, userID int64) (bool, error) {
	if err := f.err("IsWorker"); err != nil {
		return false, err
	}
	return f.Store.IsWorker(ctx, userID)
}

func (f *flaky) StaffMember(ctx context.Context, userID int64) (renovote.StaffMember, bool, error) {
	if err := f.err("StaffMember"); err != nil {
		return renovote.StaffMember{}, false, err
	}
	return f.Store.StaffMember(ctx, userID)
}

func (f *flaky) StaffOf(ctx context.Context, compoundID string) ([]renovote.StaffMember, error) {
	if err := f.err("StaffOf"); err != nil {
		return nil, err
	}
	return f.Store.StaffOf(ctx, compoundID)
}

func (f *flaky) CreateStaffInvite(ctx context.Context, inv renovote.StaffInvite) (renovote.StaffInvite, error) {
	if err := f.err("CreateStaffInvite"); err != nil {
		return renovote.StaffInvite{}, err
	}
	return f.Store.CreateStaffInvite(ctx, inv)
}

func (f *flaky) RedeemStaffInvite(ctx context.Context, code string, userID int64, at time.Time) (renovote.StaffMember, error) {
	if err := f.err("RedeemStaffInvite"); err != nil {
		return renovote.StaffMember{}, err
	}
	return f.Store.RedeemStaffInvite(ctx, code, userID, at)
}

func (f *flaky) CreateNotice(ctx context.Context, n renovote.Notice, opID string) (renovote.Notice, error) {
	if err := f.err("CreateNotice"); err != nil {
		return renovote.Notice{}, err
	}
	return f.Store.CreateNotice(ctx, n, opID)
}

func (f *flaky) EnqueueNotice(ctx context.Context, id string, recipients []int64) (renovote.Notice, error) {
	if err := f.err("EnqueueNotice"); err != nil {
		return renovote.Notice{}, err
	}
	return f.Store.EnqueueNotice(ctx, id, recipients)
}

func (f *flaky) NoticeRecipients(ctx context.Context, compounds, buildings []string, onlyNonVoters bool) ([]int64, error) {
	if err := f.err("NoticeRecipients"); err != nil {
		return nil, err
	}
	return f.Store.NoticeRecipients(ctx, compounds, buildings, onlyNonVoters)
}

func (f *flaky) SetNoticeProgress(ctx context.Context, id string, chatID int64, messageID int) error {
	if err := f.err("SetNoticeProgress"); err != nil {
		return err
	}
	return f.Store.SetNoticeProgress(ctx, id, chatID, messageID)
}

func (f *flaky) IsUnreachable(ctx context.Context, chatID int64) (bool, error) {
	if err := f.err("IsUnreachable"); err != nil {
		return false, err
	}
	return f.Store.IsUnreachable(ctx, chatID)
}
