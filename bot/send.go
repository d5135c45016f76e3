package bot

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf16"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/renovote/renovote/dialogs"
)

// maxAttempts bounds retries of one call after 429 or a transport error.
const maxAttempts = 4

// send delivers the replies of a response in order. A reply that cannot be
// delivered is logged; the others still go.
func (b *Bot) send(ctx context.Context, in dialogs.Input, resp dialogs.Response) {
	for _, r := range resp.Replies {
		chat := r.ChatID
		if chat == 0 {
			chat = in.ChatID
		}
		if _, err := b.deliver(ctx, chat, r, true); err != nil {
			b.log.Warn("reply not delivered", "update_id", in.UpdateID, "err", err)
		}
	}
}

// deliver sends one reply to chat, or edits the message it names, and
// returns the id of the message it became. A failed edit (the message is too
// old, or gone) sends the reply anew when resend is set. A reply with Track
// is reported to the Handler if it is a Tracker.
//
// Which kind of message: a document (Document, else DocumentFileID), else a
// photo (Photo uploaded, else PhotoFileID), else an edit (EditMessageID),
// else a text message.
func (b *Bot) deliver(ctx context.Context, chat int64, r dialogs.Reply, resend bool) (int, error) {
	c := b.replyCaller(ctx, sendTo{chat: chat, wait: r.EditMessageID == 0 && b.cfg.ReplyChatGap > 0})
	var m *models.Message
	var err error
	if r.EditMessageID == 0 && b.cfg.ReplyChatGap > 0 {
		// A new message keeps Telegram's pace of about one a second per chat
		// (a person reads slower than that; several replies to one action are
		// spaced out). Edits are not new messages.
		if err := b.chats.waitGap(ctx, chat, b.cfg.ReplyChatGap); err != nil {
			return 0, err
		}
	}
	switch {
	case r.Document != nil || r.DocumentFileID != "":
		m, err = b.sendDocument(ctx, c, chat, r.Document, r.DocumentFileID, truncateUTF16(r.Text, maxCaption), r.Buttons)
	case r.Photo != nil || r.PhotoFileID != "":
		m, err = b.sendPhoto(ctx, c, chat, r.Photo, r.PhotoFileID, truncateUTF16(r.Text, maxCaption), r.Buttons)
	case r.EditMessageID > 0:
		m, err = b.editText(ctx, c, chat, r)
		switch {
		case err != nil && strings.Contains(err.Error(), "message is not modified"):
			// The same text again: nothing to do.
			m, err = &models.Message{ID: r.EditMessageID}, nil
		case err != nil && resend && errors.Is(err, tg.ErrorBadRequest):
			// The message may be too old to edit, or gone: send it anew.
			if err = b.chats.waitGap(ctx, chat, max(b.cfg.ReplyChatGap, 0)); err == nil {
				m, err = b.sendMessage(ctx, c, chat, r.Text, r.Buttons)
			}
		}
	default:
		m, err = b.sendMessage(ctx, c, chat, r.Text, r.Buttons)
	}
	if err != nil {
		return 0, err
	}
	// Bulk messages and later replies keep their distance from this one
	// (edits included, which is only cautious).
	b.chats.note(chat, time.Now())
	id := r.EditMessageID
	if m != nil && m.ID != 0 {
		id = m.ID
	}
	b.track(ctx, r.Track, chat, id)
	return id, nil
}

// track tells the Handler, if it is a Tracker, which message a reply with
// Track became; a failure is logged.
func (b *Bot) track(ctx context.Context, track string, chat int64, messageID int) {
	if track == "" {
		return
	}
	t, ok := b.cfg.Handler.(Tracker)
	if !ok {
		return
	}
	more, err := t.Sent(ctx, track, chat, messageID)
	if err != nil {
		b.log.Warn("sent message not tracked", "track", track, "message_id", messageID, "err", err)
	}
	if len(more) > 0 {
		b.send(ctx, dialogs.Input{ChatID: chat}, dialogs.Response{Replies: more})
	}
}

// caller runs one Bot API call through the gates (see limit.go).
type caller func(method string, do func() error) error

// replyCaller makes calls to a chat as a reply: ahead of bulk, with retries
// (call).
func (b *Bot) replyCaller(ctx context.Context, to sendTo) caller {
	return func(method string, do func() error) error { return b.callTo(ctx, to, method, do) }
}

// bulkCaller makes one attempt as a bulk message, waiting for the gates under
// wait: the outbox sender passes a context that ends at shutdown, so that a
// message not sent yet is left alone then, and makes the call itself under
// another, so that one on the wire is finished.
func (b *Bot) bulkCaller(wait context.Context, chat int64) caller {
	return func(method string, do func() error) error {
		if err := b.gate(wait, true, sendTo{chat: chat, wait: true}); err != nil {
			return err
		}
		return b.do(method, do)
	}
}

// The send functions go through c and make the call under ctx.

func (b *Bot) editText(ctx context.Context, c caller, chat int64, r dialogs.Reply) (*models.Message, error) {
	var m *models.Message
	err := c("editMessageText", func() (err error) {
		m, err = b.api.EditMessageText(ctx, &tg.EditMessageTextParams{
			ChatID: chat, MessageID: r.EditMessageID, Text: r.Text, ReplyMarkup: keyboard(r.Buttons),
		})
		return err
	})
	return m, err
}

func (b *Bot) sendMessage(ctx context.Context, c caller, chat int64, text string, buttons [][]dialogs.Button) (*models.Message, error) {
	var m *models.Message
	err := c("sendMessage", func() (err error) {
		m, err = b.api.SendMessage(ctx, &tg.SendMessageParams{ChatID: chat, Text: text, ReplyMarkup: keyboard(buttons)})
		return err
	})
	return m, err
}

// maxCaption is Telegram's limit on a caption, in UTF-16 units.
const maxCaption = 1024

// sendPhoto uploads photo (its name and bytes), or else sends fileID, with a
// caption.
func (b *Bot) sendPhoto(ctx context.Context, c caller, chat int64, photo *dialogs.Document, fileID, caption string, buttons [][]dialogs.Button) (*models.Message, error) {
	var m *models.Message
	err := c("sendPhoto", func() (err error) {
		var file models.InputFile = &models.InputFileString{Data: fileID}
		if photo != nil {
			// A new reader for every attempt: a retry uploads the bytes again.
			file = &models.InputFileUpload{Filename: photo.Name, Data: bytes.NewReader(photo.Data)}
		}
		m, err = b.api.SendPhoto(ctx, &tg.SendPhotoParams{ChatID: chat, Photo: file,
			Caption: caption, ReplyMarkup: keyboard(buttons)})
		return err
	})
	return m, err
}

// sendDocument uploads doc (its name and bytes), or else sends fileID.
func (b *Bot) sendDocument(ctx context.Context, c caller, chat int64, doc *dialogs.Document, fileID, caption string, buttons [][]dialogs.Button) (*models.Message, error) {
	var m *models.Message
	err := c("sendDocument", func() (err error) {
		var file models.InputFile = &models.InputFileString{Data: fileID}
		if doc != nil {
			// A new reader for every attempt: a retry uploads the bytes again.
			file = &models.InputFileUpload{Filename: doc.Name, Data: bytes.NewReader(doc.Data)}
		}
		m, err = b.api.SendDocument(ctx, &tg.SendDocumentParams{ChatID: chat, Document: file, Caption: caption, ReplyMarkup: keyboard(buttons)})
		return err
	})
	return m, err
}

// answerTimeout bounds answering one callback query. The answer has a
// deadline of its own, so that a press is answered even when its handling
// ran out of time.
const answerTimeout = 5 * time.Second

func (b *Bot) answer(ctx context.Context, id, text string, alert bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), answerTimeout)
	defer cancel()
	// Telegram refuses a longer text, which would leave the press unanswered.
	text = truncateUTF16(text, maxCallbackAnswer)
	err := b.call(ctx, "answerCallbackQuery", func() error {
		_, err := b.api.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: id, Text: text, ShowAlert: alert})
		return err
	})
	if err != nil {
		b.log.Warn("callback not answered", "callback_id", id, "err", err)
	}
}

// maxCallbackAnswer is Telegram's limit on an answerCallbackQuery text, in
// UTF-16 code units.
const maxCallbackAnswer = 200

// truncateUTF16 shortens s to at most limit UTF-16 code units, ending it
// with "…" when it cuts.
func truncateUTF16(s string, limit int) string {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	if n <= limit {
		return s
	}
	n = 0
	for i, r := range s {
		if n+utf16.RuneLen(r) > limit-1 { // room for "…"
			return s[:i] + "…"
		}
		n += utf16.RuneLen(r)
	}
	return s
}

// call runs one Bot API call through the gates (see limit.go) as a reply,
// retrying after 429 (once the pause it set is over) and transport or server
// errors, up to maxAttempts; 400, 401, 403 and 404 are final.
func (b *Bot) call(ctx context.Context, method string, do func() error) error {
	return b.callTo(ctx, sendTo{}, method, do)
}

// callTo is call for a call to a chat (see sendTo).
func (b *Bot) callTo(ctx context.Context, to sendTo, method string, do func() error) error {
	var err error
	for attempt := 1; ; attempt++ {
		if werr := b.gate(ctx, false, to); werr != nil {
			return errors.Join(err, werr)
		}
		err = b.do(method, do)
		if err == nil {
			return nil
		}
		var tooMany *tg.TooManyRequestsError
		var migrate *tg.MigrateError
		var backoff time.Duration
		switch {
		case ctx.Err() != nil:
			return err
		case errors.As(err, &tooMany):
			// The gate waits for the pause do set.
			backoff = time.Duration(max(tooMany.RetryAfter, 1)) * time.Second
		case errors.Is(err, tg.ErrorForbidden), errors.Is(err, tg.ErrorBadRequest), errors.As(err, &migrate),
			errors.Is(err, tg.ErrorUnauthorized), errors.Is(err, tg.ErrorNotFound):
			return err
		default:
			backoff = time.Duration(attempt) * 200 * time.Millisecond
		}
		if attempt == maxAttempts {
			return err
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < backoff {
			return err // no time left to try again
		}
		if tooMany != nil {
			continue
		}
		if serr := sleep(ctx, backoff); serr != nil {
			return errors.Join(err, serr)
		}
	}
}

// gate waits for the pause to end and takes a token: bulk ones from the bulk
// limiter and then the global bucket behind replies, the others from the
// global bucket ahead of bulk. A pause that began while it waited for the
// token makes it wait again, and take a new token after: the calls held up
// by a pause go out at the rate, not all at once when it ends.
//
// With a shared limit (ReplicaConfig.Limit) the global bucket is the
// replicas' one, which also keeps to's chat pace (limit_shared.go).
func (b *Bot) gate(ctx context.Context, bulk bool, to sendTo) error {
	for {
		if err := b.pause.wait(ctx); err != nil {
			return err
		}
		if bulk {
			if err := b.bulk.Wait(ctx); err != nil {
				return err
			}
		}
		if err := b.take(ctx, bulk, to); err != nil {
			return err
		}
		if _, on := b.pause.paused(); !on {
			return nil
		}
	}
}

// do makes one call; a 429 pauses every call of the bot for its retry_after.
func (b *Bot) do(method string, do func() error) error {
	err := do()
	var tooMany *tg.TooManyRequestsError
	if errors.As(err, &tooMany) {
		b.cfg.Metrics.TooManyRequests()
		b.pause.extend(time.Now().Add(time.Duration(max(tooMany.RetryAfter, 1)) * time.Second))
		b.sharePause(time.Duration(max(tooMany.RetryAfter, 1)) * time.Second)
		b.log.Warn("telegram 429: pausing every call", "method", method, "retry_after", tooMany.RetryAfter)
	}
	return err
}

// keyboard builds an inline keyboard, or nil for none.
func keyboard(rows [][]dialogs.Button) models.ReplyMarkup {
	if len(rows) == 0 {
		return nil
	}
	kb := &models.InlineKeyboardMarkup{InlineKeyboard: make([][]models.InlineKeyboardButton, len(rows))}
	for i, row := range rows {
		for _, btn := range row {
			kb.InlineKeyboard[i] = append(kb.InlineKeyboard[i], models.InlineKeyboardButton{Text: btn.Label, CallbackData: btn.Data})
		}
	}
	return kb
}
