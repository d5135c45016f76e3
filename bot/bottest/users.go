package bottest

import (
	"fmt"
	"strconv"
	"strings"
)

// UserProfile is the Telegram user a test acts as.
type UserProfile struct {
	ID           int64
	FirstName    string
	LastName     string
	Username     string // without '@'
	LanguageCode string // IETF tag as Telegram sends it, e.g. "en", "ru"
	IsPremium    bool
}

// User injects updates as one Telegram user talking to the bot in a
// private chat whose id equals the user id.
type User struct {
	UserProfile
	s *Server
}

// User registers (or re-registers) a user and its private chat with the bot
// and returns a handle to act as that user.
func (s *Server) User(id int64, firstName, languageCode string) *User {
	return s.AddUser(UserProfile{ID: id, FirstName: firstName, LanguageCode: languageCode})
}

// AddUser is User with every profile field.
func (s *Server) AddUser(p UserProfile) *User {
	if p.FirstName == "" {
		p.FirstName = fmt.Sprintf("User %d", p.ID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cp := p
	s.st.users[p.ID] = &cp
	c := s.chatLocked(p.ID)
	c.username = p.Username
	s.notifyLocked()
	return &User{UserProfile: p, s: s}
}

// ChatID is the id of the user's private chat with the bot.
func (u *User) ChatID() int64 { return u.ID }

// Messages is the user's transcript (see Server.Messages).
func (u *User) Messages() []Message { return u.s.Messages(u.ID) }

// LastBotMessage is the bot's latest message to the user.
func (u *User) LastBotMessage() (Message, bool) { return u.s.LastBotMessage(u.ID) }

// Send sends a text message to the bot and returns the update id. A text
// starting with "/" gets a bot_command entity at offset 0 (length in UTF-16
// code units, "@botname" suffix included), as Telegram adds.
func (u *User) Send(text string) int64 {
	return u.send(text, 0)
}

// Reply sends a text message replying to messageID.
func (u *User) Reply(messageID int64, text string) int64 {
	return u.send(text, messageID)
}

func (u *User) send(text string, replyTo int64) int64 {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatLocked(u.ID)
	m := s.newMessageLocked(c, false, u.ID, "text")
	m.Text, m.RawText, m.ReplyToID = text, text, replyTo
	if ent := commandEntity(text); ent != nil {
		m.entities = ent
	}
	return s.enqueueLocked("message", s.messageJSONLocked(c, m, true))
}

func commandEntity(text string) []byte {
	if !strings.HasPrefix(text, "/") {
		return nil
	}
	cmd := text
	if i := strings.IndexAny(text, " \t\n"); i >= 0 {
		cmd = text[:i]
	}
	if len(cmd) < 2 {
		return nil
	}
	return []byte(fmt.Sprintf(`[{"offset":0,"length":%d,"type":"bot_command"}]`, utf16Len(cmd)))
}

// SendPhoto uploads a photo (stored so the bot can getFile and download
// it) with an optional caption and returns the update id.
func (u *User) SendPhoto(data []byte, caption string) int64 {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.addFileLocked("photo", "", "image/jpeg", data)
	return u.sendMediaLocked(f, "photo", caption)
}

// SendPhotoID sends a photo by file_id (an id from AddFile or an earlier
// upload; an unknown id is registered without content).
func (u *User) SendPhotoID(fileID, caption string) int64 {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.st.files[fileID]
	if f == nil {
		f = s.addFileLocked("photo", "", "image/jpeg", nil)
		delete(s.st.files, f.id)
		f.id = fileID
		s.st.files[fileID] = f
	}
	return u.sendMediaLocked(f, "photo", caption)
}

// SendDocument uploads a document (e.g. a spreadsheet) with a caption.
func (u *User) SendDocument(fileName string, data []byte, caption string) int64 {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.addFileLocked("document", fileName, "", data)
	return u.sendMediaLocked(f, "document", caption)
}

func (u *User) sendMediaLocked(f *storedFile, kind, caption string) int64 {
	s := u.s
	c := s.chatLocked(u.ID)
	m := s.newMessageLocked(c, false, u.ID, kind)
	m.Text, m.RawText = caption, caption
	m.FileID, m.FileName = f.id, f.name
	m.media = map[string]any{kind: f.mediaJSON(kind)}
	return s.enqueueLocked("message", s.messageJSONLocked(c, m, true))
}

// Press presses the inline button with callback data on a bot message in
// the user's chat and returns the callback query id. It fails if the
// message does not exist, is deleted, is not from the bot, or has no button
// with that data, which is what a real client allows.
func (u *User) Press(messageID int64, data string) (string, error) {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.st.chats[u.ID]
	var m *storedMessage
	if c != nil {
		m = c.byID[messageID]
	}
	switch {
	case m == nil || m.Deleted:
		return "", fmt.Errorf("bottest: user %d: no message %d in the chat", u.ID, messageID)
	case !m.FromBot:
		return "", fmt.Errorf("bottest: user %d: message %d is not from the bot", u.ID, messageID)
	case !m.HasCallbackData(data):
		return "", fmt.Errorf("bottest: user %d: message %d has no button with callback data %q (buttons: %v)",
			u.ID, messageID, data, m.Buttons())
	}
	return u.pressLocked(c, m, messageID, data), nil
}

// PressText presses the inline button labelled text on a bot message.
func (u *User) PressText(messageID int64, text string) (string, error) {
	m, ok := u.s.Message(u.ID, messageID)
	if !ok {
		return "", fmt.Errorf("bottest: user %d: no message %d in the chat", u.ID, messageID)
	}
	b, ok := m.Button(text)
	if !ok || b.CallbackData == nil {
		return "", fmt.Errorf("bottest: user %d: message %d has no callback button %q (buttons: %v)",
			u.ID, messageID, text, m.Buttons())
	}
	return u.Press(messageID, *b.CallbackData)
}

// PressRaw sends a callback query with arbitrary data for messageID without
// any check, like a forged or stale client would. If the message does not
// exist the query carries an inaccessible message (date 0).
func (u *User) PressRaw(messageID int64, data string) string {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatLocked(u.ID)
	m := c.byID[messageID]
	if m != nil && m.Deleted {
		m = nil
	}
	return u.pressLocked(c, m, messageID, data)
}

func (u *User) pressLocked(c *chat, m *storedMessage, messageID int64, data string) string {
	s := u.s
	s.st.nextCallback++
	id := strconv.FormatInt(u.ID, 10) + fmt.Sprintf("%07d", s.st.nextCallback)
	var msg map[string]any
	if m != nil {
		msg = s.messageJSONLocked(c, m, true)
	} else {
		msg = map[string]any{"chat": c.jsonObject(s), "message_id": messageID, "date": 0}
	}
	q := map[string]any{
		"id":            id,
		"from":          s.st.users[u.ID].jsonObject(),
		"message":       msg,
		"chat_instance": c.instance,
		"data":          data,
	}
	cb := &Callback{ID: id, UserID: u.ID, ChatID: c.id, MessageID: messageID, Data: data, Time: s.now()}
	s.trackCallbackLocked(cb)
	cb.UpdateID = s.enqueueLocked("callback_query", q)
	return id
}

// Block makes the user block the bot: sends to the chat fail with 403 and
// a my_chat_member update (member -> kicked) is queued.
func (u *User) Block() int64 { return u.setBlocked(true) }

// Unblock undoes Block (queues a my_chat_member update kicked -> member).
func (u *User) Unblock() int64 { return u.setBlocked(false) }

func (u *User) setBlocked(blocked bool) int64 {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatLocked(u.ID)
	c.blocked = blocked
	oldStatus, newStatus := "member", "kicked"
	if !blocked {
		oldStatus, newStatus = "kicked", "member"
	}
	bot := s.botUserJSON()
	upd := map[string]any{
		"chat":            c.jsonObject(s),
		"from":            s.st.users[u.ID].jsonObject(),
		"date":            s.now().Unix(),
		"old_chat_member": chatMember(oldStatus, bot),
		"new_chat_member": chatMember(newStatus, bot),
	}
	return s.enqueueLocked("my_chat_member", upd)
}

func chatMember(status string, user map[string]any) map[string]any {
	m := map[string]any{"status": status, "user": user}
	if status == "kicked" {
		m["until_date"] = 0
	}
	return m
}

// BlockUser makes every send to the chat fail with 403 "Forbidden: bot was
// blocked by the user", without queuing an update (see User.Block).
func (s *Server) BlockUser(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatLocked(chatID).blocked = true
	s.notifyLocked()
}

// UnblockUser undoes BlockUser.
func (s *Server) UnblockUser(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatLocked(chatID).blocked = false
	s.notifyLocked()
}
