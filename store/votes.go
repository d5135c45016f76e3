package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// CastVote sets a household's vote in one script in the compound's slot: a
// command whose OpID was applied before returns the stored receipt (Replayed)
// and changes nothing; otherwise it checks the household (renovote.ErrNotFound,
// renovote.ErrRemoved) and the ballot window at cmd.At ([opens, closes):
// renovote.ErrBallotNotOpen, renovote.ErrBallotClosed), sets the vote, adjusts
// the counters, appends an audit entry (also for an unchanged choice) and keeps
// the receipt under the OpID for Options.OpTTL. In the confirmed mode
// (Options.ConfirmReplicas) it then waits for the replicas, and the receipt,
// a replayed one too, is Pending when fewer acknowledged the vote in time.
func (s *Store) CastVote(ctx context.Context, cmd renovote.VoteCmd) (renovote.Receipt, error) {
	rc, _, _, err := s.castVote(ctx, cmd)
	return rc, err
}

// CastVoteView is CastVote, returning also the household and its bound
// members (sorted) as the vote's script found them: a vote press shows them
// without another round trip. A refused vote returns no household.
func (s *Store) CastVoteView(ctx context.Context, cmd renovote.VoteCmd) (renovote.Receipt, renovote.Household, []int64, error) {
	rc, hjs, members, err := s.castVote(ctx, cmd)
	if err != nil {
		return rc, renovote.Household{}, nil, err
	}
	if hjs == "" { // a replay of a household removed from the register since
		return rc, renovote.Household{}, nil, fmt.Errorf("cast vote %s: household: %w", cmd.Ref, renovote.ErrNotFound)
	}
	h, err := s.hhs.decode(hjs)
	if err != nil {
		return rc, h, nil, fmt.Errorf("cast vote %s: %w", cmd.Ref, err)
	}
	return rc, h, parseMembers(members), nil
}

// castVote runs the vote script: the receipt, and the household's JSON and
// members list as the script read them.
func (s *Store) castVote(ctx context.Context, cmd renovote.VoteCmd) (_ renovote.Receipt, hjs, members string, _ error) {
	wrap := func(err error) error { return fmt.Errorf("cast vote %s: %w", cmd.Ref, err) }
	if err := cmd.Validate(); err != nil {
		return renovote.Receipt{}, "", "", wrap(err)
	}
	ck, err := s.checkRef(cmd.Ref)
	if err != nil {
		return renovote.Receipt{}, "", "", wrap(err)
	}
	if len(cmd.OpID) > maxIDLen*2 {
		return renovote.Receipt{}, "", "", wrap(fmt.Errorf("op id too long: %w", renovote.ErrInvalid))
	}
	at := cmd.At.UTC()
	vote, err := json.Marshal(renovote.HouseholdVote{
		Choice: cmd.Choice, Channel: cmd.Channel, Actor: cmd.Actor, At: at,
		ReceiptID: cmd.ReceiptID, Evidence: cmd.Evidence,
	})
	if err != nil {
		return renovote.Receipt{}, "", "", wrap(err)
	}
	rc := renovote.Receipt{ID: cmd.ReceiptID, Ref: cmd.Ref, Choice: cmd.Choice, Channel: cmd.Channel, At: at}
	rcjs, err := json.Marshal(rc)
	if err != nil {
		return renovote.Receipt{}, "", "", wrap(err)
	}
	update := ""
	if cmd.UpdateID != 0 {
		update = strconv.FormatInt(cmd.UpdateID, 10)
	}
	args := []any{cmd.Ref.HouseholdID, string(cmd.Choice), string(cmd.Channel), cmd.Actor,
		strconv.FormatInt(at.Unix(), 10), strconv.Itoa(at.Nanosecond()), fmtTime(at),
		cmd.ReceiptID, cmd.Evidence, update, string(vote), string(rcjs)}
	v := newBatchVote(ck, ck.op(cmd.OpID), s.opts.OpTTL.Milliseconds(), args)
	var (
		st      string
		res     []any
		pending bool
	)
	if s.opts.ConfirmReplicas > 0 {
		// Alone, on the compound's master, followed by WAIT.
		keys, args := voteCall([]*batchVote{v})
		var (
			all   []any
			acked int64
		)
		all, acked, err = s.runConfirmed(ctx, scriptVote, keys, args...)
		st, res, err = voteReply(all, err, 0)
		pending = acked < int64(s.opts.ConfirmReplicas)
	} else {
		st, res, err = s.castBatched(ctx, v)
	}
	if err != nil {
		return renovote.Receipt{}, "", "", wrap(err)
	}
	if st == "REPLAY" {
		prev, js, _ := strings.Cut(str(res, 0), "|")
		var old renovote.Receipt
		if err := json.Unmarshal([]byte(js), &old); err != nil {
			return renovote.Receipt{}, "", "", wrap(fmt.Errorf("decode stored receipt: %w", err))
		}
		old.Previous = renovote.Choice(prev)
		old.Replayed = true
		old.Pending = pending
		return old, str(res, 1), str(res, 2), nil
	}
	if st != "OK" {
		return renovote.Receipt{}, "", "", wrap(fmt.Errorf("vote script answered %q", st))
	}
	rc.Previous = renovote.Choice(str(res, 0))
	rc.Pending = pending
	return rc, str(res, 1), str(res, 2), nil
}

// CurrentVote returns the household's current vote, if any
// (renovote.ErrNotFound for an unknown household).
func (s *Store) CurrentVote(ctx context.Context, ref renovote.HouseholdRef) (renovote.HouseholdVote, bool, error) {
	wrap := func(err error) error { return fmt.Errorf("current vote %s: %w", ref, err) }
	ck, err := s.checkRef(ref)
	if err != nil {
		return renovote.HouseholdVote{}, false, wrap(err)
	}
	var exists *redis.BoolCmd
	var vote *redis.StringCmd
	if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		exists = p.HExists(ctx, ck.hh, ref.HouseholdID)
		vote = p.HGet(ctx, ck.votes, ref.HouseholdID)
		return nil
	}); err != nil && !isNil(err) {
		return renovote.HouseholdVote{}, false, wrap(err)
	}
	if !exists.Val() {
		return renovote.HouseholdVote{}, false, wrap(renovote.ErrNotFound)
	}
	if isNil(vote.Err()) {
		return renovote.HouseholdVote{}, false, nil
	}
	var v renovote.HouseholdVote
	if err := json.Unmarshal([]byte(vote.Val()), &v); err != nil {
		return v, false, wrap(fmt.Errorf("decode vote: %w", err))
	}
	return v, true, nil
}

// Votes returns every stored current vote of the compound by household id,
// removed households' included (they no longer count in the tally).
func (s *Store) Votes(ctx context.Context, compoundID string) (map[string]renovote.HouseholdVote, error) {
	wrap := func(err error) error { return fmt.Errorf("votes %s: %w", compoundID, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return nil, wrap(err)
	}
	h, err := s.readHashes(ctx, ck, ck.votes)
	if err != nil {
		return nil, wrap(err)
	}
	all := h[0]
	out := make(map[string]renovote.HouseholdVote, len(all))
	for id, js := range all {
		var v renovote.HouseholdVote
		if err := json.Unmarshal([]byte(js), &v); err != nil {
			return nil, wrap(fmt.Errorf("decode vote: %w", err))
		}
		out[id] = v
	}
	return out, nil
}
