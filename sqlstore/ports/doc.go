// Package ports holds only a test: the compile-time check that
// *sqlstore.Store serves every port the Redis store serves (the
// conversations', the bot's outbox, the scheduler's, the reports' and the
// health check's).
package ports
