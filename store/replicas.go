package store

import (
	"context"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// Several bot processes (replicas) long-polling one bot: Telegram lets one
// getUpdates run at a time, so the replicas elect one poller and it hands the
// updates to all of them.
//
//   - The poller holds a lease ({poll}:leader = its random token, with a TTL)
//     taken with AcquireLeader (SET NX PX in a script) and renewed with
//     RenewLeader (PEXPIRE only while the key is still its token). A poller
//     that cannot renew in time stops polling (the bot's fencing), and the
//     store fences it too: HandOffUpdates adds updates and moves the offset
//     only for the token that holds the lease.
//   - The offset ({poll}:offset) is the next getUpdates offset: every update
//     below it has been handed over (kept pollOffsetTTL after the last). It moves in the same script as the
//     hand-off, so a new poller asks Telegram from there: an update taken by
//     a poller that died before handing it over is asked for again (Telegram
//     forgets updates only below the offset of a later getUpdates), and one
//     handed over is never handed over twice.
//   - The updates go to one stream ({poll}:updates) with the consumer group
//     "replicas": every replica reads new entries (XREADGROUP) and takes over
//     entries idle longer than a minimum (XAUTOCLAIM) from a replica that
//     died; an entry is acknowledged and deleted once its update was handled
//     (AckUpdate). Exactly-once handling across the replicas is the update
//     claim's (updates_claim.go): a replica claims the update id before
//     handling it, extends the claim while it handles (ExtendUpdate), and
//     marks it done after. An entry taken over from a live but slow replica
//     finds the claim busy and is left to it.
//   - Each entry names the update of the same chat handed over just before it
//     (prev), which a replica waits for (UpdateDone) before handling it: a
//     chat's updates are handled in order whichever replica takes them.

var (
	//go:embed scripts/lease_acquire.lua
	luaLeaseAcquire string
	//go:embed scripts/lease_release.lua
	luaLeaseRelease string
	//go:embed scripts/poll_handoff.lua
	luaPollHandoff string
	//go:embed scripts/update_extend.lua
	luaUpdateExtend string

	scriptLeaseAcquire = redis.NewScript(luaLeaseAcquire)
	scriptLeaseRelease = redis.NewScript(luaLeaseRelease)
	scriptPollHandoff  = redis.NewScript(luaPollHandoff)
	scriptUpdateExtend = redis.NewScript(luaUpdateExtend)
)

// pollChatTTL is how long a chat's last handed-over update is remembered as
// the prev of its next one: far longer than any update waits to be handled.
const pollChatTTL = time.Hour

// pollOffsetTTL is how long the offset is kept after the last hand-off.
// After a week without updates Telegram may number the next one afresh, at
// random, maybe below the offset kept (which would hide it): a bot idle for
// 6 days asks from 0 again, for the updates Telegram still holds unconfirmed.
const pollOffsetTTL = 6 * 24 * time.Hour

// maxHandOff bounds the updates of one hand-off (getUpdates returns at most 100).
const maxHandOff = 100

// validLeaseToken: a token is compared whole; no separators or braces.
func validLeaseToken(t string) bool {
	return t != "" && len(t) <= 128 && !strings.ContainsAny(t, "|{} \r\n")
}

// AcquireLeader takes the poller's lease for token when nobody holds it, or
// extends it when token holds it already (a retry whose reply was lost). It
// reports whether token holds the lease.
func (s *Store) AcquireLeader(ctx context.Context, token string, lease time.Duration) (bool, error) {
	if !validLeaseToken(token) || lease < time.Millisecond {
		return false, fmt.Errorf("acquire poller lease: %w", renovote.ErrInvalid)
	}
	_, res, err := s.run(ctx, scriptLeaseAcquire, []string{s.k.pollLeader()}, token, lease.Milliseconds())
	if err != nil {
		return false, fmt.Errorf("acquire poller lease: %w", err)
	}
	n, _ := res[0].(int64)
	return n == 1, nil
}

// RenewLeader extends the lease token holds; false when it no longer does
// (it expired, and maybe another replica took it).
func (s *Store) RenewLeader(ctx context.Context, token string, lease time.Duration) (bool, error) {
	if !validLeaseToken(token) || lease < time.Millisecond {
		return false, fmt.Errorf("renew poller lease: %w", renovote.ErrInvalid)
	}
	// run_extend.lua is a compare-and-PEXPIRE of any key.
	_, res, err := s.run(ctx, scriptRunExtend, []string{s.k.pollLeader()}, token, lease.Milliseconds())
	if err != nil {
		return false, fmt.Errorf("renew poller lease: %w", err)
	}
	n, _ := res[0].(int64)
	return n == 1, nil
}

// ReleaseLeader gives the lease up if token holds it, so that another
// replica takes over at once (a replica stopping).
func (s *Store) ReleaseLeader(ctx context.Context, token string) error {
	if !validLeaseToken(token) {
		return fmt.Errorf("release poller lease: %w", renovote.ErrInvalid)
	}
	if _, _, err := s.run(ctx, scriptLeaseRelease, []string{s.k.pollLeader()}, token); err != nil {
		return fmt.Errorf("release poller lease: %w", err)
	}
	return nil
}

// PollOffset is the next getUpdates offset (0 before the first hand-off).
func (s *Store) PollOffset(ctx context.Context) (int64, error) {
	v, err := s.rdb.Get(ctx, s.k.pollOffset()).Int64()
	if isNil(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("poll offset: %w", err)
	}
	return v, nil
}

// HandOffUpdates adds updates (ID, Chat and Body set, in getUpdates order)
// to the replicas' stream and sets the offset to next, in one script, if
// token holds the poller's lease; it reports false (and changes nothing) when
// it does not. Updates below the stored offset are skipped, so a retry adds
// nothing twice. next may come with no updates (getUpdates returned only
// updates the bot ignores).
func (s *Store) HandOffUpdates(ctx context.Context, token string, next int64, ups []renovote.HandedUpdate) (bool, error) {
	wrap := func(err error) error { return fmt.Errorf("hand off %d updates: %w", len(ups), err) }
	if !validLeaseToken(token) || next < 0 || len(ups) > maxHandOff {
		return false, wrap(renovote.ErrInvalid)
	}
	keys := []string{s.k.pollLeader(), s.k.pollOffset(), s.k.pollUpdates()}
	args := []any{token, next, pollChatTTL.Milliseconds(), pollOffsetTTL.Milliseconds()}
	for _, u := range ups {
		if u.ID <= 0 || u.ID >= next || len(u.Body) == 0 {
			return false, wrap(fmt.Errorf("update %d (next %d): %w", u.ID, next, renovote.ErrInvalid))
		}
		keys = append(keys, s.k.pollChat(u.Chat))
		args = append(args, u.ID, u.Chat, string(u.Body))
	}
	st, _, err := s.run(ctx, scriptPollHandoff, keys, args...)
	if err != nil {
		return false, wrap(err)
	}
	return st == "OK", nil
}

// TakeUpdates returns up to n handed-over updates for consumer (a name
// unique to the process): first entries idle longer than minIdle under any
// consumer (a replica that died, or a slow one: the update claim sorts that
// out), then new ones, waiting up to block for new ones when it took over
// none (block ≤ 0: no wait; keep it short, the wait is not cut by ctx). The
// consumer group is made on first use.
func (s *Store) TakeUpdates(ctx context.Context, consumer string, n int, minIdle, block time.Duration) ([]renovote.HandedUpdate, error) {
	wrap := func(err error) error { return fmt.Errorf("take updates for %s: %w", consumer, err) }
	if consumer == "" || len(consumer) > maxIDLen || n <= 0 {
		return nil, wrap(renovote.ErrInvalid)
	}
	out, err := s.takeUpdates(ctx, consumer, n, minIdle, block)
	if isNoGroup(err) {
		if err = s.makeReplicaGroup(ctx); err == nil {
			out, err = s.takeUpdates(ctx, consumer, n, minIdle, block)
		}
	}
	if err != nil {
		return nil, wrap(err)
	}
	return out, nil
}

func (s *Store) makeReplicaGroup(ctx context.Context) error {
	err := s.rdb.XGroupCreateMkStream(ctx, s.k.pollUpdates(), replicaGroup, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("create consumer group: %w", err)
	}
	return nil
}

func (s *Store) takeUpdates(ctx context.Context, consumer string, n int, minIdle, block time.Duration) ([]renovote.HandedUpdate, error) {
	es, err := s.takeEntries(ctx, s.k.pollUpdates(), replicaGroup, consumer, n, minIdle, block)
	if err != nil {
		return nil, err
	}
	out := make([]renovote.HandedUpdate, len(es))
	for i, e := range es {
		out[i] = handedUpdate(e.id, e.values, e.deliveries)
	}
	return out, nil
}

// handedUpdate decodes an entry of the hand-off stream.
func handedUpdate(entry string, v map[string]any, deliveries int64) renovote.HandedUpdate {
	f := func(k string) string { s, _ := v[k].(string); return s }
	n := func(k string) int64 { x, _ := strconv.ParseInt(f(k), 10, 64); return x }
	return renovote.HandedUpdate{Entry: entry, ID: n("id"), Chat: n("chat"), Prev: n("prev"),
		Body: []byte(f("u")), Deliveries: max(deliveries, 1)}
}

// AckUpdate acknowledges a handed-over update and deletes its entry, once it
// was handled (or given up). Acknowledging twice, or an entry another
// consumer took over meanwhile, is harmless.
func (s *Store) AckUpdate(ctx context.Context, entry string) error {
	if !streamID.MatchString(entry) {
		return fmt.Errorf("ack update %q: %w", entry, renovote.ErrInvalid)
	}
	k := s.k.pollUpdates()
	if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.XAck(ctx, k, replicaGroup, entry)
		p.XDel(ctx, k, entry)
		return nil
	}); err != nil {
		return fmt.Errorf("ack update %s: %w", entry, err)
	}
	return nil
}

// HandBackUpdates gives entries consumer took but will not handle (it is
// stopping) back to the others: they count as idle for idle, so that the next
// TakeUpdates with that minimum takes them over at once.
func (s *Store) HandBackUpdates(ctx context.Context, consumer string, entries []string, idle time.Duration) error {
	if len(entries) == 0 {
		return nil
	}
	args := []any{"XCLAIM", s.k.pollUpdates(), replicaGroup, consumer, 0}
	for _, e := range entries {
		if !streamID.MatchString(e) {
			return fmt.Errorf("hand back updates: entry %q: %w", e, renovote.ErrInvalid)
		}
		args = append(args, e)
	}
	args = append(args, "IDLE", max(idle.Milliseconds(), 1), "JUSTID")
	if err := s.rdb.Do(ctx, args...).Err(); err != nil && !isNil(err) {
		return fmt.Errorf("hand back %d updates: %w", len(entries), err)
	}
	return nil
}

// KeepUpdates tells the others that consumer is still on entries it took
// (waiting for an earlier update of their chat, or handling them): their idle
// time starts again, so that they are not taken over while it lives, and
// their delivery count stays as it is.
func (s *Store) KeepUpdates(ctx context.Context, consumer string, entries []string) error {
	if len(entries) == 0 {
		return nil
	}
	args := []any{"XCLAIM", s.k.pollUpdates(), replicaGroup, consumer, 0}
	for _, e := range entries {
		if !streamID.MatchString(e) {
			return fmt.Errorf("keep updates: entry %q: %w", e, renovote.ErrInvalid)
		}
		args = append(args, e)
	}
	args = append(args, "JUSTID")
	if err := s.rdb.Do(ctx, args...).Err(); err != nil && !isNil(err) {
		return fmt.Errorf("keep %d updates: %w", len(entries), err)
	}
	return nil
}

// UpdatesWaiting is the number of handed-over updates not yet handled
// (entries in the stream, taken or not).
func (s *Store) UpdatesWaiting(ctx context.Context) (int64, error) {
	n, err := s.rdb.XLen(ctx, s.k.pollUpdates()).Result()
	if err != nil {
		return 0, fmt.Errorf("updates waiting: %w", err)
	}
	return n, nil
}

// UpdateDone reports whether updateID was handled for good (marked done
// through FinishUpdate, or taken by a single poller's FirstSeen); false while
// it is claimed, after a failed attempt, or unknown.
func (s *Store) UpdateDone(ctx context.Context, updateID int64) (bool, error) {
	v, err := s.rdb.Get(ctx, s.k.update(updateID)).Result()
	if isNil(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("update %d done: %w", updateID, err)
	}
	return !strings.HasPrefix(v, "run|") && !strings.HasPrefix(v, "fail|"), nil
}

// ExtendUpdate extends token's claim on updateID to lease from now, while
// the holder still handles it; false when the claim is not token's any more.
func (s *Store) ExtendUpdate(ctx context.Context, updateID int64, token string, lease time.Duration) (bool, error) {
	if !validClaimToken(token) || lease < time.Millisecond {
		return false, fmt.Errorf("extend update %d: %w", updateID, renovote.ErrInvalid)
	}
	_, res, err := s.run(ctx, scriptUpdateExtend, []string{s.k.update(updateID)}, token, lease.Milliseconds())
	if err != nil {
		return false, fmt.Errorf("extend update %d: %w", updateID, err)
	}
	n, _ := res[0].(int64)
	return n == 1, nil
}
