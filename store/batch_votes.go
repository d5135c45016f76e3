package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// A vote goes to the batcher as a batchVote, not as commands: the votes of
// one compound in a pipeline are cast by one call of the vote script
// (scripts/vote.lua), which applies them in turn, for much less of Redis's
// time per vote than a call each (README, Performance).

// batchVote is a vote's part of a batched pipeline (batchOp.vote).
type batchVote struct {
	tag   string    // the compound's hash tag: votes group by it
	fixed [9]string // the script's KEYS before the op keys
	opKey string
	args  []any // the script's ARGV for this vote
	ttl   int64 // the op key's, ms

	// The reply of the script call that carried the vote, and the vote's
	// place in it.
	group *redis.Cmd
	index int
}

// voteArgs are the vote script's arguments per vote.
const voteArgs = 12

// newBatchVote prepares a vote of compound ck for the vote script.
func newBatchVote(ck compoundKeys, opKey string, ttl int64, args []any) *batchVote {
	return &batchVote{tag: ck.tag, opKey: opKey, args: args, ttl: ttl,
		fixed: [9]string{ck.meta, ck.hh, ck.choice, ck.votes, ck.tally, ck.ownAgree, ck.ownDisagree, ck.audit, ck.members}}
}

// voteGroup is one vote script call: the votes of a compound in a pipeline.
type voteGroup struct {
	ops  []*batchOp
	keys []string
	args []any
	cmd  *redis.Cmd
}

// voteCall returns the vote script's keys and arguments for votes (of one
// compound), in order.
func voteCall(votes []*batchVote) (keys []string, args []any) {
	keys = make([]string, 0, 9+len(votes))
	keys = append(keys, votes[0].fixed[:]...)
	args = make([]any, 0, 2+voteArgs*len(votes))
	args = append(args, votes[0].ttl, len(votes))
	for _, v := range votes {
		keys = append(keys, v.opKey)
		args = append(args, v.args...)
	}
	return keys, args
}

// queueVotes adds batch's commands to p: the votes of each compound in one
// vote script call, every other op as it queues itself. It returns the vote
// script calls.
func queueVotes(ctx context.Context, p redis.Pipeliner, batch []*batchOp) []*voteGroup {
	groups := map[string]*voteGroup{}
	var out []*voteGroup
	for _, op := range batch {
		if op.vote == nil {
			op.queue(p)
			continue
		}
		g := groups[op.vote.tag]
		if g == nil {
			g = &voteGroup{}
			groups[op.vote.tag] = g
			out = append(out, g)
		}
		g.ops = append(g.ops, op)
	}
	for _, g := range out {
		votes := make([]*batchVote, len(g.ops))
		for i, op := range g.ops {
			votes[i] = op.vote
		}
		g.keys, g.args = voteCall(votes)
		g.cmd = scriptVote.EvalSha(ctx, p, g.keys, g.args...)
		g.hand()
	}
	return out
}

// hand gives each vote of the group the group's reply and its place in it.
func (g *voteGroup) hand() {
	for i, op := range g.ops {
		op.vote.group, op.vote.index = g.cmd, i
	}
}

// sendAgain runs again, whole (EVAL), each group whose node lacked the vote
// script, and so did not run it: from the pipeline's goroutine, before any
// of its callers is released, so that the votes keep their order and stay
// one script call.
func sendAgain(ctx context.Context, rdb redis.UniversalClient, groups []*voteGroup) {
	for _, g := range groups {
		if err := g.cmd.Err(); err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
			g.cmd = scriptVote.Run(ctx, rdb, g.keys, g.args...)
			g.hand()
		}
	}
}

// voteReply reads vote i's reply from the vote script's reply.
func voteReply(all []any, err error, i int) (string, []any, error) {
	if err != nil {
		return "", nil, err
	}
	if i >= len(all) {
		return "", nil, fmt.Errorf("vote script: %d replies for vote %d", len(all), i+1)
	}
	mine, ok := all[i].([]any)
	if !ok {
		return "", nil, fmt.Errorf("vote script: reply %d is %T", i+1, all[i])
	}
	if len(mine) > 0 && mine[0] == "BADHOUSEHOLD" {
		return "", nil, errors.New("the stored household could not be decoded")
	}
	return scriptReply(mine, nil)
}

// castBatched casts a vote in the pipeline of the moment, in one script
// call with the other votes of its compound there.
func (s *Store) castBatched(ctx context.Context, v *batchVote) (string, []any, error) {
	if err := s.batch.doVote(ctx, v); err != nil {
		return "", nil, err
	}
	all, err := v.group.Slice()
	return voteReply(all, err, v.index)
}
