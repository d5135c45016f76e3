package bottest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The control API (enabled with WithControlAPI) lets a standalone fake be
// driven over HTTP, e.g. from a sandbox CLI or web page. It is not
// authenticated: listen on localhost only. All bodies are JSON.
//
//	POST /_bottest/users                      {"id","first_name","last_name","username","language_code"}
//	POST /_bottest/users/{id}/send            {"text","reply_to"}        -> {"update_id"}
//	POST /_bottest/users/{id}/document        {"file_name","data" (base64),"caption"} -> {"update_id"}
//	POST /_bottest/users/{id}/photo           {"data" (base64),"caption"} -> {"update_id"}
//	POST /_bottest/users/{id}/press           {"message_id","data","raw"} -> {"callback_query_id"}
//	POST /_bottest/users/{id}/block | unblock                           -> {"update_id"}
//	GET  /_bottest/chats/{id}/messages[?all=1]                          -> [Message]
//	GET  /_bottest/chats/{id}/wait?after=N&timeout=30s                  -> Message (bot message with id > N) or 204
//	POST /_bottest/updates                    raw Update JSON           -> {"update_id"}
//	GET  /_bottest/calls[?method=sendMessage]                           -> [Call]
//	GET  /_bottest/callbacks                                            -> [Callback]
//	GET  /_bottest/webhook/deliveries[?update_id=N]                     -> [WebhookDelivery]
//	GET  /_bottest/files/{file_id}                                      -> file bytes
//	POST /_bottest/fail                       {"method","n","code","description","retry_after"}
//	POST /_bottest/reset
const controlPrefix = "/_bottest/"

func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	s.controlOnce.Do(func() { s.control = s.newControlMux() })
	s.control.ServeHTTP(w, r)
}

func (s *Server) newControlMux() *http.ServeMux {
	mux := http.NewServeMux()
	p := strings.TrimSuffix(controlPrefix, "/")
	mux.HandleFunc("POST "+p+"/users", s.ctlAddUser)
	mux.HandleFunc("POST "+p+"/users/{id}/{action}", s.ctlUserAction)
	mux.HandleFunc("GET "+p+"/chats/{id}/messages", s.ctlMessages)
	mux.HandleFunc("GET "+p+"/chats/{id}/wait", s.ctlWait)
	mux.HandleFunc("POST "+p+"/updates", s.ctlInject)
	mux.HandleFunc("GET "+p+"/calls", func(w http.ResponseWriter, r *http.Request) {
		calls := s.Calls()
		if m := r.URL.Query().Get("method"); m != "" {
			calls = s.CallsTo(m)
		}
		ctlJSON(w, http.StatusOK, calls)
	})
	mux.HandleFunc("GET "+p+"/callbacks", func(w http.ResponseWriter, r *http.Request) {
		ctlJSON(w, http.StatusOK, s.Callbacks())
	})
	mux.HandleFunc("GET "+p+"/webhook/deliveries", func(w http.ResponseWriter, r *http.Request) {
		ds := s.WebhookDeliveries()
		if v := r.URL.Query().Get("update_id"); v != "" {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				ctlError(w, http.StatusBadRequest, "bad update_id")
				return
			}
			ds = s.WebhookDeliveriesOf(id)
		}
		if ds == nil {
			ds = []WebhookDelivery{}
		}
		ctlJSON(w, http.StatusOK, ds)
	})
	mux.HandleFunc("GET "+p+"/files/{id}", func(w http.ResponseWriter, r *http.Request) {
		f, ok := s.File(r.PathValue("id"))
		if !ok {
			ctlError(w, http.StatusNotFound, "no such file")
			return
		}
		w.Header().Set("Content-Type", f.MIMEType)
		_, _ = w.Write(f.Data)
	})
	mux.HandleFunc("POST "+p+"/fail", s.ctlFail)
	mux.HandleFunc("POST "+p+"/reset", func(w http.ResponseWriter, r *http.Request) {
		s.Reset()
		ctlJSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
	return mux
}

func ctlJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func ctlError(w http.ResponseWriter, status int, msg string) {
	ctlJSON(w, status, map[string]string{"error": msg})
}

func ctlDecode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxUploadBytes*2))
	if err == nil && len(strings.TrimSpace(string(body))) > 0 {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		ctlError(w, http.StatusBadRequest, "bad JSON: "+err.Error())
		return false
	}
	return true
}

func ctlID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		ctlError(w, http.StatusBadRequest, "bad id")
		return 0, false
	}
	return id, true
}

func (s *Server) ctlAddUser(w http.ResponseWriter, r *http.Request) {
	var p struct {
		ID           int64  `json:"id"`
		FirstName    string `json:"first_name"`
		LastName     string `json:"last_name"`
		Username     string `json:"username"`
		LanguageCode string `json:"language_code"`
	}
	if !ctlDecode(w, r, &p) {
		return
	}
	if p.ID <= 0 {
		ctlError(w, http.StatusBadRequest, "id must be positive")
		return
	}
	s.AddUser(UserProfile{ID: p.ID, FirstName: p.FirstName, LastName: p.LastName, Username: p.Username, LanguageCode: p.LanguageCode})
	ctlJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// user returns a handle for a user, registering it if needed (keeping an
// existing profile).
func (s *Server) userHandle(id int64) *User {
	s.mu.Lock()
	p := s.st.users[id]
	s.mu.Unlock()
	if p == nil {
		return s.AddUser(UserProfile{ID: id})
	}
	return &User{UserProfile: *p, s: s}
}

func (s *Server) ctlUserAction(w http.ResponseWriter, r *http.Request) {
	id, ok := ctlID(w, r)
	if !ok {
		return
	}
	var p struct {
		Text      string `json:"text"`
		ReplyTo   int64  `json:"reply_to"`
		FileName  string `json:"file_name"`
		Data      string `json:"data"`
		Caption   string `json:"caption"`
		MessageID int64  `json:"message_id"`
		Raw       bool   `json:"raw"`
	}
	if !ctlDecode(w, r, &p) {
		return
	}
	u := s.userHandle(id)
	upd := func(id int64) { ctlJSON(w, http.StatusOK, map[string]int64{"update_id": id}) }
	switch r.PathValue("action") {
	case "send":
		upd(u.Reply(p.ReplyTo, p.Text))
	case "document", "photo":
		data, err := base64.StdEncoding.DecodeString(p.Data)
		if err != nil {
			ctlError(w, http.StatusBadRequest, "data must be base64")
			return
		}
		if r.PathValue("action") == "photo" {
			upd(u.SendPhoto(data, p.Caption))
		} else {
			upd(u.SendDocument(p.FileName, data, p.Caption))
		}
	case "press":
		var qid string
		if p.Raw {
			qid = u.PressRaw(p.MessageID, p.Data)
		} else {
			var err error
			if qid, err = u.Press(p.MessageID, p.Data); err != nil {
				ctlError(w, http.StatusBadRequest, err.Error())
				return
			}
		}
		ctlJSON(w, http.StatusOK, map[string]string{"callback_query_id": qid})
	case "block":
		upd(u.Block())
	case "unblock":
		upd(u.Unblock())
	default:
		ctlError(w, http.StatusNotFound, "unknown action")
	}
}

func (s *Server) ctlMessages(w http.ResponseWriter, r *http.Request) {
	id, ok := ctlID(w, r)
	if !ok {
		return
	}
	ms := s.Messages(id)
	if r.URL.Query().Get("all") != "" {
		ms = s.AllMessages(id)
	}
	if ms == nil {
		ms = []Message{}
	}
	ctlJSON(w, http.StatusOK, ms)
}

func (s *Server) ctlWait(w http.ResponseWriter, r *http.Request) {
	id, ok := ctlID(w, r)
	if !ok {
		return
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	timeout := 30 * time.Second
	if d, err := time.ParseDuration(r.URL.Query().Get("timeout")); err == nil {
		timeout = d
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	m, err := s.WaitForBotMessage(ctx, id, after, nil)
	if err != nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	ctlJSON(w, http.StatusOK, m)
}

func (s *Server) ctlInject(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxFieldBytes))
	if err != nil {
		ctlError(w, http.StatusBadRequest, err.Error())
		return
	}
	id, err := s.InjectUpdate(string(body))
	if err != nil {
		ctlError(w, http.StatusBadRequest, err.Error())
		return
	}
	ctlJSON(w, http.StatusOK, map[string]int64{"update_id": id})
}

func (s *Server) ctlFail(w http.ResponseWriter, r *http.Request) {
	var p struct {
		Method      string `json:"method"`
		N           int    `json:"n"`
		Code        int    `json:"code"`
		Description string `json:"description"`
		RetryAfter  int    `json:"retry_after"`
	}
	if !ctlDecode(w, r, &p) {
		return
	}
	f := Fault{Code: p.Code, Description: p.Description, RetryAfter: p.RetryAfter}
	switch {
	case p.Code == http.StatusTooManyRequests && p.Description == "":
		f = TooManyRequests(max(p.RetryAfter, 1))
	case p.Code == http.StatusForbidden && p.Description == "":
		f = BlockedByUser()
	case p.Code == 0:
		ctlError(w, http.StatusBadRequest, "code is required")
		return
	}
	s.FailNext(p.Method, max(p.N, 1), f)
	ctlJSON(w, http.StatusOK, map[string]bool{"ok": true})
}
