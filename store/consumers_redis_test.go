package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store/storetest"
)

// Consumers that hold nothing and have not read for the idle time are
// deleted from both groups; one holding an entry stays, and so does one that
// read since. (Redis 7.0 counts idle from a consumer's last read of an entry:
// a live consumer idle that long is deleted too, which costs nothing, as it
// holds no entry and its next read makes it again.)
func TestPruneConsumers(t *testing.T) {
	t.Parallel()
	if storetest.Backend() == "miniredis" {
		t.Skip("miniredis does not keep the consumers' idle times (XINFO CONSUMERS); REDIS_URL runs it")
	}
	ctx := context.Background()
	s := storetest.New(t)
	if n, err := s.PruneConsumers(ctx, time.Hour); err != nil || n != 0 {
		t.Fatalf("no streams yet: %d %v", n, err)
	}
	if _, err := s.PruneConsumers(ctx, 0); err == nil {
		t.Error("an idle time of 0 was accepted")
	}

	n, err := s.CreateNotice(ctx, renovote.Notice{Text: "停水通知 Water off", Compounds: []string{lm}, Kind: renovote.KindNotice, By: "tg:1", Created: during}, "op:prune")
	must(t, err)
	_, err = s.EnqueueNotice(ctx, n.ID, []int64{1001, 1002, 1003})
	must(t, err)
	send := func(consumer string, settle bool) {
		t.Helper()
		ms, err := s.ClaimOutbox(ctx, consumer, 1, time.Hour, 0)
		must(t, err)
		if len(ms) != 1 {
			t.Fatalf("%s claimed %d messages", consumer, len(ms))
		}
		if settle {
			_, err := s.SettleOutbox(ctx, ms[0], renovote.Delivered, "", during)
			must(t, err)
		}
	}
	send("holder", false) // dies holding its message
	send("dead-sender", true)

	if ok, err := s.AcquireLeader(ctx, "poller", time.Minute); err != nil || !ok {
		t.Fatalf("leader: %v %v", ok, err)
	}
	if ok, err := s.HandOffUpdates(ctx, "poller", 2, []renovote.HandedUpdate{handed(1, 1)}); err != nil || !ok {
		t.Fatalf("hand off: %v %v", ok, err)
	}
	take := func(consumer string) {
		t.Helper()
		ups, err := s.TakeUpdates(ctx, consumer, 1, time.Hour, 0)
		must(t, err)
		if len(ups) != 1 {
			t.Fatalf("%s took %d updates", consumer, len(ups))
		}
		must(t, s.AckUpdate(ctx, ups[0].Entry))
	}
	take("dead-replica")

	time.Sleep(300 * time.Millisecond)
	// The live ones took something since.
	send("live-sender", true)
	if ok, err := s.HandOffUpdates(ctx, "poller", 3, []renovote.HandedUpdate{handed(2, 2)}); err != nil || !ok {
		t.Fatalf("hand off: %v %v", ok, err)
	}
	take("live-replica")

	deleted, err := s.PruneConsumers(ctx, 200*time.Millisecond)
	must(t, err)
	updates, outbox, err := s.Consumers(ctx)
	must(t, err)
	if deleted != 2 || !slices.Equal(updates, []string{"live-replica"}) || !slices.Equal(outbox, []string{"holder", "live-sender"}) {
		t.Errorf("deleted %d, left %v and %v", deleted, updates, outbox)
	}
	if again, err := s.PruneConsumers(ctx, 200*time.Millisecond); err != nil || again != 0 {
		t.Errorf("a second prune deleted %d: %v", again, err)
	}
}
