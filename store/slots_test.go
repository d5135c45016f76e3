package store_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

// slotCheck is a client hook that records every script and transaction whose
// keys do not share one hash tag: on Redis Cluster they would fail.
type slotCheck struct {
	mu   sync.Mutex
	bad  []string
	seen map[string]bool // first word of each checked script or transaction
}

// hashTag is what Redis Cluster hashes of a key: the part between the first
// '{' and the next '}', when not empty, else the whole key.
func hashTag(key string) string {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			return key[i+1 : i+1+j]
		}
	}
	return key
}

func (c *slotCheck) check(what string, keys []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen[what] = true
	for _, k := range keys[1:] {
		if hashTag(k) != hashTag(keys[0]) {
			c.bad = append(c.bad, fmt.Sprintf("%s: %v", what, keys))
			return
		}
	}
}

func (c *slotCheck) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *slotCheck) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		a := cmd.Args()
		name := strings.ToLower(cmd.Name())
		if (name == "evalsha" || name == "eval") && len(a) >= 3 {
			n, _ := strconv.Atoi(fmt.Sprint(a[2]))
			keys := make([]string, 0, n)
			for _, k := range a[3 : 3+n] {
				keys = append(keys, fmt.Sprint(k))
			}
			if n > 0 {
				c.check("script", keys)
			}
		}
		return next(ctx, cmd)
	}
}

func (c *slotCheck) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if len(cmds) > 0 && cmds[0].Name() == "multi" {
			var keys []string
			for _, cmd := range cmds {
				if a := cmd.Args(); cmd.Name() != "multi" && cmd.Name() != "exec" && len(a) > 1 {
					keys = append(keys, fmt.Sprint(a[1]))
				}
			}
			if len(keys) > 0 {
				c.check("transaction", keys)
			}
		}
		return next(ctx, cmds)
	}
}

func TestHashTag(t *testing.T) {
	for key, tag := range map[string]string{
		"p:{c:lm}:hh": "c:lm", "p:{outbox}:notice:N1": "outbox", "p:{}:x": "p:{}:x", "p:programme": "p:programme",
		"p:{staff}:inv:{x}": "staff",
	} {
		if got := hashTag(key); got != tag {
			t.Errorf("hashTag(%q) = %q, want %q", key, got, tag)
		}
	}
	c := &slotCheck{seen: map[string]bool{}}
	c.check("script", []string{"p:{outbox}:stream", "p:{c:lm}:notices"})
	if len(c.bad) != 1 {
		t.Fatal("keys of two slots not caught")
	}
}

// TestSingleSlot runs the store's writes and reads through a client that
// checks that every script and transaction stays in one Redis Cluster slot.
func TestSingleSlot(t *testing.T) {
	t.Parallel()
	rdb := redis.NewClient(storetest.ClientOptions(t))
	t.Cleanup(func() { rdb.Close() })
	chk := &slotCheck{seen: map[string]bool{}}
	rdb.AddHook(chk)
	s := storetest.NewOn(t, rdb, store.Options{})
	ctx := context.Background()

	must(t, s.ApplyProgramme(ctx, testProgramme()))
	hh := households(lm, 12)
	_, err := s.ImportRegister(ctx, lm, hh, store.ImportOptions{Actor: "cli:test", Now: opens})
	must(t, err)
	_, err = s.EnsureInvites(ctx, lm, opens)
	must(t, err)
	must(t, s.Bind(ctx, 1, hh[0].Ref(), 3, opens))
	_, err = s.CastVote(ctx, cmd(hh[1].Ref(), renovote.ChoiceAgree, during))
	must(t, err)
	must(t, s.SubmitSurvey(ctx, answer(hh[0].Ref(), surveyDuring, nil, nil, nil, ""), nextOp()))
	r, err := s.FileReport(ctx, renovote.Report{CompoundID: lm, Household: hh[0].Ref(), ReporterID: 1,
		Where: "1栋", Text: "漏水", Created: surveyDuring}, nextOp())
	must(t, err)
	_, err = s.MoveReport(ctx, lm, r.ID, renovote.ReportResolved, "tg:2", surveyDuring, nextOp())
	must(t, err)

	must(t, s.AddWorker(ctx, 2, "cli", opens))
	must(t, s.SetStaff(ctx, member(3, renovote.RoleBureau)))
	inv, err := s.CreateStaffInvite(ctx, invite(renovote.RoleWorker, lm))
	must(t, err)
	_, err = s.RedeemStaffInvite(ctx, inv.Code, 4, opens)
	must(t, err)
	must(t, s.RevokeStaff(ctx, 3, "tg:1", opens))
	_, err = s.StaffOf(ctx, lm)
	must(t, err)

	sched := notice("明天", lm)
	sched.SendAt = during.Add(time.Hour)
	n, err := s.CreateNotice(ctx, sched, nextOp())
	must(t, err)
	must(t, s.SetNoticeProgress(ctx, n.ID, 10, 5))
	must(t, s.CancelNotice(ctx, n.ID, "tg:1", during))
	n = createNotice(t, s, "现在", lm)
	rc, err := s.NoticeRecipients(ctx, []string{lm}, nil, true)
	must(t, err)
	_, err = s.EnqueueNotice(ctx, n.ID, append(rc, 5, 6, 7))
	must(t, err)
	_, err = s.ClaimOutbox(ctx, "a", 10, time.Millisecond, 0)
	must(t, err)
	time.Sleep(5 * time.Millisecond)
	ms, err := s.ClaimOutbox(ctx, "b", 10, time.Millisecond, 0) // takes a's over
	must(t, err)
	for i, m := range ms {
		_, err := s.SettleOutbox(ctx, m, []renovote.Delivery{renovote.Delivered, renovote.Unreachable, renovote.Failed}[i%3], "x", during)
		must(t, err)
	}
	_, err = s.Notices(ctx, lm, 5)
	must(t, err)
	_, err = s.AllNotices(ctx, 5)
	must(t, err)
	_, err = s.NonVoters(ctx, lm)
	must(t, err)

	if len(ms) != len(rc)+3 {
		t.Fatalf("took over %d of %d", len(ms), len(rc)+3)
	}
	if len(chk.bad) > 0 {
		t.Fatalf("across slots:\n%s", strings.Join(chk.bad, "\n"))
	}
	if !chk.seen["script"] || !chk.seen["transaction"] {
		t.Fatalf("hook saw %v", chk.seen)
	}
}
