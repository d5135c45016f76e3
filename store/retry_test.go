package store_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

// lossyProxy forwards TCP to a Redis server and, with probability p, drops the
// reply to a script call (EVAL/EVALSHA) and closes the connection: the server
// has run the script, the client sees a broken connection and go-redis retries.
type lossyProxy struct {
	ln      net.Listener
	target  string
	p       float64
	dropped atomic.Int64
	wg      sync.WaitGroup
}

func startLossyProxy(t *testing.T, target string, p float64) *lossyProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	lp := &lossyProxy{ln: ln, target: target, p: p}
	lp.wg.Add(1)
	go func() {
		defer lp.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			lp.wg.Add(1)
			go func() { defer lp.wg.Done(); lp.serve(c) }()
		}
	}()
	t.Cleanup(func() { ln.Close(); lp.wg.Wait() })
	return lp
}

func (lp *lossyProxy) serve(c net.Conn) {
	defer c.Close()
	s, err := net.Dial("tcp", lp.target)
	if err != nil {
		return
	}
	defer s.Close()
	var script atomic.Bool
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := c.Read(buf)
			if n > 0 {
				low := bytes.ToLower(buf[:n])
				if bytes.Contains(low, []byte("\r\nevalsha\r\n")) || bytes.Contains(low, []byte("\r\neval\r\n")) {
					script.Store(true)
				}
				if _, err := s.Write(buf[:n]); err != nil {
					break
				}
			}
			if err != nil {
				break
			}
		}
		s.Close()
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := s.Read(buf)
		if n > 0 {
			if script.Swap(false) && rand.Float64() < lp.p {
				lp.dropped.Add(1)
				return // the reply is lost
			}
			if _, err := c.Write(buf[:n]); err != nil {
				return
			}
		}
		if err == io.EOF || err != nil {
			return
		}
	}
}

// Every script call may lose its reply; go-redis retries. Each vote command must
// still be applied exactly once and the counters stay exact.
func TestLostRepliesAreRetriedSafely(t *testing.T) {
	t.Parallel()
	o := storetest.ClientOptions(t)
	lp := startLossyProxy(t, o.Addr, 0.2)
	o.Addr = lp.ln.Addr().String()
	o.MaxRetries = 12
	o.MinRetryBackoff, o.MaxRetryBackoff = time.Millisecond, 5*time.Millisecond
	o.PoolSize = 16
	rdb := redis.NewClient(o)
	t.Cleanup(func() { rdb.Close() })
	s := storetest.NewOn(t, rdb, store.Options{})
	ctx := context.Background()

	must(t, s.ApplyProgramme(ctx, testProgramme()))
	hhs := households(lm, 55)
	_, err := s.ImportRegister(ctx, lm, hhs, store.ImportOptions{Actor: "cli:test", Now: opens})
	must(t, err)

	const n = 600
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
		if rc.ID != c.ReceiptID || rc.Choice != c.Choice {
			return fmt.Errorf("receipt %+v for %+v", rc, c)
		}
		if rc.Replayed {
			replayed.Add(1)
		}
		return nil
	})
	seen := make([]bool, 200)
	run(t, 8, len(seen), func(i int) error {
		first, err := s.FirstSeen(ctx, int64(i))
		seen[i] = first
		return err
	})
	for i, first := range seen {
		if !first {
			t.Fatalf("update %d reported as seen on its first delivery", i)
		}
	}
	if lp.dropped.Load() == 0 {
		t.Fatal("the proxy dropped no reply")
	}
	checkTally(t, s, lm)
	audit, err := s.AuditLen(ctx, lm)
	must(t, err)
	if audit != n {
		t.Fatalf("audit has %d entries for %d commands", audit, n)
	}
	t.Logf("%d replies dropped, %d votes answered as replays", lp.dropped.Load(), replayed.Load())
}
