package store

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// Updates received through the webhook, handled once across processes.
// Telegram redelivers an update until an endpoint answers it with 2xx, to any
// replica behind the load balancer. So an update is marked done only after it
// was handled (FinishUpdate); while a process handles it, it holds a claim
// with a lease (a process that dies holding one blocks the update only until
// the lease expires), and a failed attempt releases the claim (ReleaseUpdate),
// counted, so that the next delivery is handled again and an update that
// always fails can be given up. The key is the one FirstSeen (long polling)
// uses: an update taken by a poller counts as done.

var (
	//go:embed scripts/update_claim.lua
	luaUpdateClaim string
	//go:embed scripts/update_release.lua
	luaUpdateRelease string

	scriptUpdateClaim   = redis.NewScript(luaUpdateClaim)
	scriptUpdateRelease = redis.NewScript(luaUpdateRelease)
)

// ClaimUpdate claims updateID for handling under token (random, unique to
// this delivery) for lease. A retry of the same call (same token) whose reply
// was lost gets its claim back. Done and failure records are kept for
// Options.UpdateTTL.
func (s *Store) ClaimUpdate(ctx context.Context, updateID int64, token string, lease time.Duration) (renovote.UpdateClaim, error) {
	if !validClaimToken(token) || lease <= 0 {
		return renovote.UpdateClaim{}, fmt.Errorf("claim update %d: %w", updateID, renovote.ErrInvalid)
	}
	_, res, err := s.run(ctx, scriptUpdateClaim, []string{s.k.update(updateID)}, token, max(lease.Milliseconds(), 1))
	if err != nil {
		return renovote.UpdateClaim{}, fmt.Errorf("claim update %d: %w", updateID, err)
	}
	c := renovote.UpdateClaim{Status: renovote.UpdateStatus(str(res, 0))}
	n, _ := res[len(res)-1].(int64)
	switch c.Status {
	case renovote.UpdateClaimed:
		c.Attempt = int(n)
	case renovote.UpdateBusy:
		c.Wait = time.Duration(max(n, 0)) * time.Millisecond
	case renovote.UpdateDone:
	default:
		return renovote.UpdateClaim{}, fmt.Errorf("claim update %d: unexpected reply %v", updateID, res)
	}
	return c, nil
}

// FinishUpdate marks updateID done: every later claim answers UpdateDone.
// It is a plain write, so a retry is harmless, and it marks the update done
// even when the claim expired meanwhile (the handling did finish).
func (s *Store) FinishUpdate(ctx context.Context, updateID int64, token string) error {
	if !validClaimToken(token) {
		return fmt.Errorf("finish update %d: %w", updateID, renovote.ErrInvalid)
	}
	if err := s.rdb.Set(ctx, s.k.update(updateID), "done|"+token, s.opts.UpdateTTL).Err(); err != nil {
		return fmt.Errorf("finish update %d: %w", updateID, err)
	}
	return nil
}

// ReleaseUpdate gives up token's claim on updateID after a failed attempt, so
// that a redelivery handles it again; the attempt is remembered. It does
// nothing when the claim is not token's any more.
func (s *Store) ReleaseUpdate(ctx context.Context, updateID int64, token string) error {
	if !validClaimToken(token) {
		return fmt.Errorf("release update %d: %w", updateID, renovote.ErrInvalid)
	}
	if _, _, err := s.run(ctx, scriptUpdateRelease, []string{s.k.update(updateID)}, token, s.opts.UpdateTTL.Milliseconds()); err != nil {
		return fmt.Errorf("release update %d: %w", updateID, err)
	}
	return nil
}

// validClaimToken: a token is stored between '|' separators.
func validClaimToken(t string) bool {
	return t != "" && len(t) <= 128 && !strings.ContainsAny(t, "|{}")
}
