package bottest

import (
	"encoding/json"
	"strconv"
)

const notModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

// editTarget finds the bot message an edit refers to. inline is true for
// inline_message_id edits, which the fake accepts without tracking.
func (s *Server) editTarget(r *request) (c *chat, m *storedMessage, inline bool, e *apiError) {
	if r.has("inline_message_id") && !r.has("chat_id") {
		return nil, nil, true, nil
	}
	c, e = s.resolveChatLocked(r.params["chat_id"])
	if e != nil {
		return nil, nil, false, e
	}
	id, _ := strconv.ParseInt(r.params["message_id"], 10, 64)
	m = c.byID[id]
	if m == nil || m.Deleted {
		return nil, nil, false, badRequest("message to edit not found")
	}
	if !m.FromBot {
		return nil, nil, false, badRequest("message can't be edited")
	}
	return c, m, false, nil
}

func (s *Server) editedLocked(c *chat, m *storedMessage) any {
	m.EditDate = s.now()
	m.Edits++
	return s.messageJSONLocked(c, m, true)
}

// editMessageText replaces the text. Like Telegram, omitting reply_markup
// removes the inline keyboard.
func (s *Server) editMessageText(r *request) (any, *apiError) {
	c, m, inline, e := s.editTarget(r)
	if inline || e != nil {
		return inlineResult(inline, e)
	}
	if m.Kind != "text" {
		return nil, badRequest("there is no text in the message to edit")
	}
	raw := r.params["text"]
	plain, e := visibleText(raw, r.params, "entities", MaxTextLength, "message is too long")
	if e != nil {
		return nil, e
	}
	kb := inlineKeyboard(r)
	ent := json.RawMessage(r.params["entities"])
	if plain == m.Text && raw == m.RawText && string(ent) == string(m.entities) && sameKeyboard(kb, m.InlineKeyboard) {
		return nil, badRequest(notModified)
	}
	m.Text, m.RawText, m.ParseMode, m.InlineKeyboard = plain, raw, r.params["parse_mode"], kb
	m.entities = nil
	if len(ent) > 0 {
		m.entities = ent
	}
	return s.editedLocked(c, m), nil
}

// editMessageCaption replaces the caption of a media message.
func (s *Server) editMessageCaption(r *request) (any, *apiError) {
	c, m, inline, e := s.editTarget(r)
	if inline || e != nil {
		return inlineResult(inline, e)
	}
	if m.Kind == "text" {
		return nil, badRequest("there is no caption in the message to edit")
	}
	raw := r.params["caption"]
	plain, e := visibleText(raw, r.params, "caption_entities", MaxCaptionLength, "message caption is too long")
	if e != nil {
		return nil, e
	}
	kb := inlineKeyboard(r)
	if plain == m.Text && raw == m.RawText && sameKeyboard(kb, m.InlineKeyboard) {
		return nil, badRequest(notModified)
	}
	m.Text, m.RawText, m.ParseMode, m.InlineKeyboard = plain, raw, r.params["parse_mode"], kb
	m.entities = nil
	if ce := r.params["caption_entities"]; ce != "" {
		m.entities = json.RawMessage(ce)
	}
	return s.editedLocked(c, m), nil
}

// editMessageReplyMarkup replaces (or, without reply_markup, removes) the
// inline keyboard.
func (s *Server) editMessageReplyMarkup(r *request) (any, *apiError) {
	c, m, inline, e := s.editTarget(r)
	if inline || e != nil {
		return inlineResult(inline, e)
	}
	kb := inlineKeyboard(r)
	if sameKeyboard(kb, m.InlineKeyboard) {
		return nil, badRequest(notModified)
	}
	m.InlineKeyboard = kb
	return s.editedLocked(c, m), nil
}

// editGeneric covers the other edit methods (media, live location, ...):
// the message is marked edited and its keyboard replaced.
func (s *Server) editGeneric(r *request) (any, *apiError) {
	c, m, inline, e := s.editTarget(r)
	if inline || e != nil {
		return inlineResult(inline, e)
	}
	if r.method.Name == "editMessageMedia" {
		var media struct {
			Type    string `json:"type"`
			Media   string `json:"media"`
			Caption string `json:"caption"`
		}
		_ = json.Unmarshal([]byte(r.params["media"]), &media)
		sub := &request{ctx: r.ctx, method: r.method, params: map[string]string{"m": media.Media}, uploads: r.uploads, call: r.call}
		f, e := s.inputFileLocked(sub, "m", media.Type)
		if e != nil {
			return nil, e
		}
		m.Kind, m.FileID, m.FileName = media.Type, f.id, f.name
		m.Text, m.RawText = media.Caption, media.Caption
		m.media = map[string]any{media.Type: f.mediaJSON(media.Type)}
	}
	m.InlineKeyboard = inlineKeyboard(r)
	return s.editedLocked(c, m), nil
}

func inlineResult(inline bool, e *apiError) (any, *apiError) {
	if e != nil {
		return nil, e
	}
	return true, nil
}

func (s *Server) deleteMessage(r *request) (any, *apiError) {
	c, e := s.resolveChatLocked(r.params["chat_id"])
	if e != nil {
		return nil, e
	}
	id, _ := strconv.ParseInt(r.params["message_id"], 10, 64)
	m := c.byID[id]
	if m == nil || m.Deleted {
		return nil, badRequest("message to delete not found")
	}
	m.Deleted = true
	return true, nil
}

// deleteMessages deletes the messages that exist; like Telegram it skips
// the others silently.
func (s *Server) deleteMessages(r *request) (any, *apiError) {
	c, e := s.resolveChatLocked(r.params["chat_id"])
	if e != nil {
		return nil, e
	}
	var ids []int64
	_ = json.Unmarshal([]byte(r.params["message_ids"]), &ids)
	for _, id := range ids {
		if m := c.byID[id]; m != nil {
			m.Deleted = true
		}
	}
	return true, nil
}
