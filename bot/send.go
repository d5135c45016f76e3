package bot

import (
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
		var err error
		if r.PhotoFileID != "" {
			err = b.sendPhoto(ctx, chat, r)
		} else if r.EditMessageID > 0 {
			err = b.call(ctx, "editMessageText", func() error {
				_, err := b.api.EditMessageText(ctx, &tg.EditMessageTextParams{
					ChatID: chat, MessageID: r.EditMessageID, Text: r.Text, ReplyMarkup: keyboard(r.Buttons),
				})
				return err
			})
			switch {
			case err != nil && strings.Contains(err.Error(), "message is not modified"):
				err = nil // the same text again: nothing to do
			case err != nil && errors.Is(err, tg.ErrorBadRequest):
				// The message may be too old to edit, or unchanged: send it anew.
				err = b.sendMessage(ctx, chat, r)
			}
		} else {
			err = b.sendMessage(ctx, chat, r)
		}
		if err != nil {
			b.log.Warn("reply not delivered", "update_id", in.UpdateID, "err", err)
		}
	}
}

func (b *Bot) sendMessage(ctx context.Context, chat int64, r dialogs.Reply) error {
	return b.call(ctx, "sendMessage", func() error {
		_, err := b.api.SendMessage(ctx, &tg.SendMessageParams{ChatID: chat, Text: r.Text, ReplyMarkup: keyboard(r.Buttons)})
		return err
	})
}

// maxCaption is Telegram's limit on a photo caption, in UTF-16 units.
const maxCaption = 1024

// sendPhoto sends a photo by file id, the reply's text as its caption.
func (b *Bot) sendPhoto(ctx context.Context, chat int64, r dialogs.Reply) error {
	return b.call(ctx, "sendPhoto", func() error {
		_, err := b.api.SendPhoto(ctx, &tg.SendPhotoParams{ChatID: chat, Photo: &models.InputFileString{Data: r.PhotoFileID},
			Caption: truncateUTF16(r.Text, maxCaption), ReplyMarkup: keyboard(r.Buttons)})
		return err
	})
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

// call runs one Bot API call under the rate limiter, retrying after 429 (for
// retry_after) and transport or server errors, up to maxAttempts; 400, 401,
// 403 and 404 are final.
func (b *Bot) call(ctx context.Context, method string, do func() error) error {
	var err error
	for attempt := 1; ; attempt++ {
		if werr := b.limiter.Wait(ctx); werr != nil {
			return errors.Join(err, werr)
		}
		err = do()
		if err == nil {
			return nil
		}
		var tooMany *tg.TooManyRequestsError
		var migrate *tg.MigrateError
		var wait time.Duration
		switch {
		case ctx.Err() != nil:
			return err
		case errors.As(err, &tooMany):
			wait = time.Duration(tooMany.RetryAfter) * time.Second
			b.log.Warn("telegram 429", "method", method, "retry_after", tooMany.RetryAfter)
		case errors.Is(err, tg.ErrorForbidden), errors.Is(err, tg.ErrorBadRequest), errors.As(err, &migrate),
			errors.Is(err, tg.ErrorUnauthorized), errors.Is(err, tg.ErrorNotFound):
			return err
		default:
			wait = time.Duration(attempt) * 200 * time.Millisecond
		}
		if attempt == maxAttempts {
			return err
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return err // no time left to try again
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
	}
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
