package storedump_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/programme"
	"github.com/renovote/renovote/register"
	"github.com/renovote/renovote/sqlstore"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
	"github.com/renovote/renovote/storedump"
)

// both is what the test reads of either store.
type both interface {
	storedump.Exporter
	storedump.Importer
	Programme(ctx context.Context) (renovote.Programme, error)
	Tally(ctx context.Context, compoundID string) (renovote.Tally, error)
	Recount(ctx context.Context, compoundID string) (renovote.Tally, error)
	SurveyCounts(ctx context.Context, compoundID string) (renovote.SurveyCounts, error)
	RecountSurvey(ctx context.Context, compoundID string) (renovote.SurveyCounts, error)
	AuditLen(ctx context.Context, compoundID string) (int64, error)
	Votes(ctx context.Context, compoundID string) (map[string]renovote.HouseholdVote, error)
	AllNotices(ctx context.Context, n int) ([]renovote.Notice, error)
	Binding(ctx context.Context, userID int64) (renovote.HouseholdRef, bool, error)
	ResolveInvite(ctx context.Context, code string) (renovote.HouseholdRef, error)
	ClaimOutbox(ctx context.Context, consumer string, n int, minIdle, block time.Duration) ([]renovote.OutMsg, error)
	SettleOutbox(ctx context.Context, m renovote.OutMsg, d renovote.Delivery, detail string, at time.Time) (renovote.Notice, error)
	CastVote(ctx context.Context, cmd renovote.VoteCmd) (renovote.Receipt, error)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// fill writes some of everything into st (the SQLite store) through its API.
func fill(t *testing.T, st *sqlstore.Store) (p renovote.Programme, inviteCode string) {
	t.Helper()
	ctx := context.Background()
	p = programme.Seed()
	regs := map[string][]renovote.Household{}
	for _, h := range register.GenerateSeed(p, 1) {
		regs[h.CompoundID] = append(regs[h.CompoundID], h)
	}
	c := p.Compounds[0]
	// A compound of an earlier programme, with a vote, retired by the seed.
	old := p
	retired := p.Compounds[1]
	retired.ID, retired.Name = "retired_one", "旧小区"
	old.Compounds = append(slices.Clone(p.Compounds), retired)
	must(t, st.ApplyProgramme(ctx, old))
	var oldReg []renovote.Household
	for _, h := range regs[p.Compounds[1].ID][:10] {
		h.CompoundID = retired.ID
		oldReg = append(oldReg, h)
	}
	_, err := st.ImportRegister(ctx, retired.ID, oldReg, store.ImportOptions{Actor: "cli:test", Now: c.Ballot.Opens})
	must(t, err)
	_, err = st.CastVote(ctx, renovote.VoteCmd{Ref: renovote.HouseholdRef{CompoundID: retired.ID, HouseholdID: oldReg[0].ID},
		Choice: renovote.ChoiceAgree, Channel: renovote.ChannelChat, Actor: "tg:1", OpID: "old:1",
		ReceiptID: renovote.NewReceiptID(), At: retired.Ballot.Opens.Add(time.Minute)})
	must(t, err)
	must(t, st.ApplyProgramme(ctx, p))
	for _, cp := range p.Compounds {
		_, err := st.ImportRegister(ctx, cp.ID, regs[cp.ID], store.ImportOptions{Actor: "cli:test", Now: c.Ballot.Opens})
		must(t, err)
	}
	// A household removed by a later import.
	_, err = st.ImportRegister(ctx, c.ID, regs[c.ID][1:], store.ImportOptions{Actor: "cli:test", Now: c.Ballot.Opens, RemoveMissing: true})
	must(t, err)
	hhs := regs[c.ID][1:]
	invs, err := st.EnsureInvites(ctx, c.ID, c.Ballot.Opens)
	must(t, err)
	inviteCode = invs[0].Code
	must(t, st.RevokeInvite(ctx, hhs[1].Ref()))
	at := c.Ballot.Opens.Add(time.Hour)
	for i, h := range hhs[:20] {
		ch := renovote.ChoiceAgree
		if i%3 == 0 {
			ch = renovote.ChoiceDisagree
		}
		must(t, st.Bind(ctx, int64(1000+i), h.Ref(), 3, at))
		_, err := st.CastVote(ctx, renovote.VoteCmd{Ref: h.Ref(), Choice: ch, Channel: renovote.ChannelChat,
			Actor: fmt.Sprintf("tg:%d", 1000+i), OpID: fmt.Sprintf("op:%d", i), ReceiptID: renovote.NewReceiptID(),
			At: at.Add(time.Duration(i) * time.Minute), UpdateID: int64(i + 1)})
		must(t, err)
	}
	_, err = st.CastVote(ctx, renovote.VoteCmd{Ref: hhs[0].Ref(), Choice: renovote.ChoiceAgree, Channel: renovote.ChannelPaper,
		Actor: "cli:王", OpID: "paper:1", ReceiptID: renovote.NewReceiptID(), At: at.Add(time.Hour), Evidence: "photo:1"})
	must(t, err)
	// The survey.
	var part renovote.MenuPart
	var item string
	req := map[string]bool{}
	for _, cl := range p.Menu.Classes {
		req[cl.ID] = cl.Required
	}
	for _, pt := range p.Menu.Parts {
		for _, it := range pt.Items {
			if req[it.Class] && item == "" {
				part, item = pt, it.ID
			}
		}
	}
	sat := c.Survey.Opens.Add(time.Hour)
	for i, h := range hhs[:5] {
		must(t, st.SubmitSurvey(ctx, renovote.SurveyAnswer{Ref: h.Ref(), Urgent: map[string][]string{part.ID: {item}},
			Comment: "楼道灯坏了", Actor: "tg:1", At: sat.Add(time.Duration(i) * time.Minute)}, fmt.Sprintf("s:%d", i)))
	}
	// Reports, supervisors, staff, reminders, announcements.
	r, err := st.FileReport(ctx, renovote.Report{CompoundID: c.ID, Household: hhs[0].Ref(), ReporterID: 1000, Where: renovote.PublicArea,
		Text: "屋顶漏水", Created: sat}, "r:1")
	must(t, err)
	_, err = st.MoveReport(ctx, c.ID, r.ID, renovote.ReportAcknowledged, "tg:9", sat.Add(time.Hour), "mv:1")
	must(t, err)
	must(t, st.SetSupervisor(ctx, 1001, c.ID, true, "tg:9", sat))
	must(t, st.SetStaff(ctx, renovote.StaffMember{UserID: 9, Role: renovote.RoleWorker, Compounds: []string{c.ID}, AddedBy: "cli", Added: at}))
	_, err = st.CreateStaffInvite(ctx, renovote.StaffInvite{Role: renovote.RoleBureau, By: "tg:9", Created: time.Now(),
		Expires: time.Now().Add(24 * time.Hour)})
	must(t, err)
	_, err = st.TakeReminders(ctx, c.ID, renovote.BallotWindow, "rem:1", 3, []string{hhs[30].ID, hhs[31].ID})
	must(t, err)
	must(t, st.MarkAnnounced(ctx, "phase:survey"))
	must(t, st.DoneRun(ctx, store.RunRecord{Job: "digest", Tick: at.Truncate(time.Minute), Owner: "test", Outcome: store.RunOK,
		Started: at, Finished: at.Add(time.Second)}))
	if c.HasPublicity() {
		_, err = st.FileObjection(ctx, renovote.Objection{CompoundID: c.ID, Household: hhs[2].Ref(), UserID: 1002,
			Text: "不同意公示结果", Created: c.Publicity.Opens.Add(time.Hour)}, "o:1")
		must(t, err)
	}
	// A notice half delivered, with an unreachable chat and a dead letter;
	// a scheduled one.
	n, err := st.CreateNotice(ctx, renovote.Notice{Kind: renovote.KindNotice, Compounds: []string{c.ID}, Text: "停水通知",
		By: "tg:9", Created: at}, "n:1")
	must(t, err)
	_, err = st.EnqueueNotice(ctx, n.ID, []int64{1000, 1001, 1002, 1003})
	must(t, err)
	ms, err := st.ClaimOutbox(ctx, "a", 3, time.Minute, 0)
	must(t, err)
	for i, m := range ms {
		d := []renovote.Delivery{renovote.Delivered, renovote.Unreachable, renovote.Failed}[i]
		_, err := st.SettleOutbox(ctx, m, d, "400 Bad Request", at)
		must(t, err)
	}
	_, err = st.CreateNotice(ctx, renovote.Notice{Kind: renovote.KindNotice, Compounds: []string{c.ID}, Text: "明天开会",
		By: "tg:9", Created: at, SendAt: at.Add(24 * time.Hour)}, "n:2")
	must(t, err)
	return p, inviteCode
}

func dumpJSON(t *testing.T, s storedump.Exporter) []byte {
	t.Helper()
	d, err := s.Export(context.Background())
	must(t, err)
	js, err := json.MarshalIndent(d, "", " ")
	must(t, err)
	return js
}

func newSQLite(t *testing.T) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), t.TempDir(), sqlstore.Options{})
	must(t, err)
	t.Cleanup(s.Close)
	return s
}

// TestCopySQLiteToRedisAndBack migrates a filled SQLite store to Redis
// (miniredis, or REDIS_URL) and back to a new SQLite store: the three hold
// the same data (their exports are equal), the same tallies, votes, audits
// and notices, and the copies go on working (a vote, the outbox).
func TestCopySQLiteToRedisAndBack(t *testing.T) {
	ctx := context.Background()
	src := newSQLite(t)
	p, code := fill(t, src)
	want := dumpJSON(t, src)
	var d storedump.Dump
	must(t, json.Unmarshal(want, &d))
	if len(d.Retired) != 1 || len(d.Compounds) != len(p.Compounds)+1 || len(d.Notices) != 2 || len(d.Outbox) != 1 ||
		len(d.DeadLetters) != 1 || len(d.Unreachable) != 1 || len(d.StaffInvites) != 1 || len(d.RunHistory) != 1 {
		t.Fatalf("the source's export misses data: %d retired, %d compounds, %d notices, %d outbox, %d dead, %d unreachable, %d invites, %d histories",
			len(d.Retired), len(d.Compounds), len(d.Notices), len(d.Outbox), len(d.DeadLetters), len(d.Unreachable),
			len(d.StaffInvites), len(d.RunHistory))
	}

	rds := storetest.New(t)
	_, err := storedump.Copy(ctx, src, rds)
	must(t, err)
	if got := dumpJSON(t, rds); !bytes.Equal(got, want) {
		t.Fatalf("redis holds another store than sqlite:\n%s", firstDiff(want, got))
	}
	back := newSQLite(t)
	_, err = storedump.Copy(ctx, rds, back)
	must(t, err)
	if got := dumpJSON(t, back); !bytes.Equal(got, want) {
		t.Fatalf("the copy back differs:\n%s", firstDiff(want, got))
	}
	for _, s := range []both{src, rds, back} {
		for _, c := range p.Compounds {
			compare(t, s, src, c.ID)
		}
		ns, err := s.AllNotices(ctx, 0)
		must(t, err)
		wantNs, _ := src.AllNotices(ctx, 0)
		if a, b := fmt.Sprint(ns), fmt.Sprint(wantNs); a != b {
			t.Fatalf("notices:\n%s\nwant\n%s", a, b)
		}
		if ref, ok, err := s.Binding(ctx, 1000); err != nil || !ok || ref.HouseholdID == "" {
			t.Fatalf("binding of 1000: %v %v %v", ref, ok, err)
		}
		if _, err := s.ResolveInvite(ctx, code); err != nil {
			t.Fatalf("invitation code after the copy: %v", err)
		}
	}
	// The copies go on: the last recipient of the notice is sent, once.
	for _, s := range []both{rds, back} {
		ms, err := s.ClaimOutbox(ctx, "b", 10, time.Minute, 0)
		must(t, err)
		if len(ms) != 1 || ms[0].ChatID != 1003 {
			t.Fatalf("outbox after the copy: %+v", ms)
		}
		n, err := s.SettleOutbox(ctx, ms[0], renovote.Delivered, "", time.Now())
		must(t, err)
		if n.Status != renovote.NoticeDone || n.Counts.Delivered != 2 || n.Counts.Unreachable != 1 || n.Counts.Failed != 1 {
			t.Fatalf("notice after the copy: %+v", n)
		}
	}
	// A second copy into a store that holds data is refused.
	if _, err := storedump.Copy(ctx, src, back); !errorsIs(err, storedump.ErrNotEmpty) {
		t.Fatalf("copy into a filled store: %v", err)
	}
}

func compare(t *testing.T, s, want both, compoundID string) {
	t.Helper()
	ctx := context.Background()
	tl, err := s.Tally(ctx, compoundID)
	must(t, err)
	wtl, _ := want.Tally(ctx, compoundID)
	rc, _ := s.Recount(ctx, compoundID)
	if tl != wtl || tl != rc {
		t.Fatalf("%s tally %+v, want %+v (recount %+v)", compoundID, tl, wtl, rc)
	}
	n, _ := s.AuditLen(ctx, compoundID)
	wn, _ := want.AuditLen(ctx, compoundID)
	if n != wn {
		t.Fatalf("%s audit length %d, want %d", compoundID, n, wn)
	}
	sc, _ := s.SurveyCounts(ctx, compoundID)
	rs, _ := s.RecountSurvey(ctx, compoundID)
	wsc, _ := want.SurveyCounts(ctx, compoundID)
	if fmt.Sprint(sc) != fmt.Sprint(wsc) || fmt.Sprint(sc) != fmt.Sprint(rs) {
		t.Fatalf("%s survey counts %+v, want %+v (recount %+v)", compoundID, sc, wsc, rs)
	}
	v, _ := s.Votes(ctx, compoundID)
	wv, _ := want.Votes(ctx, compoundID)
	if fmt.Sprint(v) != fmt.Sprint(wv) {
		t.Fatalf("%s votes differ", compoundID)
	}
}

func errorsIs(err, target error) bool {
	for err != nil {
		if err == target {
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

// firstDiff shows the first differing line of two dumps, with context.
func firstDiff(a, b []byte) string {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := range min(len(la), len(lb)) {
		if !bytes.Equal(la[i], lb[i]) {
			from := max(i-8, 0)
			return fmt.Sprintf("line %d:\n want: %s\n  got: %s\ncontext:\n%s", i+1, la[i], lb[i],
				bytes.Join(la[from:i+1], []byte("\n")))
		}
	}
	return fmt.Sprintf("lengths %d and %d lines", len(la), len(lb))
}
