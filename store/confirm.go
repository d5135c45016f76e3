package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// The confirmed mode (Options.ConfirmReplicas): a vote is confirmed to the
// resident only once replicas hold it. Redis replicates asynchronously, so a
// master that dies right after a write may take it along: its replica, now
// the master, never saw it. WAIT N T, sent on the connection that wrote,
// blocks until N replicas acknowledged every write of that connection (or T
// passed) and says how many did. The vote script and WAIT go in one pipeline
// on one connection to the master that owns the compound's slot: the
// failover client's master, or on a Cluster the master node of the
// compound's hash tag.

// defaultConfirmTimeout is how long a vote waits for its replicas by default.
const defaultConfirmTimeout = time.Second

// ErrNoConfirm says the client cannot send a script and WAIT on one
// connection (neither a *redis.Client nor a *redis.ClusterClient).
var ErrNoConfirm = errors.New("confirmed mode needs a redis.Client or redis.ClusterClient")

// runConfirmed runs a script whose keys are in one slot and then, on the same
// connection, WAIT for Options.ConfirmReplicas replicas; it returns the
// script's reply and the number of replicas that acknowledged the write.
func (s *Store) runConfirmed(ctx context.Context, sc *redis.Script, keys []string, args ...any) ([]any, int64, error) {
	res, acked, err := s.runConfirmedOnce(ctx, nil, sc, keys, args...)
	cc, ok := s.rdb.(*redis.ClusterClient)
	for attempt := 0; ok && clusterMoved(err) && attempt < movedRetries; attempt++ {
		// The slot moved (a Cluster failover or resharding) and the script
		// did not run there. MOVED names the node that serves the slot now:
		// go there at once if the client knows it as a master. Either way the
		// client reloads its slots, for this vote's next try and the others.
		cc.ReloadState(ctx)
		var to *redis.Client
		if addr := movedTo(err); addr != "" {
			to = masterAt(ctx, cc, addr)
		}
		if to == nil {
			select {
			case <-ctx.Done():
				return nil, 0, ctx.Err()
			case <-time.After(movedBackoff << attempt):
			}
		}
		res, acked, err = s.runConfirmedOnce(ctx, to, sc, keys, args...)
	}
	return res, acked, err
}

// movedTo returns the address a MOVED error names ("MOVED 14433
// 127.0.0.1:7001"), or "".
func movedTo(err error) string {
	if err == nil || !redis.HasErrorPrefix(err, "MOVED") {
		return ""
	}
	f := strings.Fields(err.Error())
	if len(f) < 3 {
		return ""
	}
	return f[len(f)-1]
}

// masterAt returns the client of the Cluster's master at addr, if the client
// knows it.
func masterAt(ctx context.Context, cc *redis.ClusterClient, addr string) *redis.Client {
	var (
		mu    sync.Mutex
		found *redis.Client
	)
	_ = cc.ForEachMaster(ctx, func(_ context.Context, c *redis.Client) error {
		if c.Options().Addr == addr {
			mu.Lock()
			found = c
			mu.Unlock()
		}
		return nil
	})
	return found
}

// After a redirection, the confirmed mode tries again this many times, first
// after movedBackoff, each time waiting twice as long.
const (
	movedRetries = 6
	movedBackoff = 25 * time.Millisecond
)

// runConfirmedOnce runs the script and WAIT on node, or when node is nil on
// the master that owns keys[0].
func (s *Store) runConfirmedOnce(ctx context.Context, node *redis.Client, sc *redis.Script, keys []string, args ...any) ([]any, int64, error) {
	if node == nil {
		switch c := s.rdb.(type) {
		case *redis.Client:
			node = c
		case *redis.ClusterClient:
			n, err := c.MasterForKey(ctx, keys[0])
			if err != nil {
				return nil, 0, fmt.Errorf("master of the slot: %w", err)
			}
			node = n
		default:
			return nil, 0, ErrNoConfirm
		}
	}
	var (
		ev    *redis.Cmd
		acked *redis.IntCmd
	)
	exec := func(sha bool) error {
		_, err := node.Pipelined(ctx, func(p redis.Pipeliner) error {
			if sha {
				ev = sc.EvalSha(ctx, p, keys, args...)
			} else {
				ev = sc.Eval(ctx, p, keys, args...)
			}
			acked = redis.NewIntCmd(ctx, "wait", s.opts.ConfirmReplicas, s.opts.ConfirmTimeout.Milliseconds())
			return p.Process(ctx, acked)
		})
		return err
	}
	err := exec(true)
	if ev != nil && redis.HasErrorPrefix(ev.Err(), "NOSCRIPT") {
		// The script never ran (a new master after a failover, a flushed
		// cache): send it whole, on the same node.
		err = exec(false)
	}
	if err != nil && (ev == nil || ev.Err() != nil) {
		if ev != nil {
			err = ev.Err()
		}
		return nil, 0, err
	}
	res, err := ev.Slice()
	if err != nil {
		return nil, 0, err
	}
	// A failed WAIT (a connection lost after the script ran) confirms nothing:
	// the vote is applied and pending, not lost.
	return res, acked.Val(), nil
}

// clusterMoved reports a redirection of a Cluster slot to another node.
func clusterMoved(err error) bool {
	return redis.HasErrorPrefix(err, "MOVED") || redis.HasErrorPrefix(err, "ASK") ||
		redis.HasErrorPrefix(err, "CLUSTERDOWN") || redis.HasErrorPrefix(err, "READONLY")
}

// ConfirmReplicas is the number of replicas a vote waits for (0: none, the
// vote is confirmed when the master has it).
func (s *Store) ConfirmReplicas() int { return s.opts.ConfirmReplicas }
