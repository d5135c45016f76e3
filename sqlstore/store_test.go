package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

// The behaviour shared with the Redis store is tested by the conformance
// suite (store/storesuite); these tests cover what only this store has: the
// directory's lock, the schema versions, the append-only audit tables, the
// clock of its leases.

var (
	cst    = time.FixedZone("CST", 8*3600)
	opens  = time.Date(2020, 4, 1, 8, 0, 0, 0, cst)
	closes = time.Date(2020, 5, 1, 0, 0, 0, 0, cst)
	during = opens.Add(48 * time.Hour)
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func open(t *testing.T, dir string, clk *clock) *Store {
	t.Helper()
	opts := Options{}
	if clk != nil {
		opts.Now = clk.Now
	}
	s, err := Open(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// seed applies a one-compound programme and a register of n households.
func seed(t *testing.T, s *Store, n int) []renovote.Household {
	t.Helper()
	ctx := context.Background()
	p := renovote.Programme{ID: "p", Name: "测试", TimeZone: "Asia/Shanghai", MaxMembers: 3,
		Compounds: []renovote.Compound{{ID: "c1", Name: "测试小区", Rule: renovote.DefaultRule(),
			Ballot: renovote.Window{Opens: opens, Closes: closes}}}}
	must(t, s.ApplyProgramme(ctx, p))
	var hhs []renovote.Household
	for i := range n {
		hhs = append(hhs, renovote.Household{CompoundID: "c1", Building: "1栋", Unit: "1单元",
			Room: fmt.Sprintf("%d01", i+1), Owner: fmt.Sprintf("业主%d", i), Area: renovote.Area(8000 + i)})
	}
	if _, err := s.ImportRegister(ctx, "c1", hhs, store.ImportOptions{Actor: "test", Now: opens}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Households(ctx, "c1")
	must(t, err)
	return got
}

func TestSecondOpenOfADirectoryIsRefused(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, nil)
	_, err := Open(context.Background(), dir, Options{})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("second open: %v, want ErrLocked naming %s", err, dir)
	}
	s.Close()
	again, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	again.Close()
}

// TestSecondProcessIsRefused runs this test binary again as a second process
// on a directory this one holds.
func TestSecondProcessIsRefused(t *testing.T) {
	if dir := os.Getenv("SQLSTORE_LOCK_CHILD"); dir != "" {
		_, err := Open(context.Background(), dir, Options{})
		fmt.Println(err)
		if errors.Is(err, ErrLocked) {
			os.Exit(3)
		}
		os.Exit(0)
	}
	dir := t.TempDir()
	open(t, dir, nil)
	cmd := exec.Command(os.Args[0], "-test.run", "^TestSecondProcessIsRefused$")
	cmd.Env = append(os.Environ(), "SQLSTORE_LOCK_CHILD="+dir)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), dir) || !strings.Contains(string(out), "in use") {
		t.Fatalf("child's message does not name the directory: %s", out)
	}
}

func TestDataSurvivesReopenAndSchemaIsVersioned(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := open(t, dir, nil)
	hhs := seed(t, s, 3)
	_, err := s.CastVote(ctx, vote(hhs[0].Ref(), renovote.ChoiceAgree, "op1", during))
	must(t, err)
	s.Close()

	s = open(t, dir, nil)
	v, err := s.SchemaVersion(ctx)
	must(t, err)
	files, err := schemaFiles()
	must(t, err)
	if v != files[len(files)-1].version {
		t.Fatalf("schema version %d, want %d", v, files[len(files)-1].version)
	}
	tl, err := s.Tally(ctx, "c1")
	must(t, err)
	if tl.Households != 3 || tl.Agree != 1 {
		t.Fatalf("tally after reopen: %+v", tl)
	}
	// A database newer than the code is refused.
	_, err = s.w.Exec(`INSERT INTO schema_version (version, name, applied) VALUES (999, 'future', '')`)
	must(t, err)
	s.Close()
	if _, err := Open(ctx, dir, Options{}); !errors.Is(err, renovote.ErrConflict) {
		t.Fatalf("open of a newer schema: %v, want ErrConflict", err)
	}
}

func TestAuditTablesAreAppendOnly(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir(), nil)
	hhs := seed(t, s, 2)
	_, err := s.CastVote(ctx, vote(hhs[0].Ref(), renovote.ChoiceAgree, "op1", during))
	must(t, err)
	must(t, s.AddWorker(ctx, 5, "test", during))
	for _, q := range []string{`UPDATE vote_audit SET new = 'disagree'`, `DELETE FROM vote_audit`,
		`DELETE FROM register_audit`, `UPDATE staff_audit SET by_whom = ''`, `DELETE FROM staff_audit`} {
		if _, err := s.w.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused as append-only", q, err)
		}
	}
	if n, err := s.AuditLen(ctx, "c1"); err != nil || n != 1 {
		t.Fatalf("audit length %d, %v", n, err)
	}
}

func vote(ref renovote.HouseholdRef, c renovote.Choice, op string, at time.Time) renovote.VoteCmd {
	return renovote.VoteCmd{Ref: ref, Choice: c, Channel: renovote.ChannelChat, Actor: "tg:1", OpID: op,
		ReceiptID: renovote.NewReceiptID(), At: at}
}

func TestRetriedOlderVoteNeverOverwritesANewerOne(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir(), nil)
	ref := seed(t, s, 1)[0].Ref()
	first, err := s.CastVote(ctx, vote(ref, renovote.ChoiceAgree, "tg:upd:1", during))
	must(t, err)
	_, err = s.CastVote(ctx, vote(ref, renovote.ChoiceDisagree, "tg:upd:2", during.Add(time.Minute)))
	must(t, err)
	again, err := s.CastVote(ctx, vote(ref, renovote.ChoiceAgree, "tg:upd:1", during))
	must(t, err)
	if !again.Replayed || again.ID != first.ID {
		t.Fatalf("retry: %+v, want the first receipt replayed", again)
	}
	v, ok, err := s.CurrentVote(ctx, ref)
	must(t, err)
	if !ok || v.Choice != renovote.ChoiceDisagree {
		t.Fatalf("current vote %+v, want the newer disagree", v)
	}
	if n, _ := s.AuditLen(ctx, "c1"); n != 2 {
		t.Fatalf("audit length %d, want 2", n)
	}
}

func TestOutboxClaimsExpireOnTheStoresClock(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := open(t, t.TempDir(), clk)
	seed(t, s, 1)
	n, err := s.CreateNotice(ctx, renovote.Notice{Kind: renovote.KindNotice, Compounds: []string{"c1"},
		Text: "停水通知", By: "tg:9", Created: clk.Now()}, "op")
	must(t, err)
	_, err = s.EnqueueNotice(ctx, n.ID, []int64{11, 12})
	must(t, err)
	got, err := s.ClaimOutbox(ctx, "a", 10, time.Minute, 0)
	must(t, err)
	if len(got) != 2 || got[0].Attempts != 1 {
		t.Fatalf("claimed %+v", got)
	}
	if got, _ := s.ClaimOutbox(ctx, "b", 10, time.Minute, 0); len(got) != 0 {
		t.Fatalf("b took %+v before the claims went idle", got)
	}
	clk.Add(time.Minute)
	taken, err := s.ClaimOutbox(ctx, "b", 10, time.Minute, 0)
	must(t, err)
	if len(taken) != 2 || taken[0].Attempts != 2 || taken[0].ID != got[0].ID {
		t.Fatalf("taken over %+v", taken)
	}
	for _, m := range taken {
		_, err := s.SettleOutbox(ctx, m, renovote.Delivered, "", clk.Now())
		must(t, err)
	}
	// The first consumer finishing late counts nothing again.
	done, err := s.SettleOutbox(ctx, got[0], renovote.Failed, "late", clk.Now())
	must(t, err)
	if done.Status != renovote.NoticeDone || done.Counts.Delivered != 2 || done.Counts.Failed != 0 {
		t.Fatalf("notice %+v", done)
	}
	if q, _ := s.OutboxQueued(ctx); q != 0 {
		t.Fatalf("outbox holds %d", q)
	}
}

func TestClaimOutboxWakesWhenRowsAreQueued(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir(), nil)
	seed(t, s, 1)
	n, err := s.CreateNotice(ctx, renovote.Notice{Kind: renovote.KindNotice, Compounds: []string{"c1"},
		Text: "通知", By: "tg:9"}, "op")
	must(t, err)
	got := make(chan []renovote.OutMsg)
	go func() {
		ms, _ := s.ClaimOutbox(ctx, "a", 1, time.Minute, time.Hour)
		got <- ms
	}()
	_, err = s.EnqueueNotice(ctx, n.ID, []int64{7})
	must(t, err)
	if ms := <-got; len(ms) != 1 || ms[0].ChatID != 7 {
		t.Fatalf("claimed %+v", ms)
	}
}
