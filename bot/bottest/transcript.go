package bottest

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Message is one message of a chat transcript as the user sees it: edits
// are applied in place (latest text, caption and inline keyboard).
type Message struct {
	ID      int64 `json:"id"`
	ChatID  int64 `json:"chat_id"`
	FromBot bool  `json:"from_bot"`
	// FromID is the sender: the bot's id or the user's id.
	FromID int64     `json:"from_id"`
	Date   time.Time `json:"date"`
	// EditDate is the time of the latest edit (zero if never edited);
	// Edits counts successful edits.
	EditDate time.Time `json:"edit_date,omitzero"`
	Edits    int       `json:"edits,omitempty"`
	// Kind is "text", "photo", "document", or for other send methods the
	// method name without "send" in lower case ("video", "location", ...).
	Kind string `json:"kind"`
	// Text is the text, or the caption of a media message, after
	// parse_mode processing (tags and escapes removed).
	Text string `json:"text"`
	// RawText is Text as sent, with its markup; ParseMode is as sent.
	RawText   string `json:"raw_text,omitempty"`
	ParseMode string `json:"parse_mode,omitempty"`
	// InlineKeyboard is the current inline keyboard (nil if none).
	InlineKeyboard [][]InlineButton `json:"inline_keyboard,omitempty"`
	// FileID and FileName describe the photo/document, if any.
	FileID   string `json:"file_id,omitempty"`
	FileName string `json:"file_name,omitempty"`
	// ReplyToID is the message this one replies to (0 if none).
	ReplyToID int64 `json:"reply_to_id,omitempty"`
	// Deleted is true for messages removed with deleteMessage(s); they are
	// only returned by AllMessages.
	Deleted bool `json:"deleted,omitempty"`
}

// Buttons returns the inline buttons, flattened row by row.
func (m Message) Buttons() []InlineButton { return flatten(m.InlineKeyboard) }

// Button finds an inline button by its text.
func (m Message) Button(text string) (InlineButton, bool) {
	for _, b := range m.Buttons() {
		if b.Text == text {
			return b, true
		}
	}
	return InlineButton{}, false
}

// HasCallbackData reports whether a button of the message carries data.
func (m Message) HasCallbackData(data string) bool {
	for _, b := range m.Buttons() {
		if b.CallbackData != nil && *b.CallbackData == data {
			return true
		}
	}
	return false
}

func (m Message) String() string {
	who := "user"
	if m.FromBot {
		who = "bot"
	}
	var kb []string
	for _, row := range m.InlineKeyboard {
		var r []string
		for _, b := range row {
			r = append(r, b.String())
		}
		kb = append(kb, strings.Join(r, " "))
	}
	s := fmt.Sprintf("#%d %s %s: %q", m.ID, who, m.Kind, m.Text)
	if len(kb) > 0 {
		s += " " + strings.Join(kb, " / ")
	}
	return s
}

type chat struct {
	id       int64
	typ      string // private, group, supergroup, channel
	title    string
	username string
	userID   int64 // private chats
	nextID   int64
	msgs     []*storedMessage
	byID     map[int64]*storedMessage
	blocked  bool
	instance string // callback_query.chat_instance
}

type storedMessage struct {
	Message
	entities json.RawMessage // entities/caption_entities to echo
	media    map[string]any  // "photo": [...], "document": {...}, ...
}

func (s *Server) chatLocked(id int64) *chat {
	c := s.st.chats[id]
	if c == nil {
		typ := "private"
		if id < 0 {
			typ = "supergroup"
			if id > -1000000000000 {
				typ = "group"
			}
		}
		c = &chat{id: id, typ: typ, nextID: 1, byID: map[int64]*storedMessage{},
			instance: strconv.FormatInt(-(id*7919 + 104729), 10)}
		if typ == "private" {
			c.userID = id
			if s.st.users[id] == nil {
				s.st.users[id] = &UserProfile{ID: id, FirstName: fmt.Sprintf("User %d", id)}
			}
		}
		s.st.chats[id] = c
	}
	return c
}

// AddChat registers a group, supergroup or channel (negative id) the bot is
// a member of, so that sends to it succeed.
func (s *Server) AddChat(id int64, typ, title string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatLocked(id)
	if typ != "" {
		c.typ = typ
	}
	c.title = title
	s.notifyLocked()
}

// resolveChatLocked resolves a chat_id parameter. Unknown chats are "not
// found" unless WithAutoChats is set.
func (s *Server) resolveChatLocked(v string) (*chat, *apiError) {
	if v == "" {
		return nil, badRequest("chat_id is empty")
	}
	if name, ok := strings.CutPrefix(v, "@"); ok {
		for _, c := range s.st.chats {
			if c.username != "" && strings.EqualFold(c.username, name) && c.typ != "private" {
				return c, nil
			}
		}
		return nil, errChatNotFound
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id == 0 {
		return nil, errChatNotFound
	}
	if c := s.st.chats[id]; c != nil {
		return c, nil
	}
	if s.cfg.autoChats {
		return s.chatLocked(id), nil
	}
	return nil, errChatNotFound
}

func (s *Server) newMessageLocked(c *chat, fromBot bool, fromID int64, kind string) *storedMessage {
	m := &storedMessage{Message: Message{
		ID: c.nextID, ChatID: c.id, FromBot: fromBot, FromID: fromID,
		Date: s.now(), Kind: kind,
	}}
	c.nextID++
	c.msgs = append(c.msgs, m)
	c.byID[m.ID] = m
	return m
}

func (c *chat) jsonObject(s *Server) map[string]any {
	out := map[string]any{"id": c.id, "type": c.typ}
	if c.typ == "private" {
		if u := s.st.users[c.userID]; u != nil {
			out["first_name"] = u.FirstName
			if u.LastName != "" {
				out["last_name"] = u.LastName
			}
			if u.Username != "" {
				out["username"] = u.Username
			}
		}
		return out
	}
	out["title"] = c.title
	if c.username != "" {
		out["username"] = c.username
	}
	return out
}

func (s *Server) botUserJSON() map[string]any {
	return map[string]any{
		"id": s.botID, "is_bot": true, "first_name": s.cfg.botFirstName, "username": s.cfg.botUsername,
	}
}

func (u *UserProfile) jsonObject() map[string]any {
	out := map[string]any{"id": u.ID, "is_bot": false, "first_name": u.FirstName}
	if u.LastName != "" {
		out["last_name"] = u.LastName
	}
	if u.Username != "" {
		out["username"] = u.Username
	}
	if u.LanguageCode != "" {
		out["language_code"] = u.LanguageCode
	}
	if u.IsPremium {
		out["is_premium"] = true
	}
	return out
}

// messageJSONLocked renders a message as the Bot API returns it.
func (s *Server) messageJSONLocked(c *chat, m *storedMessage, withReply bool) map[string]any {
	out := map[string]any{
		"message_id": m.ID,
		"date":       m.Date.Unix(),
		"chat":       c.jsonObject(s),
	}
	if m.FromBot {
		out["from"] = s.botUserJSON()
	} else if u := s.st.users[m.FromID]; u != nil {
		out["from"] = u.jsonObject()
	}
	textKey, entKey := "text", "entities"
	if m.Kind != "text" {
		textKey, entKey = "caption", "caption_entities"
	}
	if m.Text != "" {
		out[textKey] = m.Text
	}
	if len(m.entities) > 0 {
		out[entKey] = m.entities
	}
	for k, v := range m.media {
		out[k] = v
	}
	if kb := inlineKeyboardJSON(m.InlineKeyboard); kb != nil {
		out["reply_markup"] = kb
	}
	if !m.EditDate.IsZero() {
		out["edit_date"] = m.EditDate.Unix()
	}
	if withReply && m.ReplyToID != 0 {
		if r := c.byID[m.ReplyToID]; r != nil && !r.Deleted {
			out["reply_to_message"] = s.messageJSONLocked(c, r, false)
		}
	}
	return out
}

// Messages returns the transcript of a chat (both sides, oldest first,
// deleted messages left out) with edits applied.
func (s *Server) Messages(chatID int64) []Message {
	return s.messages(chatID, func(m *storedMessage) bool { return !m.Deleted })
}

// AllMessages is Messages including deleted messages.
func (s *Server) AllMessages(chatID int64) []Message {
	return s.messages(chatID, func(*storedMessage) bool { return true })
}

// BotMessages returns the bot's messages of a chat (deleted left out).
func (s *Server) BotMessages(chatID int64) []Message {
	return s.messages(chatID, func(m *storedMessage) bool { return m.FromBot && !m.Deleted })
}

func (s *Server) messages(chatID int64, keep func(*storedMessage) bool) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.st.chats[chatID]
	if c == nil {
		return nil
	}
	var out []Message
	for _, m := range c.msgs {
		if keep(m) {
			out = append(out, m.Message)
		}
	}
	return out
}

// LastBotMessage returns the bot's latest non-deleted message in a chat.
func (s *Server) LastBotMessage(chatID int64) (Message, bool) {
	ms := s.BotMessages(chatID)
	if len(ms) == 0 {
		return Message{}, false
	}
	return ms[len(ms)-1], true
}

// Message returns one message of a chat (also if deleted).
func (s *Server) Message(chatID, messageID int64) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.st.chats[chatID]; c != nil {
		if m := c.byID[messageID]; m != nil {
			return m.Message, true
		}
	}
	return Message{}, false
}

// WaitForMessage waits until a non-deleted message of the chat satisfies
// match (checked again after every change, so edits count) and returns it.
// match is called with the server lock held and must not call the Server.
func (s *Server) WaitForMessage(ctx context.Context, chatID int64, match func(Message) bool) (Message, error) {
	var found Message
	err := s.waitUntil(ctx, func() bool {
		c := s.st.chats[chatID]
		if c == nil {
			return false
		}
		for _, m := range c.msgs {
			if !m.Deleted && match(m.Message) {
				found = m.Message
				return true
			}
		}
		return false
	})
	return found, err
}

// WaitForBotMessage waits for a bot message in the chat with ID greater
// than afterID that satisfies match (nil matches any).
func (s *Server) WaitForBotMessage(ctx context.Context, chatID, afterID int64, match func(Message) bool) (Message, error) {
	return s.WaitForMessage(ctx, chatID, func(m Message) bool {
		return m.FromBot && m.ID > afterID && (match == nil || match(m))
	})
}
