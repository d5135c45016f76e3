package bottest

import (
	"encoding/json"
	"strconv"
	"strings"
)

// textFields returns the text-ish parameter of a method and its entities
// parameter: text/entities for sendMessage, caption/caption_entities else.
func textFields(r *request) (string, string) {
	if _, ok := r.method.Field("text"); ok && r.method.Name != "answerCallbackQuery" {
		return "text", "entities"
	}
	return "caption", "caption_entities"
}

// inlineKeyboard returns the inline keyboard of the request's reply_markup
// (nil when absent or not an inline keyboard).
func inlineKeyboard(r *request) [][]InlineButton {
	if r.call.ReplyMarkup == nil {
		return nil
	}
	return r.call.ReplyMarkup.InlineKeyboard
}

// replyTarget returns the message id the request replies to.
func replyTarget(r *request) (int64, bool) {
	if rp := r.params["reply_parameters"]; rp != "" {
		var v struct {
			MessageID                int64 `json:"message_id"`
			AllowSendingWithoutReply bool  `json:"allow_sending_without_reply"`
		}
		_ = json.Unmarshal([]byte(rp), &v)
		return v.MessageID, v.AllowSendingWithoutReply
	}
	id, _ := strconv.ParseInt(r.params["reply_to_message_id"], 10, 64)
	lenient, _ := parseBool(r.params["allow_sending_without_reply"])
	return id, lenient
}

// botMessageLocked resolves the chat, checks the reply target and appends
// a bot message of kind with the request's text/caption and keyboard.
// prepare runs after the checks and before the message exists; it may fail.
func (s *Server) botMessageLocked(r *request, kind string, prepare func(c *chat) (map[string]any, *apiError)) (*chat, *storedMessage, *apiError) {
	c, e := s.resolveChatLocked(r.params["chat_id"])
	if e != nil {
		return nil, nil, e
	}
	replyTo, lenient := replyTarget(r)
	if replyTo != 0 {
		if t := c.byID[replyTo]; t == nil || t.Deleted {
			if !lenient {
				return nil, nil, badRequest("message to be replied not found")
			}
			replyTo = 0
		}
	}
	var media map[string]any
	if prepare != nil {
		if media, e = prepare(c); e != nil {
			return nil, nil, e
		}
	}
	textField, entField := textFields(r)
	raw := r.params[textField]
	plain, e := visibleText(raw, r.params, entField, 1<<30, "")
	if e != nil && raw != "" {
		return nil, nil, e
	}
	m := s.newMessageLocked(c, true, s.botID, kind)
	m.Text, m.RawText, m.ParseMode = plain, raw, r.params["parse_mode"]
	if ent := r.params[entField]; ent != "" {
		m.entities = json.RawMessage(ent)
	}
	m.InlineKeyboard = inlineKeyboard(r)
	m.ReplyToID = replyTo
	m.media = media
	return c, m, nil
}

func (s *Server) sendMessage(r *request) (any, *apiError) {
	c, m, e := s.botMessageLocked(r, "text", nil)
	if e != nil {
		return nil, e
	}
	return s.messageJSONLocked(c, m, true), nil
}

func (s *Server) sendPhoto(r *request) (any, *apiError) { return s.sendFile(r, "photo") }

func (s *Server) sendDocument(r *request) (any, *apiError) { return s.sendFile(r, "document") }

func (s *Server) sendFile(r *request, kind string) (any, *apiError) {
	var f *storedFile
	c, m, e := s.botMessageLocked(r, kind, func(*chat) (map[string]any, *apiError) {
		var e *apiError
		f, e = s.inputFileLocked(r, kind, kind)
		if e != nil {
			return nil, e
		}
		return map[string]any{kind: f.mediaJSON(kind)}, nil
	})
	if e != nil {
		return nil, e
	}
	m.FileID, m.FileName = f.id, f.name
	return s.messageJSONLocked(c, m, true), nil
}

// sendGeneric implements every other send* method returning a Message: the
// message is added to the transcript with Kind = method without "send";
// InputFile parameters are stored as files.
func (s *Server) sendGeneric(r *request) (any, *apiError) {
	kind := strings.ToLower(strings.TrimPrefix(r.method.Name, "send"))
	var fileID, fileName string
	c, m, e := s.botMessageLocked(r, kind, func(*chat) (map[string]any, *apiError) {
		media := map[string]any{}
		for _, f := range r.method.Fields {
			if !hasType(f, "InputFile") || f.Name == "thumbnail" || f.Name == "cover" {
				continue
			}
			if !r.has(f.Name) && r.uploads[f.Name] == nil {
				continue
			}
			sf, e := s.inputFileLocked(r, f.Name, f.Name)
			if e != nil {
				return nil, e
			}
			media[f.Name] = sf.mediaJSON(f.Name)
			if fileID == "" {
				fileID, fileName = sf.id, sf.name
			}
		}
		return media, nil
	})
	if e != nil {
		return nil, e
	}
	m.FileID, m.FileName = fileID, fileName
	return s.messageJSONLocked(c, m, true), nil
}

// sendMediaGroup adds one message per element of "media".
func (s *Server) sendMediaGroup(r *request) (any, *apiError) {
	var items []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.params["media"]), &items); err != nil || len(items) < 2 || len(items) > 10 {
		return nil, badRequest("wrong number of media in the album: must be 2-10")
	}
	c, e := s.resolveChatLocked(r.params["chat_id"])
	if e != nil {
		return nil, e
	}
	type prepared struct {
		kind, caption, parseMode string
		f                        *storedFile
	}
	var ps []prepared
	for _, it := range items {
		var kind, media, caption, pm string
		_ = json.Unmarshal(it["type"], &kind)
		_ = json.Unmarshal(it["media"], &media)
		_ = json.Unmarshal(it["caption"], &caption)
		_ = json.Unmarshal(it["parse_mode"], &pm)
		sub := &request{ctx: r.ctx, method: r.method, params: map[string]string{"m": media}, uploads: r.uploads, call: r.call}
		f, e := s.inputFileLocked(sub, "m", kind)
		if e != nil {
			return nil, e
		}
		if _, e := visibleText(caption, map[string]string{"parse_mode": pm}, "caption_entities", MaxCaptionLength, "message caption is too long"); e != nil && caption != "" {
			return nil, e
		}
		ps = append(ps, prepared{kind, caption, pm, f})
	}
	var out []any
	group := strconv.FormatInt(s.now().UnixNano(), 10)
	for _, p := range ps {
		m := s.newMessageLocked(c, true, s.botID, p.kind)
		m.RawText, m.ParseMode = p.caption, p.parseMode
		m.Text, _ = plainText(p.caption, p.parseMode)
		m.FileID, m.FileName = p.f.id, p.f.name
		m.media = map[string]any{p.kind: p.f.mediaJSON(p.kind), "media_group_id": group}
		out = append(out, s.messageJSONLocked(c, m, true))
	}
	return out, nil
}

// copyLocked copies a message into chat to (Kind, text, media); the
// keyboard comes from the request.
func (s *Server) copyLocked(r *request, to *chat, from *chat, srcID int64, notFound string) (*storedMessage, *apiError) {
	src := from.byID[srcID]
	if src == nil || src.Deleted {
		return nil, badRequest("%s", notFound)
	}
	m := s.newMessageLocked(to, true, s.botID, src.Kind)
	m.Text, m.RawText, m.ParseMode = src.Text, src.RawText, src.ParseMode
	m.FileID, m.FileName, m.entities, m.media = src.FileID, src.FileName, src.entities, src.media
	if r.has("caption") && src.Kind != "text" {
		m.RawText, m.ParseMode = r.params["caption"], r.params["parse_mode"]
		m.Text, _ = plainText(m.RawText, m.ParseMode)
	}
	m.InlineKeyboard = inlineKeyboard(r)
	return m, nil
}

func (s *Server) copyMessage(r *request) (any, *apiError) {
	from, e := s.resolveChatLocked(r.params["from_chat_id"])
	if e != nil {
		return nil, e
	}
	to, e := s.resolveChatLocked(r.params["chat_id"])
	if e != nil {
		return nil, e
	}
	id, _ := strconv.ParseInt(r.params["message_id"], 10, 64)
	m, e := s.copyLocked(r, to, from, id, "message to copy not found")
	if e != nil {
		return nil, e
	}
	return map[string]any{"message_id": m.ID}, nil
}

func (s *Server) forwardMessage(r *request) (any, *apiError) {
	from, e := s.resolveChatLocked(r.params["from_chat_id"])
	if e != nil {
		return nil, e
	}
	to, e := s.resolveChatLocked(r.params["chat_id"])
	if e != nil {
		return nil, e
	}
	id, _ := strconv.ParseInt(r.params["message_id"], 10, 64)
	m, e := s.copyLocked(r, to, from, id, "message to forward not found")
	if e != nil {
		return nil, e
	}
	m.InlineKeyboard = nil
	src := from.byID[id]
	origin := map[string]any{"type": "user", "date": src.Date.Unix()}
	if src.FromBot {
		origin["sender_user"] = s.botUserJSON()
	} else if u := s.st.users[src.FromID]; u != nil {
		origin["sender_user"] = u.jsonObject()
	}
	media := map[string]any{"forward_origin": origin}
	for k, v := range m.media {
		media[k] = v
	}
	m.media = media
	return s.messageJSONLocked(to, m, true), nil
}

// copyMessages / forwardMessages.
func (s *Server) copyMany(r *request, notFound string) (any, *apiError) {
	from, e := s.resolveChatLocked(r.params["from_chat_id"])
	if e != nil {
		return nil, e
	}
	to, e := s.resolveChatLocked(r.params["chat_id"])
	if e != nil {
		return nil, e
	}
	var ids []int64
	if err := json.Unmarshal([]byte(r.params["message_ids"]), &ids); err != nil || len(ids) == 0 {
		return nil, badRequest("message_ids must be a non-empty array of integers")
	}
	out := []any{}
	for _, id := range ids {
		if m, e := s.copyLocked(r, to, from, id, notFound); e == nil {
			out = append(out, map[string]any{"message_id": m.ID})
		}
	}
	if len(out) == 0 {
		return nil, badRequest("%s", notFound)
	}
	return out, nil
}
