// Package ports holds only a test: the compile-time check that *store.Store
// implements dialogs.Store and bot.Outbox.
package ports
