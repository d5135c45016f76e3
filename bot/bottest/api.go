package bottest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/renovote/renovote/bot/bottest/apispec"
)

// request is one Bot API call being served.
type request struct {
	ctx     context.Context
	method  *apispec.Method
	params  map[string]string
	uploads map[string]*upload
	call    *Call
}

func (r *request) has(name string) bool { return r.params[name] != "" }

// setFileID notes on the recorded call which file_id an upload got.
func (r *request) setFileID(field, fileID string) {
	for i := range r.call.Files {
		if r.call.Files[i].Field == field {
			r.call.Files[i].FileID = fileID
		}
	}
}

// errDropped makes serveAPI abort the connection without an answer.
var errDropped = &apiError{Code: 0, Description: "connection dropped (fault injection)"}

// methodHandler implements one method; it runs with s.mu held and returns a
// value to marshal as "result".
type methodHandler func(s *Server, r *request) (any, *apiError)

// handlers are the methods with real behaviour; every other method of the
// spec is answered by genericMethod.
var handlers map[string]methodHandler

func init() {
	handlers = map[string]methodHandler{
		"getMe":                  (*Server).getMe,
		"logOut":                 returnTrue,
		"close":                  returnTrue,
		"setWebhook":             (*Server).setWebhook,
		"deleteWebhook":          (*Server).deleteWebhook,
		"getWebhookInfo":         (*Server).getWebhookInfo,
		"sendMessage":            (*Server).sendMessage,
		"sendPhoto":              (*Server).sendPhoto,
		"sendDocument":           (*Server).sendDocument,
		"sendChatAction":         returnTrue,
		"editMessageText":        (*Server).editMessageText,
		"editMessageCaption":     (*Server).editMessageCaption,
		"editMessageReplyMarkup": (*Server).editMessageReplyMarkup,
		"deleteMessage":          (*Server).deleteMessage,
		"deleteMessages":         (*Server).deleteMessages,
		"answerCallbackQuery":    (*Server).answerCallbackQuery,
		"setMyCommands":          (*Server).setMyCommands,
		"getMyCommands":          (*Server).getMyCommands,
		"deleteMyCommands":       (*Server).deleteMyCommands,
		"getFile":                (*Server).getFile,
		"getChat":                (*Server).getChat,
		"getChatMember":          (*Server).getChatMember,
		"copyMessage":            (*Server).copyMessage,
		"forwardMessage":         (*Server).forwardMessage,
	}
}

func returnTrue(*Server, *request) (any, *apiError) { return true, nil }

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, rest string) {
	token, method, _ := strings.Cut(rest, "/")
	method = strings.TrimPrefix(method, "test/") // bot.UseTestEnvironment()
	call := &Call{Time: s.now(), Method: method, Params: map[string]string{}}

	finish := func(result json.RawMessage, e *apiError) {
		if e != nil {
			call.Status, call.Description = e.Code, e.Description
		} else {
			call.Status, call.Result = http.StatusOK, result
		}
		s.mu.Lock()
		s.recordLocked(call)
		s.mu.Unlock()
		if e != nil {
			s.logf("bottest: %s -> %d %s", call.Method, e.Code, e.Description)
		} else if call.Method != "getUpdates" || string(result) != "[]" {
			s.logf("bottest: %s -> ok", call.Method)
		}
		if e == errDropped {
			panic(http.ErrAbortHandler)
		}
		if e != nil {
			writeError(w, e)
			return
		}
		writeRaw(w, http.StatusOK, okJSON(result))
	}

	if token != s.Token {
		finish(nil, errUnauthorized)
		return
	}
	params, uploads, err := parseParams(w, r)
	if err != nil {
		if errors.Is(err, errTooLarge) {
			finish(nil, &apiError{Code: http.StatusRequestEntityTooLarge, Description: "Request Entity Too Large"})
			return
		}
		finish(nil, badRequest("%v", err))
		return
	}
	call.Params = params
	fields := make([]string, 0, len(uploads))
	for f := range uploads {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		u := uploads[f]
		call.Files = append(call.Files, FilePart{Field: f, Filename: u.Filename, ContentType: u.ContentType, Size: len(u.Data)})
	}
	m, ok := s.spec.Method(method)
	if !ok || method == "" {
		finish(nil, errMethodNotFound)
		return
	}
	call.Method = m.Name
	if rm := params["reply_markup"]; rm != "" {
		call.ReplyMarkup, _ = parseReplyMarkup(rm)
	}
	req := &request{ctx: r.Context(), method: m, params: params, uploads: uploads, call: call}
	finish(s.handle(req))
}

func (s *Server) handle(req *request) (json.RawMessage, *apiError) {
	if e := s.validate(req); e != nil {
		return nil, e
	}
	if f := s.takeFault(*req.call); f != nil {
		if f.Delay > 0 {
			t := time.NewTimer(f.Delay)
			select {
			case <-t.C:
			case <-req.ctx.Done():
			case <-s.closed:
			}
			t.Stop()
		}
		if f.Drop {
			return nil, errDropped
		}
		if f.Code != 0 {
			return nil, f.apiError()
		}
	}
	if req.method.Name == "getUpdates" {
		return s.getUpdates(req)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.checkSendLocked(req); e != nil {
		return nil, e
	}
	h := handlers[req.method.Name]
	if h == nil {
		h = (*Server).genericMethod
	}
	v, e := h(s, req)
	if e != nil {
		return nil, e
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, &apiError{Code: http.StatusInternalServerError, Description: "Internal Server Error: " + err.Error()}
	}
	s.notifyLocked()
	return out, nil
}

// isSendMethod reports methods that post into a chat and so fail for
// users who blocked the bot.
func isSendMethod(name string) bool {
	l := strings.ToLower(name)
	return strings.HasPrefix(l, "send") || strings.HasPrefix(l, "copymessage") || strings.HasPrefix(l, "forwardmessage")
}
