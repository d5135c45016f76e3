// Package bot is the Telegram edge of renovote: updates in, replies out. It is the
// only package that imports github.com/go-telegram/bot.
//
// It owns long polling, turning an update into a dialogs.Input, serial handling
// per chat (a chat's updates in one shard, in order), dropping update ids
// seen before, recovering panics, answering every callback query, and sending
// a dialogs.Response through a rate limiter with retries on 429. It also
// delivers the bulk messages of an Outbox (notices, reminders) within
// Telegram's limits, replies going first (outbox.go, limit.go). The
// go-telegram client makes every Bot API call but getUpdates.
//
// Long polling alone (poll.go) runs its own getUpdates loop and confirms an
// update to Telegram (the offset) only once it is safe: handled and, when
// Dedupe is an UpdateLog (the store), marked done in the store; or, when
// Dedupe is also an UpdateJournal (the Redis and SQLite stores), journaled
// in the store as it is taken, one write per poll. The journal lets the
// offset move on at once, so polls bring only new updates and up to
// maxInFlight (1000) are handled at once; a start handles what the journal
// still holds first. The marks are written in batches by one goroutine (a
// mark deletes its update from the journal, so it waits for the update's
// journal write; for a journaled update the deletion is the whole mark,
// JournalDone, counted as done up to the id each journal write records as
// fully journaled), and the ids of the first poll after the start (the only
// ones a process before can have handled) are looked up in one call. So an
// update taken by a process killed before it was marked is handled at the
// next start, from the journal or from Telegram, at least once (a vote is
// idempotent by its update id, so it counts once); one marked done is not
// handled again (a mark lasts the store's UpdateTTL, a day, as long as
// Telegram keeps an update); an update dropped at shutdown (HandleTimeout)
// is not marked and comes again too. Without an UpdateLog, FirstSeen is
// asked per update as it is handled.
//
// Instead of long polling it can serve a webhook of its own (webhook.go):
// it sets the webhook at start, checks the secret token header, handles each
// update through the same per-chat shards, and answers 200 only once the
// update was handled and its replies sent, non-2xx when Telegram should
// deliver it again; an update is handled once across replicas by claims in
// the store (UpdateClaims).
//
// Several long-polling processes of one bot (replicas, Config.Replicas)
// elect one poller through a lease in the store, which hands the updates to
// all of them through the store's stream; each update is claimed and handled
// by one replica, a chat's in order, and a dead replica's are taken over
// (replica.go). Replicas share one rate limit in the store, with the pause
// after a 429 (limit_shared.go).
//
// It must not decide anything about ballots or wording: that is dialogs. It must
// not import go-redis or store; it uses the small interfaces declared here.
package bot
