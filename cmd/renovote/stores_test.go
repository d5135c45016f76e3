package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/renovote/renovote/sqlstore"
)

// Without REDIS_URL the staff commands keep their data in the data
// directory's SQLite store: what one command writes the next one reads.
func TestStaffCommandsOnTheDataDirectory(t *testing.T) {
	setNow(t, inWindow)
	dir := t.TempDir()
	s := &staff{t: t, env: map[string]string{"RENOVOTE_DATA": dir}}
	s.ok("programme", "apply", seedProgramme)
	wantContains(t, "import", s.ok("register", "import", seedRegister), "liangmao 粮贸小区: 55 added")
	s.ok("paper", "liangmao", "1-1-101", "agree", "-by", "王芳")
	wantContains(t, "tally", s.ok("tally"), "粮贸小区")
	out := s.ok("tally", "-json")
	if !strings.Contains(out, `"agree": 1`) && !strings.Contains(out, `"agree":1`) {
		t.Errorf("the paper ballot is not in the tally:\n%s", out)
	}
}

// A second process (or command) on a data directory the bot holds is
// refused at once, with a message naming the directory.
func TestDataDirectoryHeldByOneProcess(t *testing.T) {
	dir := t.TempDir()
	held, err := sqlstore.Open(context.Background(), dir, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	s := &staff{t: t, env: map[string]string{"RENOVOTE_DATA": dir}}
	msg := s.fails("tally").Error()
	wantContains(t, "error", msg, dir, "in use by another renovote process")
}

// -memory says, in the log and on standard error, that everything is lost on
// exit; -memory with REDIS_URL is a configuration problem.
func TestMemoryStoreIsAnnounced(t *testing.T) {
	var errOut, logOut bytes.Buffer
	c := &cli{errOut: &errOut, log: slog.New(slog.NewTextHandler(&logOut, nil))}
	c.cfg.Memory = true
	st, backend, closeStore, err := c.openStore(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	if backend != backendMemory || st == nil {
		t.Fatalf("backend %q", backend)
	}
	wantContains(t, "stderr", errOut.String(), "in-memory: everything is lost on exit")
	wantContains(t, "log", logOut.String(), "in-memory: everything is lost on exit")

	s := &staff{t: t, env: map[string]string{"REDIS_URL": "redis://127.0.0.1:1/0"}}
	wantContains(t, "error", s.fails("run", "-memory", "-token", "1:aaaaaaaaaaaa").Error(), "-memory and REDIS_URL")
}

// renovote migrate copies a county's SQLite store into Redis and back: the
// tally reads the same from each, and a store that holds data is refused.
func TestMigrateSQLiteToRedisAndBack(t *testing.T) {
	setNow(t, inWindow)
	dir := t.TempDir()
	lite := &staff{t: t, env: map[string]string{"RENOVOTE_DATA": dir}}
	lite.ok("programme", "apply", seedProgramme)
	lite.ok("register", "import", seedRegister)
	lite.ok("paper", "liangmao", "1-1-101", "agree", "-by", "王芳")
	lite.ok("paper", "jinrong", "1-1-101", "disagree", "-by", "王芳", "-channel", "proxy")
	lite.ok("worker", "add", "42")
	want := lite.ok("tally", "-json")

	rds := newStaff(t)
	out := lite.ok("migrate", "-from", "sqlite:"+dir, "-to", rds.url)
	wantContains(t, "migrate", out, "migrated: 5 compounds", "808 households", "2 votes", "2 audit entries", "1 staff")
	if got := rds.ok("tally", "-json"); got != want {
		t.Errorf("tally on Redis after the migration:\n%s\nwant\n%s", got, want)
	}
	wantContains(t, "workers", rds.ok("worker", "list"), "42")

	back := t.TempDir()
	lite.ok("migrate", "-from", rds.url, "-to", "sqlite:"+back)
	again := &staff{t: t, env: map[string]string{"RENOVOTE_DATA": back}}
	if got := again.ok("tally", "-json"); got != want {
		t.Errorf("tally on SQLite after the way back:\n%s\nwant\n%s", got, want)
	}
	wantContains(t, "error", lite.fails("migrate", "-from", "sqlite:"+dir, "-to", "sqlite:"+back).Error(), "not empty")
	wantContains(t, "error", lite.fails("migrate", "-from", "sqlite:"+dir).Error(), "give -from and -to")
	wantContains(t, "error", lite.fails("migrate", "-from", "mysql://x", "-to", "sqlite:"+back).Error(), "sqlite:DIR or redis://")
}

// renovote migrate refuses a store whose update journal still holds updates
// a bot took and did not handle (they are not copied), and says what to do;
// once they are handled it copies.
func TestMigrateRefusesUnhandledJournal(t *testing.T) {
	setNow(t, inWindow)
	dir := t.TempDir()
	lite := &staff{t: t, env: map[string]string{"RENOVOTE_DATA": dir}}
	lite.ok("programme", "apply", seedProgramme)
	journal := func(f func(ctx context.Context, st *sqlstore.Store) error) {
		t.Helper()
		ctx := context.Background()
		st, err := sqlstore.Open(ctx, dir, sqlstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if err := f(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	journal(func(ctx context.Context, st *sqlstore.Store) error {
		return st.JournalUpdates(ctx, map[int64][]byte{7: []byte(`{"update_id":7}`)}, 0)
	})
	to := t.TempDir()
	err := lite.fails("migrate", "-from", "sqlite:"+dir, "-to", "sqlite:"+to)
	wantContains(t, "error", err.Error(), "left 1 updates", "did not handle", "start the bot")
	journal(func(ctx context.Context, st *sqlstore.Store) error { return st.UpdatesDone(ctx, []int64{7}) })
	wantContains(t, "migrate", lite.ok("migrate", "-from", "sqlite:"+dir, "-to", "sqlite:"+to), "migrated: 5 compounds")
}
