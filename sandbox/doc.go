// Package sandbox lets anyone try renovote without Telegram: a web page on
// localhost where a person picks who to be (any member of any household of
// the register, a community worker, the bureau, the admin) and chats with the
// real bot, which talks to a fake Telegram (bot/bottest) exactly as it would to
// Telegram; several chats side by side; a clock that can be moved forward so
// that reminders, phase announcements and timed notices happen at once.
//
// # What it owns
//
//   - Clock: the sandbox's time, the real time plus an offset kept in the
//     sandbox directory (clock.json), so that the seed programme of 2020 is
//     "now" and a restart goes on where it stopped. It only moves forward.
//   - Identities (users.json): the Telegram user ids of the household
//     members the page has acted as, allocated on demand; the staff ids are
//     fixed (Bureau, WorkerBase+i for the i-th compound, Admin).
//   - Time travel: the targets (one hour on, tomorrow 19:00, the next phase,
//     a compound's ballot close), the jump, and the pump that runs the
//     scheduler's skipped ticks (Config.RunDue, scheduler.RunDue in the
//     command) whenever the clock passes them, with the marks (phase starts,
//     timed notices) that the minute checks need.
//   - The chat page and its endpoints: GET / (the page: html/template, inline
//     CSS and vanilla JS, nothing from another site), /api/... (JSON, and
//     Server-Sent Events for a chat's new and edited messages), /files/ID
//     (photos and documents the bot sent). They act on the fake through its
//     Go API (the same calls as its HTTP control API). Chinese first,
//     English when the browser prefers it (or ?lang=en).
//   - The fake's chats across restarts (telegram.json, bottest.Snapshot).
//
// The command (cmd/renovote sandbox) wires the store, the bot, the dialogs,
// the scheduler and the dashboard around it; this package sees the store
// through the small Store interface and the scheduler through a function.
//
// It is for one person on one machine: the endpoints have no authentication
// (listen on localhost), and refuse requests a web page of another site could
// send (JSON bodies only, a custom header on uploads).
//
// It imports the domain, bot/bottest and the standard library. It must not
// import go-telegram, go-redis, store, bot, dialogs or scheduler (tests may).
package sandbox
