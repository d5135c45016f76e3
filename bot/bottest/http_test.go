package bottest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/renovote/renovote/bot/bottest"
)

func TestRejections(t *testing.T) {
	srv := bottest.NewServer(t)
	srv.User(42, "Alice", "en")

	cases := []struct {
		name, method string
		params       map[string]any
		status       int
		desc         string
	}{
		{"unknown method", "sendTelepathy", map[string]any{"chat_id": 42}, 404, "Not Found: method not found"},
		{"missing text", "sendMessage", map[string]any{"chat_id": 42}, 400, "Bad Request: message text is empty"},
		{"missing chat", "sendMessage", map[string]any{"text": "hi"}, 400, "Bad Request: chat_id is empty"},
		{"missing query id", "answerCallbackQuery", map[string]any{"text": "x"}, 400, "Bad Request: callback_query_id is required"},
		{"missing photo", "sendPhoto", map[string]any{"chat_id": 42}, 400, "Bad Request: there is no photo in the request"},
		{"missing message_id", "deleteMessage", map[string]any{"chat_id": 42}, 400, "Bad Request: message_id is required"},
		{"bad integer", "deleteMessage", map[string]any{"chat_id": 42, "message_id": "abc"}, 400, `Bad Request: field "message_id" must be of type Integer`},
		{"bad json", "sendMessage", map[string]any{"chat_id": 42, "text": "x", "reply_markup": "{"}, 400, "Bad Request: can't parse reply keyboard markup JSON object"},
		{"too long", "sendMessage", map[string]any{"chat_id": 42, "text": strings.Repeat("x", 4097)}, 400, "Bad Request: message is too long"},
		{"long edit", "editMessageText", map[string]any{"chat_id": 42, "message_id": 1, "text": strings.Repeat("x", 4097)}, 400, "Bad Request: message is too long"},
		{"edit without id", "editMessageText", map[string]any{"text": "x"}, 400, "Bad Request: message identifier is not specified"},
		{"long caption", "sendPhoto", map[string]any{"chat_id": 42, "photo": "https://example.com/a.jpg", "caption": strings.Repeat("x", 1025)}, 400, "Bad Request: message caption is too long"},
		{"bad html", "sendMessage", map[string]any{"chat_id": 42, "text": "1 < 2", "parse_mode": "HTML"}, 400, ""},
		{"bad markdown", "sendMessage", map[string]any{"chat_id": 42, "text": "v1.2", "parse_mode": "MarkdownV2"}, 400, "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'"},
		{"long data", "sendMessage", map[string]any{"chat_id": 42, "text": "x", "reply_markup": map[string]any{
			"inline_keyboard": [][]map[string]any{{{"text": "b", "callback_data": strings.Repeat("z", 65)}}}}}, 400, "Bad Request: BUTTON_DATA_INVALID"},
		{"long answer", "answerCallbackQuery", map[string]any{"callback_query_id": "1", "text": strings.Repeat("x", 201)}, 400, ""},
		{"unknown query", "answerCallbackQuery", map[string]any{"callback_query_id": "1"}, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := call(t, srv, c.method, c.params)
			if r.OK || r.status != c.status || r.ErrorCode != c.status || (c.desc != "" && r.Description != c.desc) {
				t.Errorf("got %d %s, want %d %q", r.status, r.raw, c.status, c.desc)
			}
		})
	}

	// Rejected calls are recorded too.
	if c, ok := srv.LastCall("sendTelepathy"); !ok || c.Status != 404 {
		t.Errorf("unknown method call not recorded: %+v", c)
	}
	// Nothing reached the transcript.
	if ms := srv.Messages(42); len(ms) != 0 {
		t.Errorf("transcript = %v", ms)
	}
}

func TestTokenAndRoutes(t *testing.T) {
	srv := bottest.NewServer(t, bottest.WithToken("777:secret"), bottest.WithBot("renobot", "Reno"))
	if srv.BotID() != 777 {
		t.Errorf("BotID = %d", srv.BotID())
	}
	r := do(t, srv.URL+"/bot111:wrong/getMe", "", nil)
	if r.status != 401 || r.raw != `{"ok":false,"error_code":401,"description":"Unauthorized"}` {
		t.Errorf("wrong token: %d %s", r.status, r.raw)
	}
	r = do(t, srv.URL+"/bot777:secret/nope", "", nil)
	if r.status != 404 || r.raw != `{"ok":false,"error_code":404,"description":"Not Found: method not found"}` {
		t.Errorf("unknown method: %d %s", r.status, r.raw)
	}
	// GET with a query string, method name in another case.
	resp, err := http.Get(srv.URL + "/bot777:secret/GETME")
	if err != nil {
		t.Fatal(err)
	}
	var me struct {
		OK     bool `json:"ok"`
		Result struct {
			ID       int64  `json:"id"`
			IsBot    bool   `json:"is_bot"`
			Username string `json:"username"`
		} `json:"result"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&me)
	resp.Body.Close()
	if !me.OK || me.Result.ID != 777 || !me.Result.IsBot || me.Result.Username != "renobot" {
		t.Errorf("getMe = %+v", me)
	}
	if c, _ := srv.LastCall("getMe"); c.Method != "getMe" {
		t.Errorf("method not canonicalised: %q", c.Method)
	}
	// urlencoded body.
	srv.User(5, "U", "en")
	form := url.Values{"chat_id": {"5"}, "text": {"form"}}
	r = do(t, srv.URL+"/bot777:secret/sendMessage", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if !r.OK {
		t.Fatalf("urlencoded: %s", r.raw)
	}
	if m, ok := srv.LastBotMessage(5); !ok || m.Text != "form" {
		t.Errorf("last bot message = %+v", m)
	}
	// Test environment prefix.
	if r := do(t, srv.URL+"/bot777:secret/test/getMe", "", nil); !r.OK {
		t.Errorf("test env: %s", r.raw)
	}
	// Unrelated path.
	if r := do(t, srv.URL+"/other", "", nil); r.status != 404 {
		t.Errorf("other path: %d", r.status)
	}
}

func TestGenericMethods(t *testing.T) {
	srv := bottest.NewServer(t)
	srv.User(42, "Alice", "en")
	for _, c := range []struct {
		method string
		params map[string]any
		result string
	}{
		{"sendChatAction", map[string]any{"chat_id": 42, "action": "typing"}, "true"},
		{"setMessageReaction", map[string]any{"chat_id": 42, "message_id": 1}, "true"},
		{"getMyName", nil, "{}"},
		{"getChatAdministrators", map[string]any{"chat_id": 42}, "[]"},
		{"getChatMemberCount", map[string]any{"chat_id": 42}, "2"},
	} {
		r := call(t, srv, c.method, c.params)
		if !r.OK || string(r.Result) != c.result {
			t.Errorf("%s = %s", c.method, r.raw)
		}
	}
	r := call(t, srv, "sendLocation", map[string]any{"chat_id": 42, "latitude": 1.5, "longitude": 2.5})
	var m struct {
		MessageID int64 `json:"message_id"`
		Chat      struct {
			ID   int64  `json:"id"`
			Type string `json:"type"`
		} `json:"chat"`
	}
	if err := json.Unmarshal(r.Result, &m); err != nil || m.MessageID != 1 || m.Chat.ID != 42 || m.Chat.Type != "private" {
		t.Errorf("sendLocation = %s", r.raw)
	}
	if last, _ := srv.LastBotMessage(42); last.Kind != "location" {
		t.Errorf("transcript kind = %q", last.Kind)
	}
	if r := call(t, srv, "sendLocation", map[string]any{"chat_id": 42, "latitude": "north", "longitude": 2}); r.OK {
		t.Errorf("bad float accepted")
	}
}

func TestWebhook(t *testing.T) {
	srv := bottest.NewServer(t)
	if r := call(t, srv, "setWebhook", map[string]any{"url": "http://insecure"}); r.OK {
		t.Errorf("http webhook accepted")
	}
	if r := call(t, srv, "setWebhook", map[string]any{"url": "https://example.com/hook", "secret_token": "abc"}); !r.OK {
		t.Fatal(r.raw)
	}
	if w := srv.Webhook(); w.URL != "https://example.com/hook" || w.SecretToken != "abc" {
		t.Errorf("webhook = %+v", w)
	}
	if r := call(t, srv, "getUpdates", nil); r.status != 409 {
		t.Errorf("getUpdates with webhook: %s", r.raw)
	}
	r := call(t, srv, "getWebhookInfo", nil)
	if !strings.Contains(string(r.Result), `"url":"https://example.com/hook"`) {
		t.Errorf("getWebhookInfo = %s", r.raw)
	}
	if r := call(t, srv, "deleteWebhook", map[string]any{"drop_pending_updates": true}); !r.OK {
		t.Fatal(r.raw)
	}
	if r := call(t, srv, "getUpdates", nil); !r.OK || string(r.Result) != "[]" {
		t.Errorf("getUpdates after deleteWebhook: %s", r.raw)
	}
}
