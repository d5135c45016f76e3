package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

// The confirmed mode under lost replies: the vote script and WAIT go in one
// pipeline, which go-redis sends again when its reply is lost. Each command is
// still applied once (a replay answers the first receipt), and no receipt
// claims a confirmation no replica gave (this server has none: all pending).
func TestConfirmedModeLostReplies(t *testing.T) {
	t.Parallel()
	o := storetest.ClientOptions(t)
	lp := startLossyProxy(t, o.Addr, 0.2)
	o.Addr = lp.ln.Addr().String()
	o.MaxRetries = 12
	o.MinRetryBackoff, o.MaxRetryBackoff = time.Millisecond, 5*time.Millisecond
	o.PoolSize = 16
	rdb := redis.NewClient(o)
	t.Cleanup(func() { rdb.Close() })
	s := storetest.NewOn(t, rdb, store.Options{ConfirmReplicas: 1, ConfirmTimeout: 5 * time.Millisecond})
	ctx := context.Background()

	must(t, s.ApplyProgramme(ctx, testProgramme()))
	hhs := households(lm, 55)
	_, err := s.ImportRegister(ctx, lm, hhs, store.ImportOptions{Actor: "cli:test", Now: opens})
	must(t, err)

	const n = 300
	var replayed atomic.Int64
	run(t, 16, n, func(i int) error {
		c := renovote.VoteCmd{
			Ref: hhs[i%len(hhs)].Ref(), Choice: []renovote.Choice{A, D}[(i/len(hhs))%2], Channel: renovote.ChannelChat,
			Actor: "tg:1", OpID: fmt.Sprintf("op:%d", i), ReceiptID: renovote.NewReceiptID(),
			At: during.Add(time.Duration(i) * time.Second),
		}
		rc, err := s.CastVote(ctx, c)
		if err != nil {
			return err
		}
		if rc.ID != c.ReceiptID || rc.Choice != c.Choice || !rc.Pending {
			return fmt.Errorf("receipt %+v for %+v", rc, c)
		}
		if rc.Replayed {
			replayed.Add(1)
		}
		return nil
	})
	if lp.dropped.Load() == 0 {
		t.Fatal("the proxy dropped no reply")
	}
	checkTally(t, s, lm)
	if audit, err := s.AuditLen(ctx, lm); err != nil || audit != n {
		t.Fatalf("audit has %d entries (%v) for %d commands", audit, err, n)
	}
	t.Logf("%d replies dropped, %d votes answered as replays", lp.dropped.Load(), replayed.Load())
}
