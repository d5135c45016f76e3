package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/redis/go-redis/v9"
)

// A vote press makes two round trips (ReadTurn, then the vote script), and
// the lone poller one per poll and per batch of done marks (SeenUpdates,
// UpdatesDone). Under load many are made at once, each on a connection of
// its own, and each costs Redis a read, a write and, with appendfsync
// always, often an fsync of its own (one per event-loop turn that wrote).
// The batcher sends the commands of concurrent callers in one pipeline
// instead: while Options.Batch pipelines are in flight, new callers queue,
// and the next pipeline takes every caller queued (at most maxBatch). Under
// light load a caller goes at once, alone: no wait is added. Each caller still gets its own commands' replies and errors; a
// pipeline that fails as a whole (the connection) fails each of its callers,
// as their own round trip would have. Only commands that are safe to send
// again go through it (reads, and scripts idempotent under the client's
// retries), since go-redis retries a pipeline whose reply was lost. The
// votes of one compound in a pipeline are cast by one call of the vote
// script (batch_votes.go).

// maxBatch bounds the callers of one pipeline.
const maxBatch = 128

// defaultBatch is how many batched pipelines may be in flight at once: one,
// measured the cheapest per press (README, Performance); the presses that
// come while it is out all go in the next.
const defaultBatch = 1

// batchOp is one caller's part of a pipeline.
type batchOp struct {
	queue func(p redis.Pipeliner) // adds the caller's commands, or
	done  chan struct{}           // closed once the pipeline has answered
	err   error                   // set before done: the commands were not sent
	vote  *batchVote              // or a vote, cast with its compound's (batch_votes.go)
}

// batcher coalesces concurrent callers' commands into pipelines. Its zero
// value is not ready: see newBatcher.
type batcher struct {
	rdb redis.UniversalClient
	max int // pipelines in flight at most; < 1: every caller goes alone

	mu     sync.Mutex
	flying int        // pipelines in flight
	queue  []*batchOp // callers waiting for a pipeline
}

func newBatcher(rdb redis.UniversalClient, max int) *batcher {
	return &batcher{rdb: rdb, max: max}
}

// do runs queue's commands in a pipeline, shared with the callers of the
// moment, and returns once they have their replies (read them from the
// commands queue made), or ctx's error if ctx ends first: the commands are
// then never sent if they were still queued, and may still run if their
// pipeline had left, as a command whose reply is lost may.
func (b *batcher) do(ctx context.Context, queue func(p redis.Pipeliner)) error {
	return b.enqueue(ctx, &batchOp{queue: queue})
}

// doVote casts v in a pipeline shared with the callers of the moment, as do
// runs commands: its reply is then in v.
func (b *batcher) doVote(ctx context.Context, v *batchVote) error {
	return b.enqueue(ctx, &batchOp{vote: v})
}

// enqueue sends op in the pipeline of the moment (alone when batching is
// off) and waits for it as do says.
func (b *batcher) enqueue(ctx context.Context, op *batchOp) error {
	if b.max < 1 {
		p := b.rdb.Pipeline()
		groups := queueVotes(ctx, p, []*batchOp{op})
		_, _ = p.Exec(ctx)
		sendAgain(ctx, b.rdb, groups)
		return nil
	}
	op.done = make(chan struct{})
	b.mu.Lock()
	if b.flying < b.max {
		b.flying++
		n := min(len(b.queue), maxBatch-1) // the rest goes next
		batch := append([]*batchOp{op}, b.queue[:n]...)
		b.queue = b.queue[n:]
		b.mu.Unlock()
		b.start(ctx, batch)
	} else {
		b.queue = append(b.queue, op)
		b.mu.Unlock()
	}
	select {
	case <-op.done:
		return op.err
	case <-ctx.Done():
		return b.abandon(ctx, op)
	}
}

// abandon takes op out of the queue if it is still there (its commands are
// then never sent) and returns ctx's error, or op's outcome if it came
// meanwhile.
func (b *batcher) abandon(ctx context.Context, op *batchOp) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-op.done:
		return op.err
	default:
	}
	if i := slices.Index(b.queue, op); i >= 0 {
		b.queue = slices.Delete(b.queue, i, i+1)
	}
	return ctx.Err()
}

// send runs one pipeline for batch and releases its callers; it returns the
// pipeline's failure to reach the server, if any (not a command's error
// reply). The pipeline outlives any one caller's context: the others wait
// for it.
func (b *batcher) send(ctx context.Context, batch []*batchOp) error {
	p := b.rdb.Pipeline()
	groups := queueVotes(ctx, p, batch)
	// Each command carries its own error; the callers read them.
	_, err := p.Exec(context.WithoutCancel(ctx))
	sendAgain(context.WithoutCancel(ctx), b.rdb, groups)
	for _, op := range batch {
		close(op.done)
	}
	var reply redis.Error
	if err == nil || errors.As(err, &reply) {
		return nil
	}
	return err
}

// next hands the callers queued meanwhile to the next pipeline, or frees
// the pipeline's place. After a pipeline that could not reach the
// server (the client's retries spent), the callers queued behind it fail at
// once, their commands unsent, as their own round trip would have failed:
// waiting for another pipeline to time out would only keep a resident
// longer from hearing that the vote was not recorded.
func (b *batcher) next(ctx context.Context, failed error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if failed != nil {
		for _, op := range b.queue {
			op.err = fmt.Errorf("not sent, the pipeline before failed: %w", failed)
			close(op.done)
		}
		b.queue = nil
	}
	if len(b.queue) == 0 {
		b.flying--
		return
	}
	n := min(len(b.queue), maxBatch)
	batch := b.queue[:n:n]
	b.queue = b.queue[n:]
	if len(b.queue) == 0 {
		b.queue = nil
	}
	b.start(ctx, batch)
}

// start sends batch from a goroutine of its own, so that its callers, the
// one that started it too, can stop waiting when their context ends (the
// client would not stop for it); then it goes on with the queue (next).
func (b *batcher) start(ctx context.Context, batch []*batchOp) {
	ctx = context.WithoutCancel(ctx)
	go func() { b.next(ctx, b.send(ctx, batch)) }()
}
