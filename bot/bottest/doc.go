// Package bottest is a fake Telegram Bot API server that runs over real
// HTTP on 127.0.0.1, in the spirit of net/http/httptest and miniredis. A
// real client (github.com/go-telegram/bot configured with
// bot.WithServerURL(srv.URL) and srv.Token) talks to it exactly as it
// would talk to api.telegram.org, so tests exercise the bot's real request
// building, long polling, error handling and retries.
//
// # What it owns
//
// The package owns the fake: request parsing, validation against the Bot
// API reference, a small model of chats/messages/updates/callbacks/files,
// fault injection, and the inspection API for tests. It is also meant to
// back a standalone sandbox (Start(addr, ...), WithControlAPI; WaitChat to
// follow a chat, Snapshot/Restore and SetNextUpdateID to outlive a process). It must not
// import any renovote package; the non-test code depends on the standard
// library only (the tests use github.com/go-telegram/bot as the client).
//
// # Typical test
//
//	srv := bottest.NewServer(t)
//	b, _ := bot.New(srv.Token, bot.WithServerURL(srv.URL), bot.WithDefaultHandler(h))
//	go b.Start(ctx)
//	alice := srv.User(42, "Alice", "en")
//	alice.Send("/start")
//	m, _ := srv.WaitForMessage(ctx, alice.ID, func(m bottest.Message) bool { return m.FromBot })
//	id, _ := alice.Press(m.ID, "vote:yes")
//	srv.WaitCallbackAnswered(ctx, id)
//
// # What it imitates
//
//   - Routes /bot<token>/<method> (also /bot<token>/test/<method>) and
//     /file/bot<token>/<file_path>; a wrong token gets 401 Unauthorized.
//     Method names are case-insensitive, as on Telegram.
//   - Parameters from the query string and from multipart/form-data (what
//     go-telegram sends: strings, JSON text for nested objects, file
//     parts), application/x-www-form-urlencoded or application/json bodies.
//   - Validation against the embedded Bot API 10.1 reference (apispec):
//     unknown method -> 404 "Not Found: method not found"; missing required
//     parameter -> 400 ("chat_id is empty", "message text is empty", "there
//     is no photo in the request", otherwise "<param> is required");
//     Integer/Boolean/Float and JSON-object parameters are type-checked.
//   - Limits, counted in UTF-16 code units of the visible text (after
//     parse_mode processing), as Telegram counts characters: text 4096
//     ("message is too long"), caption 1024, answerCallbackQuery text 200;
//     callback_data 1-64 bytes ("BUTTON_DATA_INVALID"); inline buttons need
//     an action; button URLs must be http(s)/tg; bot command names.
//   - parse_mode HTML, MarkdownV2 and Markdown are parsed: unsupported or
//     unbalanced tags, unescaped reserved MarkdownV2 characters and
//     unclosed entities fail with "can't parse entities: ...". The visible
//     text is what the transcript stores.
//   - getUpdates long polling with timeout, limit, allowed_updates and real
//     offset confirmation (updates below offset are forgotten; negative
//     offsets). A newer getUpdates terminates an older one with 409, and
//     getUpdates while a webhook is set fails with 409, like Telegram.
//   - Messages: ids increase per chat across both sides; sent messages come
//     back as realistic Message JSON (from = the bot, chat, date, text,
//     inline reply_markup echoed). Sending to a chat the fake does not
//     know fails with "chat not found" (WithAutoChats relaxes this).
//   - Edits apply in place; editMessageText without reply_markup removes
//     the inline keyboard; identical edits fail with "message is not
//     modified"; editing a missing/user/deleted message fails.
//   - Callback queries: answered once; unknown or repeated answers fail
//     with "query is too old ... or query ID is invalid".
//   - Files: uploads and user photos/documents are stored; getFile returns
//     a file_path; downloads are served.
//   - Webhooks (WithWebhookDelivery): setWebhook, deleteWebhook and
//     getWebhookInfo (pending_update_count, last_error_date/message); while
//     a webhook is set the queued updates are POSTed to it with the
//     X-Telegram-Bot-Api-Secret-Token header, a chat's updates one after
//     the other, chats at once up to max_connections; an update is
//     confirmed only by a 2xx answer and delivered again after a backoff on
//     any other status, a transport error or a timeout. Every attempt is
//     recorded (WebhookDeliveries, WaitWebhookAccepted, and GET
//     /_bottest/webhook/deliveries). http:// URLs are accepted on loopback
//     hosts only, as test endpoints have no TLS.
//   - Faults: FailNext / Intercept answer with 429 (retry_after), 403, 400,
//     500, a delay or a dropped connection; BlockUser / User.Block make
//     sends fail with 403 "Forbidden: bot was blocked by the user";
//     optional flood limits (WithRateLimits) answer 429.
//   - Every other method of the spec is validated and answered with a
//     result of the right shape (true, a transcript message for send*/
//     edit* methods, or an empty object/array) rather than a bare true, so
//     that clients can decode it.
//
// # What it does not imitate
//
// It never contacts Telegram or any URL (HTTP URLs given as files are
// recorded, not fetched; webhooks are called only WithWebhookDelivery).
// Telegram's own pace of webhook retries (slower, and giving up at some
// point) is replaced by a short backoff (WebhookOptions). There are
// no groups' member lists, permissions, admin rights, inline mode,
// payments, stickers, games, business or forum semantics beyond the
// generic answer. Returned messages carry no entities computed from
// parse_mode. Telegram's undocumented heuristics (spam limits beyond the
// configurable rate limits, 48-hour edit/delete windows, link previews)
// are not modelled. Error descriptions follow Telegram's wording where it
// is known but are not guaranteed verbatim.
//
// # Concurrency
//
// All methods are safe for concurrent use. Close releases pending long
// polls and Wait* helpers (which then return ErrClosed) and waits for
// in-flight requests, so no server goroutines outlive it.
package bottest
