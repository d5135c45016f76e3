package bottest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/renovote/renovote/bot/bottest"
)

func TestStandaloneControlAPI(t *testing.T) {
	srv, err := bottest.Start("127.0.0.1:0", bottest.WithControlAPI(), bottest.WithToken("1:x"))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	post := func(path, body string) (int, string) {
		t.Helper()
		resp, err := http.Post(srv.URL+"/_bottest"+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		return resp.StatusCode, buf.String()
	}
	if code, body := post("/users", `{"id":10,"first_name":"Zed","language_code":"uk"}`); code != 200 {
		t.Fatalf("add user: %d %s", code, body)
	}
	if code, body := post("/users/10/send", `{"text":"/start"}`); code != 200 || !strings.Contains(body, `"update_id":1`) {
		t.Fatalf("send: %d %s", code, body)
	}
	r := call(t, srv, "sendMessage", map[string]any{"chat_id": 10, "text": "hi", "reply_markup": map[string]any{
		"inline_keyboard": [][]map[string]any{{{"text": "Go", "callback_data": "go"}}}}})
	if !r.OK {
		t.Fatal(r.raw)
	}
	resp, err := http.Get(srv.URL + "/_bottest/chats/10/wait?after=1&timeout=2s")
	if err != nil {
		t.Fatal(err)
	}
	var m bottest.Message
	_ = json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	if m.ID != 2 || m.Text != "hi" || !m.HasCallbackData("go") {
		t.Fatalf("waited message = %+v", m)
	}
	if code, body := post("/users/10/press", `{"message_id":2,"data":"nope"}`); code != 400 {
		t.Errorf("bad press: %d %s", code, body)
	}
	if code, body := post("/users/10/press", `{"message_id":2,"data":"go"}`); code != 200 || !strings.Contains(body, "callback_query_id") {
		t.Errorf("press: %d %s", code, body)
	}
	if code, _ := post("/fail", `{"method":"sendMessage","code":429,"retry_after":3}`); code != 200 {
		t.Fatal("fail")
	}
	if r := call(t, srv, "sendMessage", map[string]any{"chat_id": 10, "text": "x"}); r.status != 429 || r.Parameters.RetryAfter != 3 {
		t.Errorf("injected 429: %s", r.raw)
	}
	if code, body := post("/reset", ``); code != 200 {
		t.Errorf("reset: %d %s", code, body)
	}
	if len(srv.Calls()) != 0 {
		t.Error("reset via control API did not reset")
	}
}

func TestControlAPIOffByDefault(t *testing.T) {
	srv := bottest.NewServer(t)
	resp, err := http.Post(srv.URL+"/_bottest/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("control API reachable without WithControlAPI: %d", resp.StatusCode)
	}
}
