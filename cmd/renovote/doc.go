// Command renovote runs the renovote Telegram bot and its staff commands
// (programme apply, register import, invite export, tally, paper ballots).
//
// It is wiring only: configuration from the environment with flag overrides,
// slog, and ordered shutdown. Logic lives in the domain, dialogs, store and bot
// packages; nothing here decides a ballot.
package main
