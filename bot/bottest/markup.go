package bottest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// ReplyMarkup is a parsed reply_markup parameter.
type ReplyMarkup struct {
	InlineKeyboard [][]InlineButton   `json:"inline_keyboard,omitempty"`
	Keyboard       [][]KeyboardButton `json:"keyboard,omitempty"`
	RemoveKeyboard bool               `json:"remove_keyboard,omitempty"`
	ForceReply     bool               `json:"force_reply,omitempty"`
	// Raw is the parameter as sent.
	Raw json.RawMessage `json:"-"`
}

// InlineButton is one inline keyboard button. Only the common fields are
// parsed; Raw keeps the button exactly as sent.
type InlineButton struct {
	Text         string          `json:"text"`
	CallbackData *string         `json:"callback_data,omitempty"`
	URL          string          `json:"url,omitempty"`
	Raw          json.RawMessage `json:"-"`
}

// Data returns the callback data ("" for non-callback buttons).
func (b InlineButton) Data() string {
	if b.CallbackData == nil {
		return ""
	}
	return *b.CallbackData
}

// UnmarshalJSON keeps the raw bytes next to the parsed fields.
func (b *InlineButton) UnmarshalJSON(data []byte) error {
	type plain InlineButton
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	*b = InlineButton(p)
	b.Raw = append(json.RawMessage(nil), data...)
	return nil
}

// KeyboardButton is one button of a custom reply keyboard.
type KeyboardButton struct {
	Text            string          `json:"text"`
	RequestContact  bool            `json:"request_contact,omitempty"`
	RequestLocation bool            `json:"request_location,omitempty"`
	Raw             json.RawMessage `json:"-"`
}

// UnmarshalJSON accepts a button object or, as Telegram does, a bare string.
func (b *KeyboardButton) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		*b = KeyboardButton{Text: s, Raw: append(json.RawMessage(nil), data...)}
		return nil
	}
	type plain KeyboardButton
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	*b = KeyboardButton(p)
	b.Raw = append(json.RawMessage(nil), data...)
	return nil
}

// Buttons returns the inline buttons row by row, flattened.
func (m *ReplyMarkup) Buttons() []InlineButton {
	if m == nil {
		return nil
	}
	return flatten(m.InlineKeyboard)
}

func flatten(kb [][]InlineButton) []InlineButton {
	var out []InlineButton
	for _, row := range kb {
		out = append(out, row...)
	}
	return out
}

// parseReplyMarkup parses a reply_markup value; it does not validate.
func parseReplyMarkup(raw string) (*ReplyMarkup, error) {
	var m ReplyMarkup
	dec := json.NewDecoder(strings.NewReader(raw))
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	m.Raw = json.RawMessage(raw)
	return &m, nil
}

// inlineKeyboardJSON renders an inline keyboard as Telegram echoes it in a
// Message: {"inline_keyboard":[[button,...],...]} with buttons as sent.
func inlineKeyboardJSON(kb [][]InlineButton) json.RawMessage {
	if len(kb) == 0 {
		return nil
	}
	var buf bytes.Buffer
	buf.WriteString(`{"inline_keyboard":[`)
	for i, row := range kb {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('[')
		for j, b := range row {
			if j > 0 {
				buf.WriteByte(',')
			}
			buf.Write(normalizeButton(b))
		}
		buf.WriteByte(']')
	}
	buf.WriteString("]}")
	return buf.Bytes()
}

// normalizeButton renders a button without empty fields. Clients such as
// go-telegram send every button with "copy_text":{"text":""}; Telegram
// ignores such empty fields and does not echo them.
func normalizeButton(b InlineButton) []byte {
	raw := b.Raw
	if len(raw) == 0 {
		raw, _ = json.Marshal(b)
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return raw
	}
	for k, v := range obj {
		if k != "text" && isEmptyAction(k, v) {
			delete(obj, k)
		}
	}
	out, _ := json.Marshal(obj)
	return out
}

// isEmptyAction reports a button field that carries nothing: "", null, or
// a copy_text without text.
func isEmptyAction(name string, v json.RawMessage) bool {
	t := strings.TrimSpace(string(v))
	if t == `""` || t == "null" {
		return true
	}
	if name == "copy_text" {
		var ct struct {
			Text string `json:"text"`
		}
		return json.Unmarshal(v, &ct) == nil && ct.Text == ""
	}
	return false
}

// inlineButtonActions are the fields of which a button needs exactly one.
var inlineButtonActions = []string{
	"url", "callback_data", "web_app", "login_url", "switch_inline_query",
	"switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
	"copy_text", "callback_game", "pay",
}

// validateReplyMarkup checks the rules Telegram enforces on reply_markup.
// inlineOnly is true for methods whose reply_markup must be an
// InlineKeyboardMarkup (edits).
func validateReplyMarkup(raw string, inlineOnly bool) (*ReplyMarkup, *apiError) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &obj); err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	m, err := parseReplyMarkup(raw)
	if err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	_, hasInline := obj["inline_keyboard"]
	if inlineOnly && !hasInline {
		return nil, badRequest("can't parse inline keyboard markup JSON object")
	}
	if !hasInline {
		_, hasKb := obj["keyboard"]
		_, hasRm := obj["remove_keyboard"]
		_, hasFr := obj["force_reply"]
		if !hasKb && !hasRm && !hasFr {
			return nil, badRequest("can't parse reply keyboard markup JSON object")
		}
		for _, row := range m.Keyboard {
			for _, b := range row {
				if b.Text == "" {
					return nil, badRequest("can't parse keyboard button: Field \"text\" must be of type String")
				}
			}
		}
		return m, nil
	}
	var rows [][]map[string]json.RawMessage
	if err := json.Unmarshal(obj["inline_keyboard"], &rows); err != nil {
		return nil, badRequest("can't parse inline keyboard markup JSON object")
	}
	for _, row := range rows {
		for _, b := range row {
			if e := validateInlineButton(b); e != nil {
				return nil, e
			}
		}
	}
	return m, nil
}

func validateInlineButton(b map[string]json.RawMessage) *apiError {
	var text string
	if raw, ok := b["text"]; !ok || json.Unmarshal(raw, &text) != nil {
		return badRequest("can't parse inline keyboard button: Field \"text\" must be of type String")
	}
	if strings.TrimSpace(text) == "" {
		return badRequest("BUTTON_TEXT_EMPTY")
	}
	actions := 0
	for _, a := range inlineButtonActions {
		if v, ok := b[a]; ok && (a == "callback_data" || !isEmptyAction(a, v)) {
			actions++
		}
	}
	if actions == 0 {
		return badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
	}
	if raw, ok := b["callback_data"]; ok {
		var data string
		if json.Unmarshal(raw, &data) != nil || len(data) == 0 || len(data) > MaxCallbackDataBytes {
			return badRequest("BUTTON_DATA_INVALID")
		}
	}
	if raw, ok := b["url"]; ok && !isEmptyAction("url", raw) {
		var u string
		if json.Unmarshal(raw, &u) != nil || !validButtonURL(u) {
			return badRequest("inline keyboard button URL '%s' is invalid: Wrong HTTP URL", strings.Trim(string(raw), `"`))
		}
	}
	return nil
}

func validButtonURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return u.Host != ""
	case "tg":
		return u.Host != "" || u.Opaque != ""
	default:
		return false
	}
}

// sameKeyboard compares two inline keyboards by their echoed JSON.
func sameKeyboard(a, b [][]InlineButton) bool {
	return bytes.Equal(inlineKeyboardJSON(a), inlineKeyboardJSON(b))
}

func (b InlineButton) String() string {
	if b.CallbackData != nil {
		return fmt.Sprintf("[%s|%s]", b.Text, *b.CallbackData)
	}
	if b.URL != "" {
		return fmt.Sprintf("[%s|%s]", b.Text, b.URL)
	}
	return fmt.Sprintf("[%s]", b.Text)
}
