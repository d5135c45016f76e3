package store

// CounterBatch is how many compounds one pipeline of Tallies and Counters reads.
const CounterBatch = counterBatch
