// Package sqlstore keeps renovote's data in one SQLite file in a data
// directory (modernc.org/sqlite, pure Go, no cgo), for a bot run by exactly one
// process: the embedded, durable store used when no REDIS_URL is configured.
//
// It owns:
//   - the schema, versioned in the code: schema/NNNN_*.sql, embedded and
//     applied in order at Open, each in one transaction with its version
//     recorded in schema_version; a database newer than the code is refused.
//   - the data directory's lock: Open takes an exclusive flock on
//     DIR/renovote.lock for the life of the Store, so a second process (or a
//     second Open in the same process) fails at once with ErrLocked and a
//     message naming the directory.
//   - the file's durability settings: WAL, synchronous=FULL (a write is on
//     disk when it returns), a busy timeout, foreign keys on.
//   - the same exported method set as store.Store (the Redis store), with the
//     same semantics and domain errors (renovote.ErrBallotClosed, ...):
//     every write is one transaction on the single writer connection; votes,
//     survey answers, report filings and moves, reminders and notices are
//     idempotent by op id exactly like the Lua scripts (a retried write
//     changes nothing and returns the first result, so an older retried vote
//     never overwrites a newer one); the vote, survey, staff and register
//     audits are append-only tables (triggers refuse UPDATE and DELETE).
//   - the outbox as a table with claim columns instead of a stream and a
//     consumer group: ClaimOutbox takes rows claimed longer than minIdle ago
//     over (Attempts counts deliveries), then new rows; SettleOutbox deletes
//     the row and counts the (notice, chat) outcome once.
//
// The tally is computed from the register, the current votes and the members
// in one read transaction (so it is exact by construction); the survey
// counters are kept in the submission's transaction, and RecountSurvey
// recomputes them from scratch as the ground truth.
//
// It imports the domain package, database/sql with modernc.org/sqlite, and
// the store package for the value types the two stores share (RunRecord,
// ReminderTarget, AuditEntry, ...) and SortHouseholds. It must not import
// go-redis, go-telegram, the bot or the dialogs (except in tests). It never
// logs and never puts personal data (names, phones, invitation codes) into
// errors.
package sqlstore
