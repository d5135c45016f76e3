// Package storedump is the interchange between renovote's two stores: a Dump
// holds everything a store keeps that matters beyond a restart (the
// programme and retired compounds, registers, votes with their audit trail,
// bindings, invitations, survey answers and audit, problem reports,
// supervisors, objections, reminders, staff with their audit and open
// invitations, notices with their delivery state, the outbox's unsent
// messages, unreachable chats, dead letters, announcements, job histories).
// store.Store (Redis) and sqlstore.Store (SQLite) each export one and import
// one into an empty store; Copy does both, for `renovote migrate`.
//
// Left out on purpose, being short-lived: op ids (migrate with the bot
// stopped, so no command is being retried), seen update ids, code-attempt
// throttles, conversation sessions, running job claims. A code revoked before
// the copy is unknown after it (rather than revoked); an outbox message that
// was claimed is queued anew (its sender is gone).
//
// It imports the domain package only.
package storedump
