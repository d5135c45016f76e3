package bot

import (
	"strings"
	"unicode"

	"github.com/go-telegram/bot/models"

	"github.com/renovote/renovote/dialogs"
)

// chatOf returns the chat an update belongs to, for serial handling.
func chatOf(upd *models.Update) (int64, bool) {
	switch {
	case upd.Message != nil:
		return upd.Message.Chat.ID, true
	case upd.CallbackQuery != nil:
		return upd.CallbackQuery.From.ID, true
	}
	return 0, false
}

// toInput turns an update from a private chat into a dialogs.Input.
func toInput(upd *models.Update) (dialogs.Input, bool) {
	in := dialogs.Input{UpdateID: upd.ID}
	switch {
	case upd.Message != nil:
		m := upd.Message
		if m.From == nil || m.Chat.Type != models.ChatTypePrivate {
			return in, false // the bot only talks in private chats
		}
		in.UserID, in.ChatID = m.From.ID, m.Chat.ID
		in.Lang, in.Name = m.From.LanguageCode, m.From.FirstName
		in.Text = m.Text
		if len(m.Photo) > 0 {
			largest := m.Photo[len(m.Photo)-1]
			in.PhotoFileID, in.PhotoSize = largest.FileID, int64(largest.FileSize)
			in.Text = m.Caption
		}
		if d := m.Document; d != nil {
			in.DocumentFileID, in.DocumentName = d.FileID, d.FileName
			in.Text = m.Caption
		}
		in.Command, in.Args = parseCommand(in.Text)
	case upd.CallbackQuery != nil:
		q := upd.CallbackQuery
		in.UserID, in.ChatID = q.From.ID, q.From.ID
		in.Lang, in.Name = q.From.LanguageCode, q.From.FirstName
		in.Callback = q.Data
		if q.Message.Message != nil {
			in.MessageID = q.Message.Message.ID
			in.ChatID = q.Message.Message.Chat.ID
		} else if q.Message.InaccessibleMessage != nil {
			in.MessageID = q.Message.InaccessibleMessage.MessageID
			in.ChatID = q.Message.InaccessibleMessage.Chat.ID
		}
	default:
		return in, false
	}
	return in, true
}

// parseCommand splits "/vote@renovote_bot args" into ("vote", "args"). It reads
// the text itself instead of entity offsets (which Telegram counts in UTF-16
// units), so only a command at the start counts. As for Telegram, a command
// is "/" and latin letters, digits or underscores, ended by whitespace (any,
// such as a new line or a full-width space) or "@botname".
func parseCommand(text string) (cmd, args string) {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "/") {
		return "", ""
	}
	head, rest := text, ""
	if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
		head, rest = text[:i], text[i:]
	}
	head, _, _ = strings.Cut(head[1:], "@")
	if head == "" || strings.IndexFunc(head, notCommandRune) >= 0 {
		return "", ""
	}
	return strings.ToLower(head), strings.TrimSpace(rest)
}

func notCommandRune(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_')
}
