// Package dialogs holds the bot's conversations as plain Go: binding a chat
// user to a household with an invitation code, the consent ballot (/vote and
// its buttons), paper and proxy ballots entered by community workers (/paper),
// tallies (/tally), the renovation survey (/survey, a draft edited step by
// step in one message, kept in the session for days) and its results
// (/survey_results), problem reports with photos (/report_problem, sent to
// the compound's workers and the admins, who acknowledge and resolve them;
// /reports, /supervisor), notices to residents (/notice, composed in one
// message, sent now or scheduled, their delivery shown as it goes; /notices),
// the door-to-door list of households that have not voted (/nonvoters, with
// a CSV or XLSX and a reminder), staff invitations (/invite_staff, /start
// staff-<code>), /staff, /revoke_staff, /addworker and /help; the public
// notice of the ballot (公示): what is recorded for one's household
// (/myvote), objections in the publicity window (/objection, sent to the
// compound's workers like problem reports; /objections, marked handled by
// a button) and the printable notice for staff (/publicity, Config.Publicity);
// a short-lived signed link to the web dashboard for staff (/dashboard,
// Config.DashboardLink; package web serves it).
//
// Roles (roles.go): admins come from Config.Admins, workers and the housing
// bureau from the store (Store.StaffMember), everyone else is a resident.
// Every staff command and staff button press is checked on the server side
// with renovote.Role.Can and renovote.StaffMember.Covers: a worker acts on
// the compounds of their scope only, the bureau reads and changes nothing.
// A refused attempt changes nothing and is logged (user id, role, command or
// button data, reason). CommandsFor gives each role's command menu.
//
// An Engine turns one Input (a message, a command, a button press or a photo,
// as a channel adapter saw it) into a Response (messages to send or edit, and
// the answer to a button press). Engine.Handle keeps a small Session per chat
// in the Store; Engine.Step is the same logic with the session passed in and
// returned, for tests and other adapters.
//
// The package is channel-agnostic: it imports the standard library and the
// root domain package (github.com/renovote/renovote) only. It must not import
// go-telegram, go-redis, cron, or the renovote store and bot packages; storage
// is reached through the Store interface of ports.go, and a Telegram (or any
// other) adapter translates updates to Input and Response to API calls.
//
// A vote's receipt says "recorded" only when the store confirmed the vote;
// one the store holds but could not confirm durable (renovote.Receipt.Pending,
// the Redis store's confirmed mode with too few replicas) is answered
// "received, pending confirmation", with how to check it (messages_confirm.go).
//
// Wording lives in one catalog, messages.go, Chinese and English side by side.
// Replies are plain text (no parse mode): what residents type is data, stored
// and shown back byte for byte.
// Chinese is used when the user's language code is empty or starts with "zh".
// Personal data (owner names, phones) and invitation codes are never logged;
// staff see owners and phones only in /paper and in the door-to-door files.
package dialogs
