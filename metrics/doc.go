// Package metrics owns the bot's Prometheus registry (a private one, with the
// Go and process collectors) and the HTTP handlers of the operations server:
// /healthz, which pings the store, and /metrics.
//
// The bot reports its events through the methods of Metrics (bot.Config.Metrics
// is an interface it satisfies); the package knows nothing of Telegram.
//
// Metrics:
//
//	renovote_updates_total{kind="message|callback"}                 updates handled
//	renovote_handle_seconds                                          histogram of an update's handling, replies included
//	renovote_votes_total{channel}                                    votes cast (telegram, paper, proxy); replays not counted
//	renovote_votes_pending_total{channel}                            votes answered as pending confirmation (confirmed mode, too few replicas)
//	renovote_telegram_429_total                                      429 answers from the Bot API
//	renovote_outbox_sent_total{outcome="delivered|unreachable|failed"} outbox messages settled
//	renovote_outbox_pending                                          outbox messages still to send, read from the store at each scrape
package metrics
