package storesuite

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

func TestProgramme(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	_, err := s.Programme(ctx)
	wantErr(t, err, renovote.ErrNotFound)

	p := testProgramme()
	must(t, s.ApplyProgramme(ctx, p))
	must(t, s.ApplyProgramme(ctx, p)) // idempotent
	got, err := s.Programme(ctx)
	must(t, err)
	a, _ := json.Marshal(p)
	b, _ := json.Marshal(got)
	if string(a) != string(b) {
		t.Fatalf("programme round trip:\n%s\n%s", a, b)
	}

	bad := p
	bad.ID = "Bad ID"
	wantErr(t, s.ApplyProgramme(ctx, bad), renovote.ErrInvalid)

	// A compound dropped from the programme refuses votes and imports.
	_, err = s.ImportRegister(ctx, lzy, households(lzy, 3), store.ImportOptions{})
	must(t, err)
	p2 := p
	p2.Compounds = p.Compounds[:2]
	must(t, s.ApplyProgramme(ctx, p2))
	_, err = s.CastVote(ctx, cmd(households(lzy, 1)[0].Ref(), A, during))
	wantErr(t, err, renovote.ErrNotFound)
	_, err = s.ImportRegister(ctx, lzy, households(lzy, 3), store.ImportOptions{})
	wantErr(t, err, renovote.ErrNotFound)
	if _, err := s.Tally(ctx, lzy); err != nil { // its data stays readable
		t.Fatal(err)
	}
	must(t, s.ApplyProgramme(ctx, p)) // and back
	_, err = s.CastVote(ctx, cmd(households(lzy, 1)[0].Ref(), A, during))
	must(t, err)
}

func TestFirstSeen(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	first, err := s.FirstSeen(ctx, 123)
	must(t, err)
	second, err := s.FirstSeen(ctx, 123)
	must(t, err)
	other, err := s.FirstSeen(ctx, 124)
	must(t, err)
	if !first || second || !other {
		t.Fatalf("first %v second %v other %v", first, second, other)
	}
}

func TestInviteFailures(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	t0 := time.Date(2020, 4, 2, 10, 0, 0, 123456789, time.UTC)
	for i := range 5 {
		must(t, s.AddInviteFailure(ctx, 9, t0.Add(time.Duration(i)*time.Minute)))
	}
	must(t, s.AddInviteFailure(ctx, 9, t0.Add(2*time.Minute))) // same instant twice counts twice
	n, oldest, err := s.InviteFailures(ctx, 9, t0)
	must(t, err)
	if n != 6 || !oldest.Equal(t0) {
		t.Fatalf("n %d oldest %v", n, oldest)
	}
	n, oldest, err = s.InviteFailures(ctx, 9, t0.Add(time.Nanosecond))
	must(t, err)
	if n != 5 || !oldest.Equal(t0.Add(time.Minute)) {
		t.Fatalf("since +1ns: n %d oldest %v", n, oldest)
	}
	n, _, err = s.InviteFailures(ctx, 10, t0)
	must(t, err)
	if n != 0 {
		t.Fatalf("other user: %d", n)
	}
	// Entries older than the window are trimmed on the next failure.
	must(t, s.AddInviteFailure(ctx, 9, t0.Add(48*time.Hour)))
	n, oldest, err = s.InviteFailures(ctx, 9, time.Time{})
	must(t, err)
	if n != 1 || !oldest.Equal(t0.Add(48*time.Hour)) {
		t.Fatalf("after trim: n %d oldest %v", n, oldest)
	}
}

func TestSessions(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	b, err := s.GetSession(ctx, "chat:1")
	if b != nil || err != nil {
		t.Fatalf("empty session: %q %v", b, err)
	}
	must(t, s.PutSession(ctx, "chat:1", []byte(`{"step":"vote"}`), time.Hour))
	b, err = s.GetSession(ctx, "chat:1")
	must(t, err)
	if string(b) != `{"step":"vote"}` {
		t.Fatalf("session %q", b)
	}
	must(t, s.DeleteSession(ctx, "chat:1"))
	must(t, s.DeleteSession(ctx, "chat:1"))
	if b, _ := s.GetSession(ctx, "chat:1"); b != nil {
		t.Fatal("deleted session still there")
	}
}

func TestStaff(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	must(t, s.AddWorker(ctx, 20, "cfg:admin", opens))
	must(t, s.AddWorker(ctx, 10, "tg:1", opens))
	must(t, s.AddWorker(ctx, 10, "tg:1", opens)) // no second audit entry
	ok, err := s.IsWorker(ctx, 10)
	must(t, err)
	if !ok {
		t.Fatal("not a worker")
	}
	ws, err := s.Workers(ctx)
	must(t, err)
	if !slices.Equal(ws, []int64{10, 20}) {
		t.Fatalf("workers %v", ws)
	}
	must(t, s.RemoveWorker(ctx, 20, "tg:1", during))
	must(t, s.RemoveWorker(ctx, 20, "tg:1", during))
	if ok, _ := s.IsWorker(ctx, 20); ok {
		t.Fatal("removed worker still a worker")
	}
	log, err := s.StaffAudit(ctx)
	must(t, err)
	if len(log) != 3 || log[2].Op != "remove" || log[2].UserID != 20 || log[2].By != "tg:1" || !log[2].At.Equal(during) {
		t.Fatalf("staff audit %+v", log)
	}
	// A worker of issue 2 is a member of staff with role worker of every compound.
	m, ok, err := s.StaffMember(ctx, 10)
	must(t, err)
	if !ok || m.Role != renovote.RoleWorker || !slices.Equal(m.Compounds, []string{renovote.AllCompounds}) {
		t.Fatalf("worker record %+v", m)
	}
	// RemoveWorker revokes whatever the role.
	must(t, s.SetStaff(ctx, renovote.StaffMember{UserID: 30, Role: renovote.RoleBureau, AddedBy: "tg:1"}))
	must(t, s.RemoveWorker(ctx, 30, "tg:1", during))
	if _, ok, _ := s.StaffMember(ctx, 30); ok {
		t.Fatal("removed member still staff")
	}
}
