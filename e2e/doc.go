// Package e2e holds end-to-end tests: the real go-telegram client in package bot
// talks over HTTP to the fake Bot API server (bot/bottest), the conversations run
// in dialogs, and votes land in the store on real Redis (REDIS_URL) or miniredis.
// It has no non-test code.
package e2e
