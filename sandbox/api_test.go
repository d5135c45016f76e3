package sandbox_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/sandbox"
)

// A resident picks a household member on the page, is taken through the
// household's invitation, confirms the address and votes; the receipt
// replaces the ballot in place, and the store counts one agreeing household.
func TestResidentBindsAndVotesThroughThePage(t *testing.T) {
	w := newWorld(t)
	c := w.bindMember("liangmao", "1-1-101", 1)
	if c.UserID != sandbox.FirstResident || !strings.Contains(c.Name, "粮贸小区 1-1-101") {
		t.Errorf("chat %+v", c)
	}
	ref, ok, err := w.st.Binding(w.ctx, c.UserID)
	if err != nil || !ok || ref != (renovote.HouseholdRef{CompoundID: "liangmao", HouseholdID: "1-1-101"}) {
		t.Fatalf("binding %v %v %v", ref, ok, err)
	}
	receipt := w.vote(c.UserID, true)
	if !strings.Contains(receipt.Text, "同意") {
		t.Errorf("receipt:\n%s", receipt.Text)
	}
	tally, err := w.st.Tally(w.ctx, "liangmao")
	if err != nil || tally.Agree != 1 || tally.Voted != 1 {
		t.Fatalf("tally %+v %v", tally, err)
	}
	// The same member again: bound, nothing sent.
	var again chat
	w.call("POST", "/api/open", map[string]any{"compound": "liangmao", "household": "1-1-101", "member": 1}, http.StatusOK, &again)
	if !again.Bound || again.Invited || again.UserID != c.UserID {
		t.Errorf("reopened: %+v", again)
	}
	// Another member of the household gets an id of their own.
	var second chat
	w.call("POST", "/api/open", map[string]any{"compound": "liangmao", "household": "1-1-101", "member": 2}, http.StatusOK, &second)
	if second.UserID != c.UserID+1 || !second.Invited {
		t.Errorf("second member: %+v", second)
	}
	// The page lists the members it acted as.
	var info struct {
		Members []struct {
			UserID int64 `json:"user_id"`
		} `json:"members"`
		Staff []struct {
			UserID int64  `json:"user_id"`
			Role   string `json:"role"`
		} `json:"staff"`
	}
	w.call("GET", "/api/info", nil, http.StatusOK, &info)
	if len(info.Members) != 2 || len(info.Staff) != 7 {
		t.Errorf("info: %+v", info)
	}
}

// The chat's event stream sends the transcript, then each message that
// changes: the bot's edit of the invitation message comes with the same id,
// marked edited, its buttons replaced.
func TestEditShownInPlace(t *testing.T) {
	w := newWorld(t)
	var c chat
	w.call("POST", "/api/open", map[string]any{"compound": "jinrong", "household": "1-1-101", "member": 1}, http.StatusOK, &c)
	ask := w.waitMsg(c.UserID, "asking to confirm", hasButton("b:y"))
	ev := w.events(c.UserID)
	name, snap := ev.next(t)
	if name != "snapshot" || len(snap) != 2 || snap[1].ID != ask.ID || snap[0].FromBot || !strings.HasPrefix(snap[0].Text, "/start ") {
		t.Fatalf("first event %s: %+v", name, snap)
	}
	w.press(c.UserID, ask, "b:y")
	for {
		name, ms := ev.next(t)
		if name != "messages" {
			t.Fatalf("event %s", name)
		}
		i := slices.IndexFunc(ms, func(m pageMsg) bool { return m.ID == ask.ID })
		if i < 0 {
			continue
		}
		m := ms[i]
		if !m.Edited || m.Text == ask.Text {
			t.Fatalf("the edit came as %+v", m)
		}
		if _, ok := m.button("b:y"); ok {
			t.Fatalf("the edited message keeps the old buttons: %+v", m.Keyboard)
		}
		break
	}
	// The page's transcript has it once, edited.
	n := 0
	for _, m := range w.messages(c.UserID) {
		if m.ID == ask.ID {
			n++
		}
	}
	if n != 1 {
		t.Errorf("message %d appears %d times", ask.ID, n)
	}
}

// The worker of 粮贸小区 broadcasts a notice from the page to the compound;
// the resident's chat shows it.
func TestWorkerBroadcastReachesResident(t *testing.T) {
	w := newWorld(t)
	resident := w.bindMember("liangmao", "2-1-101", 1)
	other := w.bindMember("jinrong", "1-1-101", 1)
	worker := sandbox.WorkerBase // the first compound: 粮贸小区
	var c chat
	w.call("POST", "/api/open", map[string]any{"user_id": worker}, http.StatusOK, &c)
	if c.Role != "worker" || !c.Dashboard || !strings.Contains(c.Name, "粮贸小区") {
		t.Fatalf("worker chat %+v", c)
	}
	w.send(worker, "/notice")
	m := w.waitMsg(worker, "asking for the buildings", hasButton("n:"))
	step := func(suffix, what string, want func(pageMsg) bool) {
		t.Helper()
		var data string
		for _, row := range m.Keyboard {
			for _, b := range row {
				if strings.HasPrefix(b.Data, "n:") && strings.HasSuffix(b.Data, suffix) {
					data = b.Data
				}
			}
		}
		if data == "" {
			t.Fatalf("no button %s on %+v", suffix, m)
		}
		w.press(worker, m, data)
		id := m.ID
		m = w.waitMsg(worker, what, func(x pageMsg) bool { return x.ID >= id && want(x) })
	}
	step(":ba", "asking for the text", hasText("3/4"))
	const text = "今晚 8 点在小区广场开居民会，讨论改造方案。"
	w.send(worker, text)
	m = w.waitMsg(worker, "asking when", func(x pageMsg) bool {
		for _, row := range x.Keyboard {
			for _, b := range row {
				if strings.HasSuffix(b.Data, ":now") {
					return true
				}
			}
		}
		return false
	})
	step(":now", "with the preview", hasText(text))
	step(":ok", "after sending", func(pageMsg) bool { return true })
	got := w.waitMsg(resident.UserID, "with the notice", hasText(text))
	if !strings.Contains(got.Text, "粮贸小区") {
		t.Errorf("notice as received:\n%s", got.Text)
	}
	for _, m := range w.messages(other.UserID) {
		if strings.Contains(m.Text, text) {
			t.Errorf("a resident of another compound got the notice")
		}
	}
}

// Moving the clock to 19:00 runs the skipped reminder job: the resident who
// has not voted is reminded; the one who voted is not.
func TestTimeTravelRunsSkippedReminder(t *testing.T) {
	w := newWorld(t)
	lazy := w.bindMember("wuzhuangbu", "1-1-101", 1)
	keen := w.bindMember("wuzhuangbu", "1-1-102", 1)
	w.vote(keen.UserID, false)

	var v struct {
		Now     time.Time `json:"now"`
		Text    string    `json:"text"`
		Targets []struct {
			ID string    `json:"id"`
			At time.Time `json:"at"`
		} `json:"targets"`
		Runs []string `json:"runs"`
	}
	w.call("GET", "/api/clock", nil, http.StatusOK, &v)
	if !strings.HasPrefix(v.Text, "2020-05-10 10:0") {
		t.Fatalf("clock %q, want the start, 2020-05-10 10:00", v.Text)
	}
	var ids []string
	for _, tg := range v.Targets {
		ids = append(ids, tg.ID)
	}
	for _, want := range []string{"hour", "today19", "tomorrow19", "phase", "close:wuzhuangbu"} {
		if !slices.Contains(ids, want) {
			t.Errorf("targets %v lack %s", ids, want)
		}
	}
	w.call("POST", "/api/clock", map[string]string{"target": "today19"}, http.StatusOK, &v)
	if !strings.HasPrefix(v.Text, "2020-05-10 19:00") || !slices.Contains(v.Runs, "remind 05-10 19:00") {
		t.Fatalf("after the jump: %s, runs %v", v.Text, v.Runs)
	}
	w.waitMsg(lazy.UserID, "with the reminder", hasText("投票提醒"))
	// The survey reminder goes to both; the ballot's only to the one who has
	// not voted.
	w.waitMsg(keen.UserID, "with the survey reminder", hasText("摸底调查"))
	for _, m := range w.messages(keen.UserID) {
		if strings.Contains(m.Text, "还没有对") {
			t.Errorf("the household that voted was reminded to vote:\n%s", m.Text)
		}
	}
	// The clock does not go back, and the same ticks do not run twice.
	w.call("POST", "/api/clock", map[string]any{"at": start(t)}, http.StatusBadRequest, nil)
	if ran, err := w.sb.CatchUp(w.ctx); err != nil || len(ran) != 0 {
		t.Errorf("catch-up after the jump ran %v (%v)", ran, err)
	}
}

// A jump to the next phase announces it to the bound households, and a jump
// to the ballot's close refuses votes after it.
func TestTimeTravelPhaseAndClose(t *testing.T) {
	w := newWorld(t)
	c := w.bindMember("laocaizhengju", "1-1-101", 1)
	var v struct {
		Text string   `json:"text"`
		Runs []string `json:"runs"`
	}
	w.call("POST", "/api/clock", map[string]string{"target": "close:laocaizhengju"}, http.StatusOK, &v)
	if !strings.HasPrefix(v.Text, "2020-05-21 00:00") {
		t.Fatalf("close: clock at %s", v.Text)
	}
	w.send(c.UserID, "/vote")
	w.waitMsg(c.UserID, "saying the ballot closed", hasText("截止"))
	w.call("POST", "/api/clock", map[string]string{"target": "phase"}, http.StatusOK, &v)
	if !strings.HasPrefix(v.Text, "2020-06-01 08:00") {
		t.Fatalf("phase: clock at %s, runs %v", v.Text, v.Runs)
	}
	w.waitMsg(c.UserID, "with the phase announcement", hasText("工程实施"))
}

// A photo uploaded from the page reaches the bot as a photo; the page
// serves it back, and serves documents as downloads with their name.
func TestUploadAndFiles(t *testing.T) {
	w := newWorld(t)
	c := w.bindMember("liangmao", "1-2-101", 1)
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{200, 0, 0, 255})
	var pngData bytes.Buffer
	if err := png.Encode(&pngData, img); err != nil {
		t.Fatal(err)
	}
	upload := func(name string, data []byte, header bool) int {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = fw.Write(data)
		_ = mw.WriteField("caption", "屋顶漏水")
		_ = mw.Close()
		req, _ := http.NewRequestWithContext(w.ctx, "POST", fmt.Sprintf("%s/api/chats/%d/upload", w.srv.URL, c.UserID), &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		if header {
			req.Header.Set("X-Sandbox", "1")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := upload("roof.png", pngData.Bytes(), false); st != http.StatusUnsupportedMediaType {
		t.Errorf("upload without the header: %d, want 415", st)
	}
	if st := upload("roof.png", pngData.Bytes(), true); st != http.StatusOK {
		t.Fatalf("upload: %d", st)
	}
	if st := upload("清单.csv", []byte("a,b\n"), true); st != http.StatusOK {
		t.Fatalf("upload: %d", st)
	}
	var photo, doc pageMsg
	for _, m := range w.messages(c.UserID) {
		switch {
		case m.Kind == "photo" && !m.FromBot:
			photo = m
		case m.Kind == "document" && !m.FromBot:
			doc = m
		}
	}
	if photo.File == nil || photo.Text != "屋顶漏水" || doc.File == nil || doc.File.Name != "清单.csv" {
		t.Fatalf("photo %+v, document %+v", photo, doc)
	}
	resp, err := http.Get(w.srv.URL + photo.File.URL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, pngData.Bytes()) || resp.Header.Get("Content-Type") != "image/png" || resp.Header.Get("Content-Disposition") != "" {
		t.Errorf("photo served as %s %q, %d bytes", resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), len(got))
	}
	resp, err = http.Get(w.srv.URL + doc.File.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, "filename*=utf-8''%E6%B8%85%E5%8D%95.csv") {
		t.Errorf("document served with Content-Disposition %q", cd)
	}
}

// The page is in Chinese first and in English when the browser prefers it;
// requests another site could forge, and users the sandbox does not know,
// are refused.
func TestPageLanguageAndRefusals(t *testing.T) {
	w := newWorld(t)
	get := func(accept, query string) string {
		req, _ := http.NewRequestWithContext(w.ctx, "GET", w.srv.URL+"/"+query, nil)
		if accept != "" {
			req.Header.Set("Accept-Language", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return string(data)
	}
	for _, c := range []struct{ accept, query, want string }{
		{"", "", `<html lang="zh">`},
		{"en-US,en;q=0.9", "", `<html lang="en">`},
		{"fr-FR,en;q=0.8,zh-CN;q=0.9", "", `<html lang="zh">`},
		{"de, en;q=0.5", "", `<html lang="en">`},
		{"en", "?lang=zh", `<html lang="zh">`},
	} {
		if page := get(c.accept, c.query); !strings.Contains(page, c.want) {
			t.Errorf("Accept-Language %q %s: want %s", c.accept, c.query, c.want)
		}
	}
	page := get("", "")
	for _, bad := range []string{"http://", "https://", "<link", "src=\"/"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page loads something (%q): it must work offline", bad)
		}
	}
	// A form post from another site carries no JSON content type.
	req, _ := http.NewRequestWithContext(w.ctx, "POST", w.srv.URL+"/api/open", strings.NewReader(`{"user_id":8000}`))
	req.Header.Set("Content-Type", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain post: %d, want 415", resp.StatusCode)
	}
	w.call("POST", "/api/chats/424242/send", map[string]string{"text": "hi"}, http.StatusNotFound, nil)
	w.call("POST", "/api/open", map[string]any{"compound": "liangmao", "household": "9-9-999", "member": 1}, http.StatusNotFound, nil)
	w.call("POST", "/api/open", map[string]any{"compound": "liangmao", "household": "1-1-101", "member": 4}, http.StatusBadRequest, nil)
	w.call("POST", "/api/clock", map[string]string{"target": "yesterday"}, http.StatusBadRequest, nil)
	// Residents have no dashboard; staff are sent there through a link.
	c := w.bindMember("liangmao", "1-1-102", 1)
	w.call("GET", fmt.Sprintf("/dashboard-link/%d", c.UserID), nil, http.StatusForbidden, nil)
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err = browser.Get(fmt.Sprintf("%s/dashboard-link/%d", w.srv.URL, sandbox.Bureau))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Request.URL.Path, "/dashboard/") {
		t.Fatalf("the dashboard link led to %d %s", resp.StatusCode, resp.Request.URL)
	}
	resp, err = browser.Get(w.srv.URL + "/dashboard/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "金融小区") {
		t.Errorf("the bureau's dashboard: %d\n%s", resp.StatusCode, body)
	}
}

// The chats, the identities and the clock outlive the process: a sandbox
// restarted on the same directory (and store) shows the chat as it was, and
// the member keeps their user id.
func TestRestartKeepsChats(t *testing.T) {
	w := newWorld(t)
	c := w.bindMember("liangmao", "3-1-101", 1)
	w.vote(c.UserID, true)
	before := w.messages(c.UserID)
	offset := w.clock.Offset()
	w.stop() // the pump saves the chats as it stops

	again := newWorldIn(t, w.dir, w.st, false)
	after := again.messages(c.UserID)
	if len(after) != len(before) {
		t.Fatalf("restored %d messages, had %d", len(after), len(before))
	}
	for i := range before {
		if before[i].Text != after[i].Text || before[i].Edited != after[i].Edited {
			t.Errorf("message %d: %+v, had %+v", i, after[i], before[i])
		}
	}
	if d := again.clock.Offset() - offset; d < -time.Second || d > time.Second {
		t.Errorf("clock offset %v, had %v", again.clock.Offset(), offset)
	}
	var reopened chat
	again.call("POST", "/api/open", map[string]any{"compound": "liangmao", "household": "3-1-101", "member": 1}, http.StatusOK, &reopened)
	if reopened.UserID != c.UserID || !reopened.Bound {
		t.Errorf("reopened %+v, want user %d bound", reopened, c.UserID)
	}
	// The restarted fake's update ids are new to the bot: it answers.
	again.send(c.UserID, "/help")
	again.waitMsg(c.UserID, "answering /help after the restart", func(m pageMsg) bool { return m.FromBot && m.ID > after[len(after)-1].ID })
}
