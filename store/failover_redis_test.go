package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/redistest"
	"github.com/renovote/renovote/store/storetest"
)

// The Sentinel failover tests (RENOVOTE_FAILURE_TESTS=1): a master with two
// replicas and three sentinels, all redis-server processes on loopback
// ports (store/redistest); a storm of votes through the store on a
// redis-sentinel:// URL; kill -9 of the master mid-storm; the sentinels
// promote a replica and the client follows it. Every vote the resident was
// told is confirmed must be in the new master's audit trail. Run them with
//
//	RENOVOTE_FAILURE_TESTS=1 go test -run 'TestSentinelFailover' -v ./store/
//
// and read the figures in the log.

// TestSentinelFailoverConfirmed: in the confirmed mode (WAIT for one
// replica), no confirmed vote is lost and none is applied twice.
func TestSentinelFailoverConfirmed(t *testing.T) {
	redistest.Require(t)
	f := sentinelFailover(t, 1, failoverLag(t))
	if f.lost != 0 || f.duplicates != 0 {
		t.Errorf("confirmed mode: %d confirmed votes lost, %d applied twice", f.lost, f.duplicates)
	}
	if f.confirmedAfter == 0 {
		t.Error("no vote was confirmed after the failover")
	}
}

// TestSentinelFailoverUnconfirmed: without the confirmed mode a vote is
// confirmed once the master has it, and votes the master had not passed on
// to a replica when it died are lost. The loss is measured and reported, not
// asserted: asynchronous replication on loopback is fast, so it is often 0,
// but nothing guarantees it. Votes are never applied twice.
func TestSentinelFailoverUnconfirmed(t *testing.T) {
	redistest.Require(t)
	f := sentinelFailover(t, 0, failoverLag(t))
	if f.duplicates != 0 {
		t.Errorf("%d votes applied twice", f.duplicates)
	}
	t.Logf("without the confirmed mode, %d of %d votes told recorded were lost in the failover", f.lost, f.confirmed)
}

// failoverFigures is what a failover storm measured.
type failoverFigures struct {
	commands       int           // vote commands sent
	confirmed      int           // answered recorded (not pending)
	confirmedAfter int           // of them, sent after the kill
	pending        int           // answered pending confirmation
	failed         int           // never answered before the storm ended
	lost           int           // confirmed, missing from the new master's audit trail
	pendingKept    int           // pending, found in the new master's audit trail
	duplicates     int           // receipts in the audit trail more than once
	recovery       time.Duration // kill → first vote answered that was sent after it
	recoveryConf   time.Duration // kill → first vote confirmed that was sent after it
}

func (f failoverFigures) String() string {
	return fmt.Sprintf("commands %d, confirmed %d (%d sent after the kill), pending %d (%d of them kept), unanswered %d, "+
		"confirmed votes lost %d, duplicates %d, recovery %s (first confirmed: %s)",
		f.commands, f.confirmed, f.confirmedAfter, f.pending, f.pendingKept, f.failed, f.lost, f.duplicates,
		f.recovery.Round(time.Millisecond), f.recoveryConf.Round(time.Millisecond))
}

// stormVote is one vote command of the storm and what became of it.
type stormVote struct {
	receipt   string
	sent      time.Time // the attempt that got the answer started
	answered  time.Time
	ok        bool
	pending   bool
	afterKill bool
	refused   string // the store refused the vote (not retried)
}

// dialLog drops go-redis's log lines.
type dialLog struct{}

func (dialLog) Printf(context.Context, string, ...any) {}

// refused reports a refusal of the store, as opposed to a failure to reach it.
func refused(err error) bool {
	for _, e := range []error{renovote.ErrNotFound, renovote.ErrRemoved, renovote.ErrInvalid,
		renovote.ErrBallotClosed, renovote.ErrBallotNotOpen} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// failoverLag is how far behind its master each replica is: the replication
// stream goes through a redistest.LagProxy that delays it (a slow network),
// 100ms unless RENOVOTE_FAILOVER_LAG says otherwise (0: loopback, no proxy).
func failoverLag(t *testing.T) time.Duration {
	v := os.Getenv("RENOVOTE_FAILOVER_LAG")
	if v == "" {
		return 100 * time.Millisecond
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		t.Fatalf("RENOVOTE_FAILOVER_LAG=%q: not a duration", v)
	}
	return d
}

// sentinelFailover runs the storm, kills the master mid-storm and checks the
// new master against what the voters were told; confirm is the confirmed
// mode's replica count (0: off), lag the replicas' (failoverLag).
func sentinelFailover(t *testing.T, confirm int, lag time.Duration) failoverFigures {
	t.Helper()
	const (
		name    = "renovote"
		workers = 8
	)
	redis.SetLogger(dialLog{}) // go-redis logs every refused dial while the master is down
	rep := redistest.StartReplicated(t, 2, lag)
	sent := redistest.StartSentinels(t, 3, name, rep.Master, 2, time.Second)
	addrs := sent.Addrs()
	url := fmt.Sprintf("redis-sentinel://%s?master_name=%s&addr=%s&addr=%s&dial_timeout=1s&max_retries=2&min_retry_backoff=20ms&max_retry_backoff=200ms",
		addrs[0], name, addrs[1], addrs[2])
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := store.OpenWith(ctx, url, store.Options{Prefix: storetest.Prefix(), ConfirmReplicas: confirm, ConfirmTimeout: 500 * time.Millisecond})
	must(t, err)
	t.Cleanup(s.Close)
	must(t, s.ApplyProgramme(ctx, testProgramme()))
	hhs := households(lzy, sizes[lzy])
	_, err = s.ImportRegister(ctx, lzy, hhs, store.ImportOptions{Actor: "cli:test", Now: opens})
	must(t, err)
	// The replicas have the programme and the register before the storm.
	direct := rep.Master.Client(t)
	must(t, direct.Set(ctx, "failover-test:synced", "1", 0).Err())
	if n, err := direct.Wait(ctx, 2, 10*time.Second).Result(); err != nil || n != 2 {
		t.Fatalf("replicas not in sync before the storm: %d (%v)", n, err)
	}

	var (
		killed    atomic.Bool
		stop      atomic.Bool
		answered  atomic.Int64 // votes answered (recorded or pending)
		confAfter atomic.Int64 // votes sent after the kill and confirmed
		mu        sync.Mutex
		votes     []stormVote
		wg        sync.WaitGroup
	)
	// A command that fails is retried (same op id and receipt, as the bot
	// handles an update again) until it is answered or the storm's hard end.
	hard, hardCancel := context.WithTimeout(ctx, 90*time.Second)
	defer hardCancel()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				h := hhs[(i*workers+w)%len(hhs)]
				c := cmd(h.Ref(), []renovote.Choice{renovote.ChoiceAgree, renovote.ChoiceDisagree}[i%2], during.Add(time.Duration(i)*time.Second))
				c.OpID = fmt.Sprintf("storm:%d:%d", w, i)
				v := stormVote{receipt: c.ReceiptID}
				for hard.Err() == nil {
					v.sent = time.Now()
					v.afterKill = killed.Load()
					actx, acancel := context.WithTimeout(hard, 3*time.Second)
					rc, err := s.CastVote(actx, c)
					acancel()
					if err == nil {
						v.ok, v.pending, v.answered = true, rc.Pending, time.Now()
						answered.Add(1)
						if v.afterKill && !rc.Pending {
							confAfter.Add(1)
						}
						break
					}
					if refused(err) { // the store answered: no retry changes that
						v.refused = err.Error()
						break
					}
					time.Sleep(50 * time.Millisecond)
				}
				mu.Lock()
				votes = append(votes, v)
				mu.Unlock()
			}
		}()
	}

	// Mid-storm (a second into it, 300 votes answered at least): kill -9 the master.
	stormAt := time.Now()
	redistest.Eventually(t, 30*time.Second, "votes before the kill", func(context.Context) error {
		if n := answered.Load(); n < 300 || time.Since(stormAt) < time.Second {
			return fmt.Errorf("%d votes answered", n)
		}
		return nil
	})
	old := rep.Master.Addr
	killed.Store(true)
	killAt := time.Now()
	rep.Master.Kill()
	// The storm goes on until 200 votes sent after the kill were confirmed.
	ok := true
	func() {
		defer stop.Store(true)
		deadline := time.After(45 * time.Second)
		for confAfter.Load() < 200 {
			select {
			case <-deadline:
				ok = false
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	wg.Wait()
	if !ok {
		t.Errorf("fewer than 200 votes confirmed within 45s of the kill (%d)", confAfter.Load())
	}
	var now string
	redistest.Eventually(t, 30*time.Second, "the sentinels agree on a new master", func(ctx context.Context) error {
		addr, err := sent.Agreed(ctx)
		if err == nil && addr == old {
			err = fmt.Errorf("the sentinels still name the killed master %s", old)
		}
		now = addr
		return err
	})

	// What the new master holds. (Right after a failover the client may still
	// ask a sentinel that names the old master: a read fails, and is retried.)
	var audit []store.AuditEntry
	redistest.Eventually(t, 30*time.Second, "read the new master's audit trail", func(ctx context.Context) error {
		audit, err = s.Audit(ctx, lzy, "", 0)
		return err
	})
	inAudit := map[string]int{}
	for _, e := range audit {
		inAudit[e.ReceiptID]++
	}
	var f failoverFigures
	f.recovery, f.recoveryConf = -1, -1
	var lost, refusals []string
	for _, v := range votes {
		f.commands++
		switch {
		case v.refused != "":
			refusals = append(refusals, v.refused)
		case !v.ok:
			f.failed++
		case v.pending:
			f.pending++
			if inAudit[v.receipt] > 0 {
				f.pendingKept++
			}
		default:
			f.confirmed++
			if v.afterKill {
				f.confirmedAfter++
			}
			if inAudit[v.receipt] == 0 {
				f.lost++
				lost = append(lost, v.receipt)
			}
		}
		if v.ok && v.sent.After(killAt) {
			if d := v.answered.Sub(killAt); f.recovery < 0 || d < f.recovery {
				f.recovery = d
			}
			if d := v.answered.Sub(killAt); !v.pending && (f.recoveryConf < 0 || d < f.recoveryConf) {
				f.recoveryConf = d
			}
		}
	}
	for _, n := range inAudit {
		if n > 1 {
			f.duplicates++
		}
	}
	if len(refusals) > 0 {
		t.Errorf("%d votes refused by the store, e.g. %s", len(refusals), refusals[0])
	}
	checkTally(t, s, lzy)
	mode := "without the confirmed mode"
	if confirm > 0 {
		mode = fmt.Sprintf("confirmed mode, WAIT %d replica", confirm)
	}
	mode += fmt.Sprintf(", replicas %s behind", lag)
	t.Logf("sentinel failover (%s; master %s killed, %s promoted): %s", mode, old, now, f)
	if len(lost) > 0 {
		t.Logf("receipts told recorded and lost: %s", strings.Join(lost[:min(len(lost), 20)], " "))
	}
	return f
}
