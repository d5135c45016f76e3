// Package loadtest is the engine of `renovote load`: it measures how many vote
// presses the whole bot handles per second, and how fast, against a bare bot
// that makes the same Telegram calls and nothing else, in one run.
//
// # What it owns
//
//   - The run: a fake Telegram (bot/bottest) over HTTP on loopback, the seed
//     programme (programme.Seed) with its generated register
//     (register.GenerateSeed) applied to the store it is given, and N
//     simulated residents, each bound to a household of its own through the
//     bot (/start with the household's invitation, the confirmation, /vote),
//     as a person would.
//   - The two bots, measured in turn under identical conditions: the same
//     fake server and residents, package bot on the same go-telegram client
//     with the same configuration (shards, one update of a chat at a time,
//     the outgoing-call limiter, no spacing of a chat's replies). The full
//     bot is renovote's: dialogs on the store, the store's update log and
//     journal (the first poll looked up, a journal write per poll, done marks
//     in batches) and outbox. The bare bot's
//     handler answers each press and edits its message (the same two Bot
//     API calls a vote makes), with no logic and no storage (its update log
//     and update journal remember nothing, but are there, so both bots poll
//     the same way: each poll's updates confirmed at the next).
//   - The residents' loop: closed, one press at a time per resident
//     (agree, disagree, agree, ...); the next press only once the bot has
//     both answered the press and edited the message. A press's latency runs
//     from the press to the moment the fake server receives the later of
//     the two calls; the residents' eyes are a bottest.Intercept hook that
//     sees each call as it arrives, so that waiting costs the harness nothing
//     per other resident.
//   - The figures (throughput in presses per second, latency percentiles),
//     the ratio of the full bot's throughput to the bare bot's, and the
//     check of correctness under load: the counters equal the recount, every
//     press the full bot acknowledged is one entry of the audit trail, and
//     every household's stored choice is its resident's last press.
//   - A throwaway redis-server with an append-only file fsynced at every
//     write (StartRedis), for the figure the goal names.
//
// It must not import go-telegram or go-redis: it drives package bot and a
// store through their own APIs. cmd/renovote wires the store and prints the
// result.
package loadtest
