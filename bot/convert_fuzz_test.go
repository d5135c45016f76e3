package bot

import (
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// commandName keeps the characters of s a command may have.
func commandName(s string) string {
	return strings.Map(func(r rune) rune {
		if notCommandRune(r) {
			return -1
		}
		return r
	}, s)
}

// checkCommand checks what parseCommand made of text: a command is
// lowercase latin letters, digits and underscores taken from the start of
// the text, its arguments are the rest of the text, trimmed.
func checkCommand(t *testing.T, text, cmd, args string) {
	t.Helper()
	if cmd == "" {
		if args != "" {
			t.Fatalf("parseCommand(%q): no command but arguments %q", text, args)
		}
		return
	}
	if cmd != strings.ToLower(cmd) || commandName(cmd) != cmd {
		t.Fatalf("parseCommand(%q): command %q is not lowercase [a-z0-9_]", text, cmd)
	}
	trimmed := strings.TrimSpace(text)
	if !strings.HasPrefix(strings.ToLower(trimmed), "/"+cmd) {
		t.Fatalf("parseCommand(%q): command %q is not at the start", text, cmd)
	}
	if next, _ := utf8.DecodeRuneInString(trimmed[1+len(cmd):]); len(trimmed) > 1+len(cmd) && next != '@' && !isSpace(next) {
		t.Fatalf("parseCommand(%q): command %q is followed by %q", text, cmd, next)
	}
	if args != strings.TrimSpace(args) || !strings.HasSuffix(trimmed, args) {
		t.Fatalf("parseCommand(%q): arguments %q are not the trimmed rest of the text", text, args)
	}
}

func isSpace(r rune) bool { return strings.TrimSpace(string(r)) == "" }

// FuzzParseCommand checks the command parser on any text: a command only at
// the start, as Telegram sends it ("/vote", "/vote@renovote_bot", "/start
// <code>", any whitespace after it), never after other text (Chinese text
// before "/vote" is no command).
func FuzzParseCommand(f *testing.F) {
	for _, s := range []struct{ text, args string }{
		{"/vote", ""}, {"/vote@renovote_bot", "now"}, {"/start abc", "x y"}, {"  /START  x y ", ""},
		{"/start\nabc", "\n"}, {"/start\u3000小区", "3栋 2单元"}, {"/help_me2", ""}, {"你好 /vote", "a"},
		{"/投票", ""}, {"/2024/05/01 is the date", ""}, {"/vote!", "!"}, {"", ""}, {"\u00a0/vote\u00a0x", "\u2028"},
		{"/paper 粮贸小区 3-2-301 agree proxy", "粮贸小区 3-2-301 同意"}, {"/@bot", "@"}, {"/vote@", "\xff"},
		{"👍 /vote", "👍"}, {"/a\x85b", "\x85"}, {"/" + strings.Repeat("v", 40), ""},
	} {
		f.Add(s.text, s.args)
	}
	f.Fuzz(func(t *testing.T, text, args string) {
		cmd, got := parseCommand(text)
		checkCommand(t, text, cmd, got)

		// A command built from the input, with the arguments, comes back.
		name := commandName(text)
		if name == "" {
			return
		}
		want := strings.TrimSpace(args)
		for _, in := range []string{
			"/" + name + " " + args, "/" + name + "@renovote_bot " + args, " \t/" + name + "\n" + args,
			"/" + strings.ToUpper(name) + "\u3000" + args,
		} {
			if c, a := parseCommand(in); c != strings.ToLower(name) || a != want {
				t.Errorf("parseCommand(%q) = (%q, %q), want (%q, %q)", in, c, a, strings.ToLower(name), want)
			}
		}
		// After other text it is no command.
		if prefix := strings.TrimSpace(args); prefix != "" && !strings.HasPrefix(prefix, "/") {
			in := args + " /" + name
			if c, a := parseCommand(in); c != "" || a != "" {
				t.Errorf("parseCommand(%q) = (%q, %q), want no command", in, c, a)
			}
		}
	})
}

// utf16Slice returns the text of an entity (offset and length in UTF-16
// code units, as Telegram counts them), and false when it lies outside.
func utf16Slice(text string, offset, length int) (string, bool) {
	u := utf16.Encode([]rune(text))
	if offset < 0 || length < 0 || offset > len(u) || length > len(u)-offset {
		return "", false
	}
	return string(utf16.Decode(u[offset : offset+length])), true
}

// FuzzUpdateBody decodes an update as the Bot API sends it (the body of
// getUpdates' items, and of a webhook call) and turns it into a
// dialogs.Input: never a panic, and what the Input says comes from the
// update. A bot_command entity at the start of a message agrees with the
// command read from the text, whatever characters (counted in UTF-16 by
// Telegram) the text holds.
func FuzzUpdateBody(f *testing.F) {
	for _, s := range []string{
		`{"update_id":1,"message":{"message_id":5,"date":1590000000,"from":{"id":101,"is_bot":false,"first_name":"张三","language_code":"zh-hans"},"chat":{"id":101,"type":"private"},"text":"/vote","entities":[{"type":"bot_command","offset":0,"length":5}]}}`,
		`{"update_id":2,"message":{"message_id":6,"date":1590000000,"from":{"id":101,"first_name":"张"},"chat":{"id":101,"type":"private"},"text":"/start@renovote_bot abcdefghijklmnopqrstuv","entities":[{"type":"bot_command","offset":0,"length":19}]}}`,
		`{"update_id":3,"message":{"message_id":7,"date":1590000000,"from":{"id":101,"first_name":"张"},"chat":{"id":101,"type":"private"},"text":"你好👍 /vote","entities":[{"type":"bot_command","offset":4,"length":5}]}}`,
		`{"update_id":4,"message":{"message_id":8,"date":1590000000,"from":{"id":900,"first_name":"w"},"chat":{"id":900,"type":"private"},"photo":[{"file_id":"s","file_unique_id":"s1","width":90,"height":90},{"file_id":"L","file_unique_id":"L1","width":1280,"height":960,"file_size":123456}],"caption":"/paper 3-2-301"}}`,
		`{"update_id":5,"message":{"message_id":9,"date":1590000000,"from":{"id":900,"first_name":"w"},"chat":{"id":900,"type":"private"},"document":{"file_id":"D","file_unique_id":"D1","file_name":"通知.pdf","mime_type":"application/pdf"},"caption":"附件"}}`,
		`{"update_id":6,"callback_query":{"id":"q1","from":{"id":101,"first_name":"张"},"message":{"message_id":12,"date":1590000000,"chat":{"id":101,"type":"private"},"text":"投票"},"chat_instance":"ci","data":"v:a:0123abcd"}}`,
		`{"update_id":7,"callback_query":{"id":"q2","from":{"id":101,"first_name":"张"},"message":{"message_id":12,"date":0,"chat":{"id":101,"type":"private"}},"chat_instance":"ci","data":"rp:x"}}`,
		`{"update_id":8,"callback_query":{"id":"q3","from":{"id":101,"first_name":"张"},"inline_message_id":"im","data":"s:go"}}`,
		`{"update_id":9,"callback_query":{"id":"q4","from":{"id":101},"message":null,"data":""}}`,
		`{"update_id":10,"message":{"message_id":1,"date":1,"from":{"id":5},"chat":{"id":-100123,"type":"supergroup","title":"业主群"},"text":"/vote"}}`,
		`{"update_id":11,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"text":"/vote"}}`,
		`{"update_id":12,"edited_message":{"message_id":1,"date":1,"from":{"id":5},"chat":{"id":5,"type":"private"},"text":"x"}}`,
		`{"update_id":13,"channel_post":{"message_id":1,"date":1,"chat":{"id":-1005,"type":"channel"},"text":"/vote"}}`,
		`{"update_id":14,"my_chat_member":{"chat":{"id":5,"type":"private"},"from":{"id":5},"date":1,"old_chat_member":{"status":"member","user":{"id":1}},"new_chat_member":{"status":"kicked","user":{"id":1},"until_date":0}}}`,
		`{"update_id":15,"message":{"message_id":1,"date":1,"from":{"id":5},"chat":{"id":5,"type":"private"},"text":"𝓿 /vote","entities":[{"type":"bot_command","offset":3,"length":5},{"type":"bold","offset":-1,"length":99}]}}`,
		`{"update_id":16,"message":{"message_id":1,"date":1,"from":{"id":5},"chat":{"id":5,"type":"private"},"text":"/VOTE\u00a0now","entities":[{"type":"bot_command","offset":0,"length":5}]}}`,
		`{"update_id":17,"message":{"message_id":1,"date":1,"from":{"id":5},"chat":{"id":5,"type":"private"},"photo":[]}}`,
		`{"update_id":18,"message":{"message_id":1,"date":1,"from":{"id":5},"chat":{"id":5,"type":"private"},"forward_origin":{"type":"user","date":1,"sender_user":{"id":7}},"reply_to_message":{"message_id":2,"date":1,"chat":{"id":5,"type":"private"}},"text":"ok"}}`,
		`{"update_id":9223372036854775807,"message":{"message_id":-1,"date":-1,"from":{"id":-9223372036854775808},"chat":{"id":0,"type":"private"},"text":"\ud800"}}`,
		`{"update_id":"1"}`, `{"update_id":1,"message":[]}`, `{"update_id":1,"callback_query":{"message":{"date":"x"}}}`,
		`{}`, `null`, `[]`, ``, `{"update_id":1,`, `{"update_id":1e400}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		// The webhook's own decoder: a body it refuses is answered 400.
		decoded, err := decodeUpdate(body)
		if err != nil {
			if decoded != nil {
				t.Fatalf("decodeUpdate returned an update with error %v", err)
			}
			return
		}
		if decoded.ID <= 0 {
			t.Fatalf("decodeUpdate accepted update_id %d", decoded.ID)
		}
		upd := *decoded
		chat, hasChat := chatOf(&upd)
		in, ok := toInput(&upd)
		if hasChat != (upd.Message != nil || upd.CallbackQuery != nil) {
			t.Fatalf("chatOf = %d, %v for message %v, callback %v", chat, hasChat, upd.Message != nil, upd.CallbackQuery != nil)
		}
		if !ok {
			return
		}
		if in.UpdateID != upd.ID {
			t.Errorf("input update %d, want %d", in.UpdateID, upd.ID)
		}
		if in.Callback != "" && in.Command != "" {
			t.Errorf("input is both a button press %q and a command %q", in.Callback, in.Command)
		}
		switch {
		case upd.Message != nil:
			m := upd.Message
			if m.From == nil || m.Chat.Type != models.ChatTypePrivate {
				t.Fatalf("input from a message of chat type %q, sender %v: only private chats", m.Chat.Type, m.From != nil)
			}
			if in.UserID != m.From.ID || in.ChatID != m.Chat.ID || chat != m.Chat.ID {
				t.Errorf("input user %d chat %d (serial %d), want user %d chat %d", in.UserID, in.ChatID, chat, m.From.ID, m.Chat.ID)
			}
			if in.Callback != "" {
				t.Errorf("a message became the button press %q", in.Callback)
			}
			text, entities := m.Text, m.Entities
			if len(m.Photo) > 0 || m.Document != nil {
				text, entities = m.Caption, m.CaptionEntities
			}
			if in.Text != text {
				t.Errorf("input text %q, want %q", in.Text, text)
			}
			cmd, args := parseCommand(text)
			if in.Command != cmd || in.Args != args {
				t.Errorf("input command (%q, %q), want (%q, %q)", in.Command, in.Args, cmd, args)
			}
			checkCommand(t, text, in.Command, in.Args)
			checkEntity(t, text, entities, in.Command)
		default:
			q := upd.CallbackQuery
			if in.UserID != q.From.ID || chat != q.From.ID || in.Callback != q.Data {
				t.Errorf("input user %d (serial %d) data %q, want user %d data %q", in.UserID, chat, in.Callback, q.From.ID, q.Data)
			}
			if in.Command != "" || in.Text != "" {
				t.Errorf("a button press became the command %q, text %q", in.Command, in.Text)
			}
		}
	})
}

// checkEntity checks the command read from text against a bot_command entity
// Telegram put at its very start: the same command when the entity covers
// the whole first word.
func checkEntity(t *testing.T, text string, entities []models.MessageEntity, cmd string) {
	t.Helper()
	for _, e := range entities {
		if e.Type != models.MessageEntityTypeBotCommand || e.Offset != 0 {
			continue
		}
		word, ok := utf16Slice(text, e.Offset, e.Length)
		if !ok || !strings.HasPrefix(word, "/") {
			continue
		}
		if rest := strings.TrimPrefix(text, word); rest != "" {
			if r, _ := utf8.DecodeRuneInString(rest); !isSpace(r) {
				continue // not the whole first word: Telegram would not send it
			}
		}
		name, _, _ := strings.Cut(word[1:], "@")
		if name == "" || commandName(name) != name {
			continue
		}
		if cmd != strings.ToLower(name) {
			t.Errorf("text %q with the command entity %q: command %q, want %q", text, word, cmd, strings.ToLower(name))
		}
	}
}
