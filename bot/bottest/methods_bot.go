package bottest

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

func (s *Server) getMe(*request) (any, *apiError) {
	u := s.botUserJSON()
	u["can_join_groups"] = true
	u["can_read_all_group_messages"] = false
	u["supports_inline_queries"] = false
	u["can_connect_to_business"] = false
	u["has_main_web_app"] = false
	return u, nil
}

type webhookState struct {
	URL              string
	SecretToken      string
	MaxConnections   int
	AllowedUpdates   []string
	LastErrorDate    time.Time // of the last failed delivery (WithWebhookDelivery)
	LastErrorMessage string
}

// WebhookInfo is what setWebhook stored.
type WebhookInfo struct {
	URL            string
	SecretToken    string
	MaxConnections int
	AllowedUpdates []string
}

// Webhook returns the webhook set with setWebhook (URL "" if none). The
// fake stores it and makes getUpdates fail with 409 while it is set; it
// posts the updates to it only WithWebhookDelivery.
func (s *Server) Webhook() WebhookInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.st.webhook
	return WebhookInfo{URL: w.URL, SecretToken: w.SecretToken, MaxConnections: w.MaxConnections,
		AllowedUpdates: slices.Clone(w.AllowedUpdates)}
}

func (s *Server) setWebhook(r *request) (any, *apiError) {
	p := r.params
	u := p["url"]
	if !strings.HasPrefix(u, "https://") && !(s.hooks != nil && loopbackURL(u)) {
		return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	if tok := p["secret_token"]; tok != "" {
		for _, c := range tok {
			if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') || len(tok) > 256 {
				return nil, badRequest("secret token contains unallowed characters")
			}
		}
	}
	w := webhookState{URL: u, SecretToken: p["secret_token"], MaxConnections: 40}
	if n, err := strconv.Atoi(p["max_connections"]); err == nil {
		w.MaxConnections = n
	}
	if au := p["allowed_updates"]; au != "" {
		_ = json.Unmarshal([]byte(au), &w.AllowedUpdates)
		s.st.allowed = w.AllowedUpdates
	}
	if drop, _ := parseBool(p["drop_pending_updates"]); drop {
		s.dropPendingLocked()
	}
	s.st.webhook = w
	s.notifyLocked() // the delivery loop starts, and a waiting getUpdates ends
	return true, nil
}

func (s *Server) deleteWebhook(r *request) (any, *apiError) {
	s.st.webhook = webhookState{}
	if drop, _ := parseBool(r.params["drop_pending_updates"]); drop {
		s.dropPendingLocked()
	}
	s.notifyLocked()
	return true, nil
}

func (s *Server) getWebhookInfo(*request) (any, *apiError) {
	w := s.st.webhook
	out := map[string]any{
		"url":                    w.URL,
		"has_custom_certificate": false,
		"pending_update_count":   len(s.st.queue),
	}
	if w.URL != "" {
		out["max_connections"] = w.MaxConnections
		if len(w.AllowedUpdates) > 0 {
			out["allowed_updates"] = w.AllowedUpdates
		}
		if !w.LastErrorDate.IsZero() {
			out["last_error_date"] = w.LastErrorDate.Unix()
			out["last_error_message"] = w.LastErrorMessage
		}
	}
	return out, nil
}

// commandsKey is the storage key of a (scope, language_code) pair.
func commandsKey(scope, lang string) string {
	var sc struct {
		Type   string          `json:"type"`
		ChatID json.RawMessage `json:"chat_id"`
		UserID int64           `json:"user_id"`
	}
	if scope != "" {
		_ = json.Unmarshal([]byte(scope), &sc)
	}
	if sc.Type == "" {
		sc.Type = "default"
	}
	key := sc.Type
	if len(sc.ChatID) > 0 {
		key += ":" + strings.Trim(string(sc.ChatID), `"`)
	}
	if sc.UserID != 0 {
		key += ":" + strconv.FormatInt(sc.UserID, 10)
	}
	return key + "|" + lang
}

func (s *Server) setMyCommands(r *request) (any, *apiError) {
	var cmds []BotCommand
	_ = json.Unmarshal([]byte(r.params["commands"]), &cmds)
	key := commandsKey(r.params["scope"], r.params["language_code"])
	if len(cmds) == 0 {
		delete(s.st.commands, key)
	} else {
		s.st.commands[key] = cmds
	}
	return true, nil
}

func (s *Server) getMyCommands(r *request) (any, *apiError) {
	cmds := s.st.commands[commandsKey(r.params["scope"], r.params["language_code"])]
	if cmds == nil {
		cmds = []BotCommand{}
	}
	return cmds, nil
}

func (s *Server) deleteMyCommands(r *request) (any, *apiError) {
	delete(s.st.commands, commandsKey(r.params["scope"], r.params["language_code"]))
	return true, nil
}

// MyCommands returns the commands set for the default scope and a language
// code ("" for all languages).
func (s *Server) MyCommands(languageCode string) []BotCommand {
	return s.MyCommandsForScope("", languageCode)
}

// MyCommandsForScope returns the commands for a scope given as its JSON
// (e.g. `{"type":"all_private_chats"}`) and language code.
func (s *Server) MyCommandsForScope(scopeJSON, languageCode string) []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.commands[commandsKey(scopeJSON, languageCode)])
}

func (s *Server) getChat(r *request) (any, *apiError) {
	c, e := s.resolveChatLocked(r.params["chat_id"])
	if e != nil {
		return nil, e
	}
	out := c.jsonObject(s)
	out["accent_color_id"] = 0
	out["max_reaction_count"] = 11
	out["accepted_gift_types"] = map[string]bool{}
	return out, nil
}

func (s *Server) getChatMember(r *request) (any, *apiError) {
	if _, e := s.resolveChatLocked(r.params["chat_id"]); e != nil {
		return nil, e
	}
	uid, _ := strconv.ParseInt(r.params["user_id"], 10, 64)
	if uid == s.botID {
		return map[string]any{"status": "member", "user": s.botUserJSON()}, nil
	}
	u := s.st.users[uid]
	if u == nil {
		return nil, badRequest("PARTICIPANT_ID_INVALID")
	}
	status := "member"
	if c := s.st.chats[uid]; c != nil && c.blocked {
		status = "kicked"
	}
	return chatMember(status, u.jsonObject()), nil
}

// genericMethod answers every spec method without a dedicated handler,
// with a result of the right shape so clients can decode it: true for
// Boolean methods, a transcript message for send*/edit* methods returning
// Message, and an empty object, array, string or 0 otherwise.
func (s *Server) genericMethod(r *request) (any, *apiError) {
	name := r.method.Name
	returns := r.method.Returns
	switch {
	case name == "sendMediaGroup":
		return s.sendMediaGroup(r)
	case name == "copyMessages":
		return s.copyMany(r, "message to copy not found")
	case name == "forwardMessages":
		return s.copyMany(r, "message to forward not found")
	case slices.Contains(returns, "Message") && (strings.HasPrefix(name, "edit") || strings.HasPrefix(name, "stop")):
		return s.editGeneric(r)
	case slices.Contains(returns, "Message") && strings.HasPrefix(name, "send"):
		return s.sendGeneric(r)
	}
	if len(returns) == 0 {
		return true, nil
	}
	switch ret := returns[0]; {
	case ret == "Boolean" || ret == "True":
		return true, nil
	case ret == "Integer":
		if name == "getChatMemberCount" {
			return 2, nil
		}
		return 0, nil
	case ret == "String":
		if strings.Contains(strings.ToLower(name), "link") {
			return "https://t.me/+bottest", nil
		}
		return "", nil
	case strings.HasPrefix(ret, "Array of"):
		return []any{}, nil
	default:
		return map[string]any{}, nil
	}
}
