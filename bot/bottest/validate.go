package bottest

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/renovote/renovote/bot/bottest/apispec"
)

// Limits Telegram enforces and the fake checks. Text lengths are counted in
// UTF-16 code units of the text after parse_mode processing (what the user
// sees), which is how Telegram counts "characters".
const (
	MaxTextLength           = 4096 // sendMessage / editMessageText text
	MaxCaptionLength        = 1024 // media captions
	MaxCallbackDataBytes    = 64   // inline button callback_data, in bytes
	MaxCallbackAnswerLength = 200  // answerCallbackQuery text
	MaxDownloadBytes        = 20 << 20
)

// validate checks a request against the spec and Telegram's limits. It
// does not need the server state.
func (s *Server) validate(r *request) *apiError {
	for _, f := range r.method.Fields {
		v, has := r.params[f.Name]
		_, hasFile := r.uploads[f.Name]
		if !has || v == "" {
			if f.Required && !hasFile {
				return missingParam(r.method, f)
			}
			continue
		}
		if e := checkType(f, v, r); e != nil {
			return e
		}
	}
	return s.validateMethod(r)
}

// missingParam words the error like Telegram does where its wording is
// known, and as "<param> is required" otherwise.
func missingParam(m *apispec.Method, f apispec.Field) *apiError {
	switch {
	case f.Name == "chat_id":
		return badRequest("chat_id is empty")
	case f.Name == "text" && (m.Name == "sendMessage" || m.Name == "editMessageText"):
		return badRequest("message text is empty")
	case hasType(f, "InputFile"):
		return badRequest("there is no %s in the request", f.Name)
	default:
		return badRequest("%s is required", f.Name)
	}
}

func hasType(f apispec.Field, t string) bool {
	for _, x := range f.Types {
		if x == t {
			return true
		}
	}
	return false
}

func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// checkType checks one present parameter against its spec types.
func checkType(f apispec.Field, v string, r *request) *apiError {
	if len(f.Types) == 1 {
		switch f.Types[0] {
		case "String":
			return nil
		case "Integer":
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				return badRequest("field \"%s\" must be of type Integer", f.Name)
			}
			return nil
		case "Boolean":
			if _, ok := parseBool(v); !ok {
				return badRequest("field \"%s\" must be of type Boolean", f.Name)
			}
			return nil
		case "Float":
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return badRequest("field \"%s\" must be of type Float", f.Name)
			}
			return nil
		}
	}
	if hasType(f, "InputFile") {
		if name, ok := strings.CutPrefix(v, "attach://"); ok {
			if _, ok := r.uploads[name]; !ok {
				return badRequest("wrong file identifier/HTTP URL specified")
			}
		}
		return nil
	}
	if hasType(f, "String") || hasType(f, "Integer") {
		return nil // Integer-or-String (chat ids) is resolved by the method
	}
	// Objects and arrays travel as JSON text.
	t := strings.TrimSpace(v)
	isArray := strings.HasPrefix(f.Types[0], "Array of")
	if !json.Valid([]byte(t)) || (isArray && !strings.HasPrefix(t, "[")) || (!isArray && !strings.HasPrefix(t, "{")) {
		switch f.Name {
		case "reply_markup":
			return badRequest("can't parse reply keyboard markup JSON object")
		case "entities", "caption_entities":
			return badRequest("can't parse entities JSON object")
		default:
			return badRequest("can't parse %s JSON object", f.Name)
		}
	}
	return nil
}

var botCommandRE = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// validateMethod applies the per-method rules that the spec's field list
// cannot express.
func (s *Server) validateMethod(r *request) *apiError {
	name := r.method.Name
	p := r.params
	if rm := p["reply_markup"]; rm != "" {
		inlineOnly := strings.HasPrefix(name, "editMessage") || name == "stopPoll"
		m, e := validateReplyMarkup(rm, inlineOnly)
		if e != nil {
			return e
		}
		r.call.ReplyMarkup = m
	}
	if strings.HasPrefix(name, "editMessage") || name == "stopMessageLiveLocation" {
		if !r.has("inline_message_id") && (!r.has("chat_id") || !r.has("message_id")) {
			if !r.has("chat_id") && !r.has("message_id") {
				return badRequest("message identifier is not specified")
			}
			if !r.has("chat_id") {
				return badRequest("chat_id is empty")
			}
			return badRequest("message identifier is not specified")
		}
	}
	switch name {
	case "sendMessage", "editMessageText":
		if name == "editMessageText" && !r.has("text") && !r.has("rich_message") {
			return badRequest("message text is empty")
		}
		if r.has("text") {
			if _, e := visibleText(p["text"], p, "entities", MaxTextLength, "message is too long"); e != nil {
				return e
			}
		}
	case "answerCallbackQuery":
		if utf16Len(p["text"]) > MaxCallbackAnswerLength {
			return badRequest("MESSAGE_TOO_LONG")
		}
	case "setMyCommands":
		return validateCommands(p["commands"])
	case "deleteMessages":
		var ids []int64
		if json.Unmarshal([]byte(p["message_ids"]), &ids) != nil || len(ids) == 0 || len(ids) > 100 {
			return badRequest("message_ids must contain 1-100 message identifiers")
		}
	}
	if _, ok := r.method.Field("caption"); ok && r.has("caption") {
		if _, e := visibleText(p["caption"], p, "caption_entities", MaxCaptionLength, "message caption is too long"); e != nil {
			return e
		}
	}
	return nil
}

// visibleText parses text with the request's parse_mode (unless explicit
// entities are given) and checks its length in UTF-16 code units.
func visibleText(text string, p map[string]string, entitiesField string, max int, tooLong string) (string, *apiError) {
	plain := text
	if p[entitiesField] == "" {
		var e *apiError
		plain, e = plainText(text, p["parse_mode"])
		if e != nil {
			return "", e
		}
	}
	if utf16Len(plain) > max {
		return "", badRequest("%s", tooLong)
	}
	if strings.TrimSpace(plain) == "" && entitiesField == "entities" {
		return "", badRequest("message text is empty")
	}
	return plain, nil
}

// BotCommand is one entry of setMyCommands.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

func validateCommands(raw string) *apiError {
	var cmds []BotCommand
	if err := json.Unmarshal([]byte(raw), &cmds); err != nil {
		return badRequest("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return badRequest("too many commands specified")
	}
	for _, c := range cmds {
		if !botCommandRE.MatchString(c.Command) {
			return badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf16Len(c.Description); n < 1 || n > 256 {
			return badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	return nil
}
