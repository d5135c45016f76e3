package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/bot/bottest"
)

// maxUpload bounds a photo or file uploaded from the page (Telegram's bots
// may download up to 20 MB).
const maxUpload = 20 << 20

// Handler serves the page, its endpoints and, when configured, the dashboard.
func (s *Sandbox) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.page)
	mux.HandleFunc("GET /api/info", s.info)
	mux.HandleFunc("GET /api/compounds/{id}/households", s.households)
	mux.HandleFunc("POST /api/open", s.open)
	mux.HandleFunc("GET /api/chats/{uid}/messages", s.messages)
	mux.HandleFunc("GET /api/chats/{uid}/events", s.events)
	mux.HandleFunc("GET /api/chats/{uid}/commands", s.commands)
	mux.HandleFunc("POST /api/chats/{uid}/send", s.send)
	mux.HandleFunc("POST /api/chats/{uid}/press", s.press)
	mux.HandleFunc("POST /api/chats/{uid}/upload", s.upload)
	mux.HandleFunc("GET /api/clock", s.clockInfo)
	mux.HandleFunc("POST /api/clock", s.jump)
	mux.HandleFunc("GET /files/{id}", s.file)
	mux.HandleFunc("GET /dashboard-link/{uid}", s.dashboardLink)
	if s.cfg.Dashboard != nil {
		mux.Handle("/dashboard", s.cfg.Dashboard)
		mux.Handle("/dashboard/", s.cfg.Dashboard)
	}
	return guard(mux)
}

// guard refuses the requests a page of another site could make to this
// server without the browser asking first: a POST must carry a JSON body or,
// for uploads, the X-Sandbox header.
func guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/api/") {
			ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if ct != "application/json" && r.Header.Get("X-Sandbox") == "" {
				apiError(w, http.StatusUnsupportedMediaType, "a JSON body (Content-Type: application/json) or the X-Sandbox header is required")
				return
			}
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// fail answers an error by its kind.
func fail(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, renovote.ErrInvalid):
		status = http.StatusBadRequest
	case errors.Is(err, renovote.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, renovote.ErrConflict):
		status = http.StatusConflict
	case errors.Is(err, renovote.ErrForbidden):
		status = http.StatusForbidden
	}
	apiError(w, status, err.Error())
}

func decode(r *http.Request, v any) error {
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(v); err != nil {
		return fmt.Errorf("bad JSON body: %v: %w", err, renovote.ErrInvalid)
	}
	return nil
}

// info: the programme's compounds, the staff, the members acted as before,
// the clock.
func (s *Sandbox) info(w http.ResponseWriter, r *http.Request) {
	ctx, lg := r.Context(), lang(r)
	p, err := s.st.Programme(ctx)
	if err != nil {
		fail(w, err)
		return
	}
	type compound struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	type person struct {
		UserID int64         `json:"user_id"`
		Name   string        `json:"name"`
		Role   renovote.Role `json:"role"`
	}
	out := struct {
		Programme  string     `json:"programme"`
		MaxMembers int        `json:"max_members"`
		Compounds  []compound `json:"compounds"`
		Staff      []person   `json:"staff"`
		Members    []person   `json:"members"`
		Dashboard  bool       `json:"dashboard"`
		Lang       string     `json:"lang"`
		Text       any        `json:"text"`
	}{Programme: p.Name, MaxMembers: p.MaxMembers, Dashboard: s.cfg.DashboardLink != nil, Lang: lg, Text: pageText[lg],
		Compounds: []compound{}, Staff: []person{}, Members: []person{}}
	if out.MaxMembers <= 0 {
		out.MaxMembers = 3
	}
	for _, c := range p.Compounds {
		out.Compounds = append(out.Compounds, compound{c.ID, c.Name})
	}
	for _, id := range Staff(p) {
		out.Staff = append(out.Staff, person{id.UserID, id.Name(p, lg), id.Role})
	}
	for _, id := range s.people.all() {
		out.Members = append(out.Members, person{id.UserID, id.Name(p, lg), id.Role})
	}
	writeJSON(w, http.StatusOK, out)
}

// households: a compound's register, by building, unit and room (no names
// or phones).
func (s *Sandbox) households(w http.ResponseWriter, r *http.Request) {
	hhs, err := s.st.Households(r.Context(), r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return
	}
	type hh struct {
		ID       string `json:"id"`
		Building string `json:"building"`
		Unit     string `json:"unit"`
		Room     string `json:"room"`
	}
	out := []hh{}
	for _, h := range hhs {
		if !h.Removed {
			out = append(out, hh{h.ID, h.Building, h.Unit, h.Room})
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// open: {"compound","household","member"} for a household member, or
// {"user_id"} for staff (or a member opened before).
func (s *Sandbox) open(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID    int64  `json:"user_id"`
		Compound  string `json:"compound"`
		Household string `json:"household"`
		Member    int    `json:"member"`
	}
	if err := decode(r, &req); err != nil {
		fail(w, err)
		return
	}
	ctx := r.Context()
	var id Identity
	if req.UserID != 0 {
		got, _, ok, err := s.identity(ctx, req.UserID)
		if err != nil {
			fail(w, err)
			return
		}
		if !ok {
			apiError(w, http.StatusNotFound, "no such identity in the sandbox")
			return
		}
		id = got
	} else {
		p, err := s.st.Programme(ctx)
		if err != nil {
			fail(w, err)
			return
		}
		maxM := p.MaxMembers
		if maxM <= 0 {
			maxM = 3
		}
		if req.Member < 1 || req.Member > maxM {
			apiError(w, http.StatusBadRequest, fmt.Sprintf("member must be 1 to %d", maxM))
			return
		}
		if _, err := s.household(ctx, req.Compound, req.Household); err != nil {
			fail(w, err)
			return
		}
		if id, err = s.people.member(req.Compound, req.Household, req.Member); err != nil {
			fail(w, err)
			return
		}
	}
	c, err := s.Open(ctx, id, lang(r))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Sandbox) household(ctx context.Context, compound, id string) (renovote.Household, error) {
	hhs, err := s.st.Households(ctx, compound)
	if err != nil {
		return renovote.Household{}, err
	}
	for _, h := range hhs {
		if h.ID == id && !h.Removed {
			return h, nil
		}
	}
	return renovote.Household{}, fmt.Errorf("no household %s in compound %s: %w", id, compound, renovote.ErrNotFound)
}

// user is the fake's user for a chat of the page: an identity of the
// sandbox (any other id is 404).
func (s *Sandbox) user(w http.ResponseWriter, r *http.Request) (*bottest.User, Identity, renovote.Programme, bool) {
	uid, err := strconv.ParseInt(r.PathValue("uid"), 10, 64)
	if err != nil {
		apiError(w, http.StatusBadRequest, "bad user id")
		return nil, Identity{}, renovote.Programme{}, false
	}
	id, p, ok, err := s.identity(r.Context(), uid)
	if err != nil {
		fail(w, err)
		return nil, id, p, false
	}
	if !ok {
		apiError(w, http.StatusNotFound, "no such identity in the sandbox")
		return nil, id, p, false
	}
	u, known := s.fake.UserOf(uid)
	if !known {
		u = s.fake.AddUser(bottest.UserProfile{ID: uid, FirstName: id.Name(p, lang(r)), LanguageCode: lang(r)})
	}
	return u, id, p, true
}

// pageMessage is a message as the page draws it.
type pageMessage struct {
	ID       int64          `json:"id"`
	FromBot  bool           `json:"from_bot"`
	Kind     string         `json:"kind"`
	Text     string         `json:"text"`
	Time     string         `json:"time"`
	Edited   bool           `json:"edited,omitempty"`
	Deleted  bool           `json:"deleted,omitempty"`
	Keyboard [][]pageButton `json:"keyboard,omitempty"`
	File     *pageFile      `json:"file,omitempty"`
}

type pageButton struct {
	Text string `json:"text"`
	Data string `json:"data,omitempty"`
	URL  string `json:"url,omitempty"`
}

type pageFile struct {
	URL  string `json:"url"`
	Name string `json:"name,omitempty"`
}

func toPage(m bottest.Message, loc *time.Location) pageMessage {
	out := pageMessage{ID: m.ID, FromBot: m.FromBot, Kind: m.Kind, Text: m.Text,
		Time: m.Date.In(loc).Format("01-02 15:04"), Edited: m.Edits > 0, Deleted: m.Deleted}
	for _, row := range m.InlineKeyboard {
		var pr []pageButton
		for _, b := range row {
			pr = append(pr, pageButton{Text: b.Text, Data: b.Data(), URL: b.URL})
		}
		out.Keyboard = append(out.Keyboard, pr)
	}
	if m.FileID != "" {
		out.File = &pageFile{URL: "/files/" + m.FileID, Name: m.FileName}
	}
	return out
}

func location(p renovote.Programme) *time.Location {
	if loc, err := p.Location(); err == nil {
		return loc
	}
	return time.UTC
}

func (s *Sandbox) messages(w http.ResponseWriter, r *http.Request) {
	u, _, p, ok := s.user(w, r)
	if !ok {
		return
	}
	loc := location(p)
	out := []pageMessage{}
	for _, m := range s.fake.Messages(u.ID) {
		out = append(out, toPage(m, loc))
	}
	writeJSON(w, http.StatusOK, out)
}

// events streams a chat as Server-Sent Events: "snapshot" with every
// message, then "messages" with those added, edited or deleted since.
func (s *Sandbox) events(w http.ResponseWriter, r *http.Request) {
	u, _, p, ok := s.user(w, r)
	if !ok {
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		apiError(w, http.StatusInternalServerError, "streaming unsupported")
		return
	}
	loc := location(p)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	emit := func(event string, v any) bool {
		data, err := json.Marshal(v)
		if err != nil {
			return false
		}
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data); err != nil {
			return false
		}
		fl.Flush()
		return true
	}
	seen := s.fake.AllMessages(u.ID)
	snap := []pageMessage{}
	for _, m := range seen {
		if !m.Deleted {
			snap = append(snap, toPage(m, loc))
		}
	}
	if !emit("snapshot", snap) {
		return
	}
	for {
		ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
		next, err := s.fake.WaitChat(ctx, u.ID, seen)
		cancel()
		switch {
		case r.Context().Err() != nil || errors.Is(err, bottest.ErrClosed):
			return
		case err != nil: // a quiet while: keep the connection alive
			if _, err := io.WriteString(w, ": ping\n\n"); err != nil {
				return
			}
			fl.Flush()
			continue
		}
		old := make(map[int64]bottest.Message, len(seen))
		for _, m := range seen {
			old[m.ID] = m
		}
		changed := []pageMessage{}
		for _, m := range next {
			o, had := old[m.ID]
			if !had && m.Deleted {
				continue
			}
			if !had || o.Edits != m.Edits || o.Deleted != m.Deleted || o.Text != m.Text {
				changed = append(changed, toPage(m, loc))
			}
		}
		seen = next
		if len(changed) > 0 && !emit("messages", changed) {
			return
		}
	}
}

// commands is the user's command menu as Telegram would show it: the chat's
// own menu in the user's language, else the chat's, else the default.
func (s *Sandbox) commands(w http.ResponseWriter, r *http.Request) {
	u, _, _, ok := s.user(w, r)
	if !ok {
		return
	}
	chat := fmt.Sprintf(`{"type":"chat","chat_id":%d}`, u.ID)
	lg := u.LanguageCode
	for _, c := range []struct{ scope, lang string }{{chat, lg}, {chat, ""}, {"", lg}, {"", ""}} {
		if cmds := s.fake.MyCommandsForScope(c.scope, c.lang); len(cmds) > 0 {
			writeJSON(w, http.StatusOK, cmds)
			return
		}
	}
	writeJSON(w, http.StatusOK, []bottest.BotCommand{})
}

func (s *Sandbox) send(w http.ResponseWriter, r *http.Request) {
	u, _, _, ok := s.user(w, r)
	if !ok {
		return
	}
	var req struct {
		Text string `json:"text"`
	}
	if err := decode(r, &req); err != nil {
		fail(w, err)
		return
	}
	if strings.TrimSpace(req.Text) == "" {
		apiError(w, http.StatusBadRequest, "empty message")
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"update_id": u.Send(req.Text)})
}

// press presses a button and waits (up to 10 s) for the bot's answer, which
// the page shows as Telegram shows it: a toast, or an alert.
func (s *Sandbox) press(w http.ResponseWriter, r *http.Request) {
	u, _, _, ok := s.user(w, r)
	if !ok {
		return
	}
	var req struct {
		MessageID int64  `json:"message_id"`
		Data      string `json:"data"`
	}
	if err := decode(r, &req); err != nil {
		fail(w, err)
		return
	}
	id, err := u.Press(req.MessageID, req.Data)
	if err != nil {
		apiError(w, http.StatusConflict, "the button is gone (the message changed): "+err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	cb, err := s.fake.WaitCallbackAnswered(ctx, id)
	out := map[string]any{"callback_query_id": id, "answered": err == nil}
	if err == nil {
		out["answer"], out["alert"] = cb.AnswerText, cb.ShowAlert
	}
	writeJSON(w, http.StatusOK, out)
}

// upload sends a photo (an image) or a document from the page, with an
// optional caption: multipart form fields "file" and "caption".
func (s *Sandbox) upload(w http.ResponseWriter, r *http.Request) {
	u, _, _, ok := s.user(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload+1<<20)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		apiError(w, http.StatusBadRequest, "no file: "+err.Error())
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxUpload+1))
	if err != nil || len(data) > maxUpload {
		apiError(w, http.StatusRequestEntityTooLarge, "the file is larger than 20 MB")
		return
	}
	caption := r.FormValue("caption")
	ct := http.DetectContentType(data)
	var id int64
	if r.FormValue("as") != "document" && (ct == "image/jpeg" || ct == "image/png" || ct == "image/gif") {
		id = u.SendPhoto(data, caption)
	} else {
		id = u.SendDocument(hdr.Filename, data, caption)
	}
	writeJSON(w, http.StatusOK, map[string]int64{"update_id": id})
}

// file serves a photo (inline) or a document (as a download with its name).
func (s *Sandbox) file(w http.ResponseWriter, r *http.Request) {
	f, ok := s.fake.File(r.PathValue("id"))
	if !ok {
		apiError(w, http.StatusNotFound, "no such file")
		return
	}
	ct := f.MIMEType
	if ct == "" {
		ct = http.DetectContentType(f.Data)
	}
	w.Header().Set("Content-Type", ct)
	if f.Kind != "photo" {
		name := f.Name
		if name == "" {
			name = f.ID
		}
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
	_, _ = w.Write(f.Data)
}

type clockView struct {
	Now     time.Time `json:"now"`
	Text    string    `json:"text"`
	Zone    string    `json:"zone"`
	Targets []Target  `json:"targets"`
	Runs    []string  `json:"runs,omitempty"`
}

func (s *Sandbox) clockView(ctx context.Context, lg string) (clockView, error) {
	p, err := s.st.Programme(ctx)
	if err != nil {
		return clockView{}, err
	}
	loc := location(p)
	now := s.clock.Now()
	return clockView{Now: now, Text: now.In(loc).Format("2006-01-02 15:04:05"), Zone: loc.String(), Targets: Targets(p, now, lg)}, nil
}

func (s *Sandbox) clockInfo(w http.ResponseWriter, r *http.Request) {
	v, err := s.clockView(r.Context(), lang(r))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// jump: {"target": ID of a Target} or {"at": RFC 3339 time}; the clock moves
// there and the jobs it passed run before the answer.
func (s *Sandbox) jump(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Target string    `json:"target"`
		At     time.Time `json:"at"`
	}
	if err := decode(r, &req); err != nil {
		fail(w, err)
		return
	}
	ctx, lg := r.Context(), lang(r)
	to := req.At
	if req.Target != "" {
		v, err := s.clockView(ctx, lg)
		if err != nil {
			fail(w, err)
			return
		}
		for _, t := range v.Targets {
			if t.ID == req.Target {
				to = t.At
			}
		}
		if to.IsZero() {
			apiError(w, http.StatusBadRequest, fmt.Sprintf("no target %q now", req.Target))
			return
		}
	}
	runs, err := s.Jump(ctx, to)
	if err != nil && errors.Is(err, renovote.ErrInvalid) {
		fail(w, err)
		return
	}
	v, verr := s.clockView(ctx, lg)
	if verr != nil {
		fail(w, verr)
		return
	}
	v.Runs = runs
	if runs == nil {
		v.Runs = []string{}
	}
	status := http.StatusOK
	if err != nil { // the clock moved; some job failed (logged, marked failed)
		s.log.Error("sandbox: jump: scheduled jobs", "err", err)
		status = http.StatusMultiStatus
	}
	writeJSON(w, status, v)
}

// dashboardLink sends a member of staff to the dashboard through a fresh
// signed link.
func (s *Sandbox) dashboardLink(w http.ResponseWriter, r *http.Request) {
	if s.cfg.DashboardLink == nil {
		apiError(w, http.StatusNotFound, "the dashboard is not part of this sandbox")
		return
	}
	_, id, _, ok := s.user(w, r)
	if !ok {
		return
	}
	if id.Role == renovote.RoleResident {
		apiError(w, http.StatusForbidden, "residents have no dashboard")
		return
	}
	link, err := s.cfg.DashboardLink(r.Context(), id.UserID)
	if err != nil {
		fail(w, err)
		return
	}
	http.Redirect(w, r, link, http.StatusSeeOther)
}
