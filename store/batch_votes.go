package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Votes of one compound that go out in the same pipeline are cast by one
// script (vote_batch.lua) instead of one vote.lua each: the same effects, in
// the same order, for much less of Redis's time per vote (README,
// Performance). A vote alone in its pipeline runs vote.lua as before.

// batchVote is a vote's part of a batched pipeline (batchOp.vote).
type batchVote struct {
	tag   string    // the compound's hash tag: votes group by it
	fixed [9]string // vote_batch.lua's KEYS before the op keys
	opKey string
	args  []any // vote.lua's ARGV without the op TTL (the last)
	ttl   int64

	single *redis.Cmd // the vote alone: vote.lua's reply
	// Grouped with others: the group's reply, and this vote's place in it.
	group *redis.Cmd
	index int
}

// voteArgs are the arguments of vote.lua per vote (all but the op TTL).
const voteArgs = 12

// voteGroup is one vote_batch.lua call of a pipeline.
type voteGroup struct {
	ops  []*batchOp
	keys []string
	args []any
	cmd  *redis.Cmd
}

// queueVotes adds batch's commands to p: the votes of a compound with others
// in one vote_batch.lua, every other op as it queues itself. It returns the
// vote_batch.lua calls.
func queueVotes(ctx context.Context, p redis.Pipeliner, batch []*batchOp) []*voteGroup {
	groups := map[string][]*batchOp{}
	var order []string
	for _, op := range batch {
		if op.vote == nil {
			op.queue(p)
			continue
		}
		if _, ok := groups[op.vote.tag]; !ok {
			order = append(order, op.vote.tag)
		}
		groups[op.vote.tag] = append(groups[op.vote.tag], op)
	}
	var out []*voteGroup
	for _, tag := range order {
		g := groups[tag]
		if len(g) == 1 {
			g[0].queue(p)
			continue
		}
		keys := make([]string, 0, 9+len(g))
		keys = append(keys, g[0].vote.fixed[:]...)
		args := make([]any, 0, 2+voteArgs*len(g))
		args = append(args, g[0].vote.ttl, len(g))
		for _, op := range g {
			keys = append(keys, op.vote.opKey)
			args = append(args, op.vote.args...)
		}
		vg := &voteGroup{ops: g, keys: keys, args: args, cmd: scriptVoteBatch.EvalSha(ctx, p, keys, args...)}
		vg.hand()
		out = append(out, vg)
	}
	return out
}

// hand gives each vote of the group the group's reply and its place in it.
func (g *voteGroup) hand() {
	for i, op := range g.ops {
		op.vote.group, op.vote.index = g.cmd, i
	}
}

// sendAgain runs again, whole (EVAL), each group whose node lacked
// vote_batch.lua, and so did not run it: from the pipeline's goroutine,
// before any of its callers is released, so that the votes keep their order
// and stay one script.
func sendAgain(ctx context.Context, rdb redis.UniversalClient, groups []*voteGroup) {
	for _, g := range groups {
		if err := g.cmd.Err(); err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
			g.cmd = scriptVoteBatch.Run(ctx, rdb, g.keys, g.args...)
			g.hand()
		}
	}
}

// reply is the vote's reply, as vote.lua's would be; noScript says the
// node lacked the script that carried it, which then did not run.
func (v *batchVote) reply() (st string, res []any, noScript bool, err error) {
	cmd := v.single
	if v.group != nil {
		cmd = v.group
	}
	if err := cmd.Err(); err != nil {
		return "", nil, redis.HasErrorPrefix(err, "NOSCRIPT"), err
	}
	if v.group == nil {
		st, res, err = scriptReply(cmd.Slice())
		return st, res, false, err
	}
	all, err := v.group.Slice()
	if err != nil {
		return "", nil, false, err
	}
	if v.index >= len(all) {
		return "", nil, false, fmt.Errorf("vote batch: %d replies for vote %d", len(all), v.index+1)
	}
	mine, ok := all[v.index].([]any)
	if !ok {
		return "", nil, false, fmt.Errorf("vote batch: reply %d is %T", v.index+1, all[v.index])
	}
	if len(mine) > 0 && mine[0] == "BADHOUSEHOLD" {
		return "", nil, false, errors.New("the stored household could not be decoded")
	}
	st, res, err = scriptReply(mine, nil)
	return st, res, false, err
}

// castBatched casts a vote in the pipeline of the moment, grouped with the
// other votes of its compound there.
func (s *Store) castBatched(ctx context.Context, ck compoundKeys, opKey string, keys []string, args []any) (string, []any, error) {
	v := &batchVote{tag: ck.tag, opKey: opKey, args: args[:voteArgs], ttl: s.opts.OpTTL.Milliseconds(),
		fixed: [9]string{ck.meta, ck.hh, ck.choice, ck.votes, ck.tally, ck.ownAgree, ck.ownDisagree, ck.audit, ck.members}}
	if err := s.batch.doVote(ctx, v, func(p redis.Pipeliner) { v.single = scriptVote.EvalSha(ctx, p, keys, args...) }); err != nil {
		return "", nil, err
	}
	st, res, noScript, err := v.reply()
	if noScript {
		return s.run(ctx, scriptVote, keys, args...)
	}
	return st, res, err
}
