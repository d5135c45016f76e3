package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/bot/bottest"
	"github.com/renovote/renovote/dialogs"
	"github.com/renovote/renovote/programme"
	"github.com/renovote/renovote/register"
	"github.com/renovote/renovote/store"
)

// crashDB is the database of the shared Redis this test owns when REDIS_URL
// is set: the bot processes it starts cannot take a key prefix.
const crashDB = 13

// sharedRedis returns a redis:// URL that other processes can reach, and a
// store on it: a database of its own on REDIS_URL, else an in-process miniredis
// listening on loopback.
func sharedRedis(t *testing.T) (string, *store.Store) {
	t.Helper()
	ctx := context.Background()
	raw := os.Getenv("REDIS_URL")
	if raw == "" {
		mr := miniredis.RunT(t)
		raw = "redis://" + mr.Addr() + "/0"
	} else {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		u.Path = fmt.Sprintf("/%d", crashDB)
		raw = u.String()
	}
	st, err := store.Open(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	flush := func() { st.Client().FlushDB(context.Background()) } // this test's own database only
	flush()
	t.Cleanup(func() { flush(); st.Close() })
	return raw, st
}

// buildBot returns cmd/renovote, built once for all the tests (main_test.go).
func buildBot(t *testing.T) string {
	t.Helper()
	return builtBot(t)
}

// botProcess is a renovote process.
type botProcess struct {
	cmd *exec.Cmd
	out *bytes.Buffer
}

func startBot(t *testing.T, bin string, args ...string) *botProcess {
	t.Helper()
	p := &botProcess{cmd: exec.Command(bin, args...), out: &bytes.Buffer{}}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
	})
	return p
}

// TestBroadcastSurvivesKill: a notice to every household of the seed programme
// (808 bound members) is being sent when the bot process is killed with
// SIGKILL. A new process takes over the messages the dead one had taken: every
// member gets the notice, and only a message in flight at the kill can arrive
// twice.
func TestBroadcastSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the bot binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	redisURL, st := sharedRedis(t)
	bin := buildBot(t)
	now := time.Now()
	p := programme.Seed()
	for i := range p.Compounds {
		p.Compounds[i].Ballot = renovote.Window{Opens: now.Add(-time.Hour), Closes: now.Add(24 * time.Hour)}
		p.Compounds[i].Publicity = renovote.Window{Opens: now.Add(25 * time.Hour), Closes: now.Add(7 * 24 * time.Hour)}
	}
	if err := st.ApplyProgramme(ctx, p); err != nil {
		t.Fatal(err)
	}
	srv := bottest.NewServer(t)
	byCompound := map[string][]renovote.Household{}
	for _, h := range register.GenerateSeed(p, 2020) {
		byCompound[h.CompoundID] = append(byCompound[h.CompoundID], h)
	}
	var members []int64
	for id, hhs := range byCompound {
		if _, err := st.ImportRegister(ctx, id, hhs, store.ImportOptions{Actor: "test", Now: now}); err != nil {
			t.Fatal(err)
		}
		for _, h := range hhs {
			uid := int64(500000 + len(members))
			srv.User(uid, "住户", "zh-hans")
			if err := st.Bind(ctx, uid, h.Ref(), 3, now); err != nil {
				t.Fatal(err)
			}
			members = append(members, uid)
		}
	}
	// The notice, queued as the /notice flow queues it.
	var ids []string
	for _, c := range p.Compounds {
		ids = append(ids, c.ID)
	}
	n, err := st.CreateNotice(ctx, renovote.Notice{Kind: renovote.KindNotice, Compounds: ids, Text: "6月1日 8:00-12:00 停水，请提前储水。",
		By: "test", Created: now, SendAt: now}, "test:crash")
	if err != nil {
		t.Fatal(err)
	}
	queueNotice(ctx, t, st, p, n)

	args := []string{"run", "-token", srv.Token, "-api-url", srv.URL, "-redis-url", redisURL, "-rate", "150", "-outbox-reclaim", "2s", "-log-level", "warn"}
	first := startBot(t, bin, args...)
	delivered := func() int { return len(srv.CallsTo("sendMessage")) }
	for delivered() < 300 {
		if ctx.Err() != nil {
			t.Fatalf("first bot delivered %d before the deadline:\n%s", delivered(), first.out)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.cmd.Wait()
	atKill := delivered()
	t.Logf("killed the first bot after %d deliveries", atKill)
	if atKill >= len(members) {
		t.Fatalf("the broadcast finished before the kill (%d): the test proves nothing", atKill)
	}

	second := startBot(t, bin, args...)
	for {
		got, err := st.Notice(ctx, n.ID)
		if err == nil && got.Status == renovote.NoticeDone {
			n = got
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("broadcast not finished after restart: %+v %v\n%s", got, err, second.out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	second.cmd.Process.Signal(syscall.SIGTERM)
	second.cmd.Wait()

	received := map[int64]int{}
	var mu sync.Mutex
	for _, c := range srv.CallsTo("sendMessage") {
		if c.OK() && strings.Contains(c.Param("text"), "停水") {
			mu.Lock()
			received[c.Int("chat_id")]++
			mu.Unlock()
		}
	}
	missed, dups, most := 0, 0, 0
	for _, m := range members {
		switch k := received[m]; {
		case k == 0:
			missed++
		case k > 1:
			dups += k - 1
		}
		most = max(most, received[m])
	}
	t.Logf("%d members: missed %d, duplicates %d; counts %+v", len(members), missed, dups, n.Counts)
	if missed != 0 {
		t.Fatalf("%d members never got the notice", missed)
	}
	// A duplicate is a message sent but not yet acknowledged when the process
	// died: at most one per message in flight, and the bot sends at most
	// bot.Config.OutboxWorkers (8) at once.
	if dups > 8 || most > 2 {
		t.Fatalf("%d duplicates (a member got it %d times) after one crash, want at most one per message in flight (8)", dups, most)
	}
	if n.Counts.Recipients != int64(len(members)) || n.Counts.Delivered != int64(len(members)) {
		t.Fatalf("counts %+v, want %d delivered", n.Counts, len(members))
	}
}

// queueNotice queues a notice to its recipients, compound by compound, with
// each compound's own text.
func queueNotice(ctx context.Context, t *testing.T, st *store.Store, p renovote.Programme, n renovote.Notice) {
	t.Helper()
	rec, err := st.NoticeRecipients(ctx, n.Compounds, n.Buildings, n.Kind == renovote.KindReminder)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.EnqueueNotice(ctx, n.ID, rec); err != nil {
		t.Fatal(err)
	}
	_ = dialogs.NoticeText
}
