package store

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Every replica and every outbox sender reads its streams as a consumer
// named for its process (host, pid, a random part), so each restart adds a
// consumer to the groups of {poll}:updates and {outbox}:stream. A dead one
// holds nothing once its entries were taken over, but it stays listed until
// deleted: PruneConsumers deletes them.

//go:embed scripts/consumers_prune.lua
var luaConsumersPrune string

var scriptConsumersPrune = redis.NewScript(luaConsumersPrune)

// PruneConsumers deletes, from the consumer groups of the updates stream and
// the outbox, every consumer that holds no entry and has not read for at
// least idle, and returns how many it deleted. Redis 7.0 counts idle from a
// consumer's last read of an entry, so a live consumer that got nothing for
// that long goes too: that costs nothing, as it holds no entry (checked in
// the same script) and its next read makes it again. Each stream is one
// script (one key), so it is safe on a Cluster.
func (s *Store) PruneConsumers(ctx context.Context, idle time.Duration) (int, error) {
	if idle <= 0 {
		return 0, fmt.Errorf("prune consumers: idle %v must be positive", idle)
	}
	n := 0
	for _, g := range []struct{ stream, group string }{
		{s.k.pollUpdates(), replicaGroup},
		{s.k.outbox(), outboxGroup},
	} {
		_, res, err := s.run(ctx, scriptConsumersPrune, []string{g.stream}, g.group, idle.Milliseconds())
		if err != nil {
			return n, fmt.Errorf("prune consumers of %s: %w", g.group, err)
		}
		d, _ := res[0].(int64)
		n += int(d)
	}
	return n, nil
}
