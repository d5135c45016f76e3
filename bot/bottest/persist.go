package bottest

import (
	"context"
	"encoding/json"
	"fmt"
)

// What a standalone fake (the sandbox) needs beyond tests: watching a chat
// change, and keeping its chats across restarts.

// WaitChat waits until the chat's messages differ from seen (a message added,
// edited or deleted) and returns them all, deleted ones included (as
// AllMessages). With seen empty it returns as soon as the chat has a message.
// It returns ctx's error when ctx ends first, ErrClosed when the server closes.
func (s *Server) WaitChat(ctx context.Context, chatID int64, seen []Message) ([]Message, error) {
	var out []Message
	err := s.waitUntil(ctx, func() bool {
		c := s.st.chats[chatID]
		if c == nil {
			return false
		}
		changed := len(c.msgs) != len(seen)
		for i := 0; !changed && i < len(c.msgs); i++ {
			m, o := c.msgs[i], seen[i]
			changed = m.ID != o.ID || m.Edits != o.Edits || m.Deleted != o.Deleted
		}
		if !changed {
			return false
		}
		out = make([]Message, len(c.msgs))
		for i, m := range c.msgs {
			out[i] = m.Message
		}
		return true
	})
	return out, err
}

// NextUpdateID is the id the next update will get.
func (s *Server) NextUpdateID() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.nextUpdateID
}

// SetNextUpdateID makes update ids continue from n (never lower than they
// are): a fake restarted under a bot that remembers the update ids it
// handled must not hand out those ids again.
func (s *Server) SetNextUpdateID(n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n > s.st.nextUpdateID {
		s.st.nextUpdateID = n
	}
}

// snapshot is the persistent part of the state: users, chats with their
// messages, files, command menus and the id counters. Queued updates,
// callbacks, calls, faults and the webhook are not kept.
type snapshot struct {
	Version      int           `json:"version"`
	NextUpdateID int64         `json:"next_update_id"`
	NextCallback int64         `json:"next_callback"`
	NextFile     int64         `json:"next_file"`
	Users        []UserProfile `json:"users"`
	Chats        []snapChat    `json:"chats"`
	Files        []snapFile    `json:"files"`
	// Commands are the command menus by scope and language.
	Commands map[string][]BotCommand `json:"commands,omitempty"`
}

type snapChat struct {
	ID       int64         `json:"id"`
	Type     string        `json:"type"`
	Title    string        `json:"title,omitempty"`
	Username string        `json:"username,omitempty"`
	UserID   int64         `json:"user_id,omitempty"`
	NextID   int64         `json:"next_id"`
	Blocked  bool          `json:"blocked,omitempty"`
	Instance string        `json:"instance"`
	Messages []snapMessage `json:"messages"`
}

type snapMessage struct {
	Message
	Keyboard json.RawMessage `json:"keyboard,omitempty"` // the inline keyboard with every button field
	Entities json.RawMessage `json:"entities,omitempty"`
	Media    map[string]any  `json:"media,omitempty"`
}

type snapFile struct {
	ID       string `json:"id"`
	UniqueID string `json:"unique_id"`
	Kind     string `json:"kind"`
	Path     string `json:"path"`
	Name     string `json:"name,omitempty"`
	MIMEType string `json:"mime_type,omitempty"`
	Data     []byte `json:"data,omitempty"`
	Width    int    `json:"width,omitempty"`
	Height   int    `json:"height,omitempty"`
}

const snapshotVersion = 1

// Snapshot encodes the users, chats (every message as stored, with its
// keyboard and media), files and command menus as JSON, for Restore in a
// later process.
func (s *Server) Snapshot() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := snapshot{Version: snapshotVersion, NextUpdateID: s.st.nextUpdateID,
		NextCallback: s.st.nextCallback, NextFile: s.st.nextFile, Commands: s.st.commands}
	for _, u := range s.st.users {
		snap.Users = append(snap.Users, *u)
	}
	for _, c := range s.st.chats {
		sc := snapChat{ID: c.id, Type: c.typ, Title: c.title, Username: c.username, UserID: c.userID,
			NextID: c.nextID, Blocked: c.blocked, Instance: c.instance}
		for _, m := range c.msgs {
			sm := snapMessage{Message: m.Message, Entities: m.entities, Media: m.media}
			sm.Keyboard = inlineKeyboardJSON(m.InlineKeyboard)
			sm.InlineKeyboard = nil
			sc.Messages = append(sc.Messages, sm)
		}
		snap.Chats = append(snap.Chats, sc)
	}
	for _, f := range s.st.files {
		snap.Files = append(snap.Files, snapFile{ID: f.id, UniqueID: f.uniqueID, Kind: f.kind, Path: f.path,
			Name: f.name, MIMEType: f.mimeType, Data: f.data, Width: f.width, Height: f.height})
	}
	data, err := json.Marshal(snap)
	if err != nil {
		return nil, fmt.Errorf("bottest: snapshot: %w", err)
	}
	return data, nil
}

// Restore replaces the users, chats, files and menus with those of a Snapshot (as
// Reset does, the rest of the state is forgotten) and continues the id
// counters from it (never lower than they are).
func (s *Server) Restore(data []byte) error {
	var snap snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return fmt.Errorf("bottest: restore: %w", err)
	}
	if snap.Version != snapshotVersion {
		return fmt.Errorf("bottest: restore: snapshot version %d, want %d", snap.Version, snapshotVersion)
	}
	st := newState()
	for i := range snap.Users {
		u := snap.Users[i]
		st.users[u.ID] = &u
	}
	for _, sc := range snap.Chats {
		c := &chat{id: sc.ID, typ: sc.Type, title: sc.Title, username: sc.Username, userID: sc.UserID,
			nextID: sc.NextID, blocked: sc.Blocked, instance: sc.Instance, byID: map[int64]*storedMessage{}}
		for _, sm := range sc.Messages {
			m := &storedMessage{Message: sm.Message, entities: sm.Entities, media: sm.Media}
			if len(sm.Keyboard) > 0 {
				var kb struct {
					InlineKeyboard [][]InlineButton `json:"inline_keyboard"`
				}
				if err := json.Unmarshal(sm.Keyboard, &kb); err != nil {
					return fmt.Errorf("bottest: restore: chat %d message %d: %w", sc.ID, sm.ID, err)
				}
				m.InlineKeyboard = kb.InlineKeyboard
			}
			c.msgs = append(c.msgs, m)
			c.byID[m.ID] = m
		}
		st.chats[c.id] = c
	}
	for _, sf := range snap.Files {
		f := &storedFile{id: sf.ID, uniqueID: sf.UniqueID, kind: sf.Kind, path: sf.Path, name: sf.Name,
			mimeType: sf.MIMEType, data: sf.Data, width: sf.Width, height: sf.Height}
		st.files[f.id] = f
		st.filesByPath[f.path] = f
	}
	for k, v := range snap.Commands {
		st.commands[k] = v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st.seq = s.st.seq
	st.nextUpdateID = max(s.st.nextUpdateID, snap.NextUpdateID)
	st.nextCallback = max(s.st.nextCallback, snap.NextCallback)
	st.nextFile = max(s.st.nextFile, snap.NextFile)
	s.st = st
	s.notifyLocked()
	return nil
}

// UserOf returns a handle to act as a user the server knows, keeping its
// profile (ok is false for a user never added).
func (s *Server) UserOf(id int64) (*User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.users[id]
	if p == nil {
		return nil, false
	}
	return &User{UserProfile: *p, s: s}, true
}
