// Package store keeps renovote's data in Redis (go-redis v9, any
// redis.UniversalClient): the applied programme, each compound's register,
// invitations, member bindings, votes, survey answers, problem reports,
// resident supervisors, counters and audit trails, the staff (roles, scopes,
// one-time staff invitations), notices and the outbox the bot sends them
// through, plus the bot's small global state (update de-duplication: the
// lone poller's update journal, whose deletions are the done marks of the
// updates it journaled, the done marks of those it could not, and the
// claims that make a webhook update handled once across replicas,
// code-attempt throttles, conversation sessions), and what several bot
// processes share: the elected poller's lease, offset and hand-off stream
// ({poll}, replicas.go) and the shared rate limit ({rate}, ratelimit.go).
//
// It owns:
//   - every key name, built in keys.go only. A compound's keys share the hash
//     tag {c:<compoundID>}, the staff's {staff}, the outbox's and the notices'
//     {outbox}, so every multi-key script and transaction touches one Redis
//     Cluster slot; global keys are used one key per command or script.
//   - the Lua scripts (scripts/*.lua, embedded, run with EVALSHA falling back to
//     EVAL). Each write script is atomic and idempotent under client retries: a
//     vote, a survey submission, a report filing or move carries an op id kept
//     for Options.OpTTL, imports rebuild the counters from the data, binds and
//     unbinds are resumable steps, staff changes compare the record they
//     change, a notice's creation carries an op id, enqueueing and settling
//     are set operations. The votes of one compound sent in the same
//     pipeline (batch.go) are cast by one call of the vote script, with the
//     effects of a call for each in turn (batch_votes.go).
//   - the counters (renovote.Tally, renovote.SurveyCounts) that the vote, survey
//     and import scripts keep exact; Recount and RecountSurvey recompute them
//     from scratch with renovote.Recount and renovote.CountSurvey. A household
//     removed from the register counts in neither until it is restored.
//   - problem reports: short per-compound ids (R1, R2, ...) from a counter in
//     the filing script, status changes as compare-and-set against the report
//     read, checked with renovote.CanMove.
//   - objections (异议): ids O1, O2, ... the same way; the filing script checks
//     the compound's publicity window (公示期) at the objection's time, an
//     answer is a compare-and-set (renovote.Objection.Answer), and both are
//     appended to the compound's objection audit stream in their script.
//   - staff: one record per member in the {staff} slot, every change (set,
//     revoke, an invitation redeemed) audited in the same script; redeeming is
//     a compare-and-set of the invitation and the record, so it happens once.
//   - notices and the outbox: one stream with the consumer group "senders"
//     (XREADGROUP for new entries, XAUTOCLAIM to take over a dead consumer's);
//     per notice a queued set (a chat is added to the stream only when new to
//     it, so enqueueing is resumable), a settled set (an outcome counts once)
//     and counters the settle script increments.
//
// It never logs and never puts personal data (owner names, phones, invitation
// codes) into errors. It speaks in domain terms and returns renovote's error
// kinds wrapped with the operation, for errors.Is.
//
// Export and Import (dump.go) read and write a whole store as a
// storedump.Dump, for `renovote migrate` to and from the SQLite store.
//
// Topologies (topology.go): Open takes redis:// (one server),
// redis-sentinel:// (a master found through Sentinel, followed across
// failovers) or redis-cluster:// (a Redis Cluster); every read, of votes and
// tallies above all, goes to masters (URL options that read from replicas are
// refused). Scripts are sent whole to a node that lacks them (EVALSHA falling
// back to EVAL on the node of the keys), so every shard and every promoted
// replica gets them. The confirmed mode (Options.ConfirmReplicas, confirm.go)
// runs the vote script and WAIT in one pipeline on the master of the
// compound's slot; a vote fewer replicas acknowledged in time comes back
// Pending (renovote.Receipt.Pending), for the dialogs to say "received,
// pending confirmation" instead of "recorded".
//
// Batching (batch.go, Options.Batch): the round trips of concurrent vote
// presses (ReadTurn, the vote script) and of the lone poller (SeenUpdates,
// JournalDone, UpdatesDone) share pipelines, a few in flight at once, so that under load
// Redis reads, answers and fsyncs the append-only file once for many. Only
// commands safe to send again go there; each caller gets its own replies.
//
// It imports the domain package, go-redis, miniredis (NewMemory) and
// storedump. It must not import go-telegram, the dialogs package (except in
// tests) or the bot.
// Package storetest gives other packages' tests a store on REDIS_URL or an
// in-process miniredis, with a key prefix of their own. The store's behaviour
// tests are the conformance suite store/storesuite, run here (suite_test.go)
// and on the SQLite store (sqlstore); this package's own tests
// (*_redis_test.go, retry_test.go, slots_test.go) test Redis itself.
package store
