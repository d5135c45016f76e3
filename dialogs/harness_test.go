package dialogs

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/renovote/renovote"
)

// The transcript tests drive the Engine through Handle, as the adapter does,
// and write what each user did and what the bot answered into a transcript
// that is compared with testdata/<name>.golden. Run with -update to rewrite
// the golden files; wording changes then show as diffs.

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return chinaTime
	}
	return loc
}()

// at is a moment of the 2020 programme, Beijing time.
func at(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2020, month, day, hour, minute, 0, 0, shanghai)
}

var (
	ballotOpens  = at(5, 20, 8, 0)
	ballotCloses = at(6, 5, 18, 0)
	duringBallot = at(5, 21, 10, 0)
	// The survey of 粮贸小区 (金融小区 has none).
	surveyOpens  = at(5, 25, 8, 0)
	surveyCloses = at(6, 11, 0, 0) // shown as 6月10日 24:00
	duringSurvey = at(5, 26, 9, 0)
)

// testMenu is the seed programme's menu (菜单式改造内容).
func testMenu() renovote.Menu {
	must := func(id, name string) renovote.MenuItem { return renovote.MenuItem{ID: id, Name: name, Class: "must"} }
	up := func(id, name string) renovote.MenuItem {
		return renovote.MenuItem{ID: id, Name: name, Class: "upgrade"}
	}
	return renovote.Menu{
		Classes: []renovote.MenuClass{{ID: "must", Name: "必改", Required: true}, {ID: "upgrade", Name: "提升"}},
		Parts: []renovote.MenuPart{
			{ID: "building", Name: "居民住宅建筑", Goal: "屋顶不漏、底层不堵、楼道不暗、管线不乱", Items: []renovote.MenuItem{
				must("roof_repair", "屋面修缮"), must("illegal_structures_building", "整治私搭乱建"),
				must("hanging_objects", "建筑悬挂物处理"), must("facade_leaks", "建筑外立面渗漏修补"),
				must("stairwell_repair", "单元楼道整修"), must("rain_sewage_pipes", "雨污管线"),
				must("stairwell_wiring", "楼道内强弱电设施整治"), must("common_lighting", "公共区域照明系统"),
				must("lightning_protection", "防雷设施"), must("fire_safety_building", "消防设施"),
				up("security_doors", "单元防盗门及门禁"), up("roof_finish", "屋面美化整饰"), up("energy_saving", "节能改造"),
				up("flat_to_pitched_roof", "多层住宅楼房屋顶平改坡"), up("structural_monitoring", "房屋结构安全监测设施"),
			}},
			{ID: "public", Name: "小区公共区域", Items: []renovote.MenuItem{
				must("illegal_structures_public", "整治私搭乱建"), must("security_system", "小区安全监管系统"),
				must("waste_sorting", "垃圾分类收集点"), must("fire_safety_public", "消防设施"),
				must("rain_sewage_network", "雨污管网"), must("facade_wiring", "外立面强弱电设施整治"),
				must("parking", "停车设施"), must("activity_space", "居民集中活动场地"), must("outdoor_lighting", "室外照明系统"),
				must("greening", "绿化改造提升"), must("roads", "道路整治"), must("walls", "围墙整治"),
				must("accessibility", "公共区域无障碍设施"), must("elderly_friendly", "适老性改造"),
				up("ev_charging", "充电设施"), up("fitness", "健身及活动设施"), up("entrance", "小区出入口形象提升"),
				up("public_services", "公共服务设施"), up("culture_facilities", "公共文化设施"), up("parcel_lockers", "快递设施"),
			}},
		},
	}
}

func testProgramme() renovote.Programme {
	major, _ := renovote.PresetRule(renovote.RuleCivilCodeMajor)
	w := renovote.Window{Opens: ballotOpens, Closes: ballotCloses}
	return renovote.Programme{
		ID: "fenggang_2020", Name: "凤冈县2020年老旧小区改造", TimeZone: "Asia/Shanghai", MaxMembers: 2,
		Compounds: []renovote.Compound{
			{ID: "liangmao", Name: "粮贸小区", Plan: "屋面修缮、雨污管线、楼道照明。\n新增停车位和充电设施。",
				Rule: renovote.DefaultRule(), Ballot: w, PublishTally: true,
				Survey: renovote.Window{Opens: surveyOpens, Closes: surveyCloses}},
			{ID: "jinrong", Name: "金融小区", Plan: "外立面整治、消防设施。", Rule: major, Ballot: w},
		},
		Menu: testMenu(),
	}
}

func testRegister() []renovote.Household {
	hh := func(c, b, u, r, owner string, area renovote.Area) renovote.Household {
		return renovote.Household{CompoundID: c, ID: renovote.HouseholdID(b, u, r), Building: b, Unit: u, Room: r,
			Owner: owner, Phone: "1390000" + r, Area: area}
	}
	return []renovote.Household{
		hh("liangmao", "3", "2", "301", "张三", 8550),
		hh("liangmao", "3", "2", "302", "李四", 8550),
		hh("liangmao", "3", "2", "401", "王五", 9000),
		hh("liangmao", "3", "2", "402", "赵六", 9000),
		hh("liangmao", "5", "", "101", "钱七", 6000),
		hh("jinrong", "1号楼", "1单元", "101", "孙八", 7000),
		hh("jinrong", "1号楼", "1单元", "102", "周九", 7200),
		hh("jinrong", "2号楼", "1单元", "201", "吴十", 11000),
	}
}

func ref(compound, id string) renovote.HouseholdRef {
	return renovote.HouseholdRef{CompoundID: compound, HouseholdID: id}
}

// code makes a well-formed invitation code from a readable seed.
func code(seed string) string {
	return (seed + strings.Repeat("x", renovote.InviteCodeLen))[:renovote.InviteCodeLen]
}

var (
	ref301 = ref("liangmao", "3-2-301")
	ref302 = ref("liangmao", "3-2-302")
	ref401 = ref("liangmao", "3-2-401")
	refJin = ref("jinrong", "1-1-101")
)

type user struct {
	id   int64
	lang string
}

var (
	zhang   = user{101, "zh-hans"} // 3-2-301
	zhangJr = user{102, ""}        // 3-2-301, second member
	zhangGd = user{103, "zh"}      // 3-2-301, would be third
	li      = user{201, "en"}      // 3-2-302
	wang    = user{301, "zh"}      // 3-2-401
	worker  = user{900, "zh-hans"}
	workerE = user{901, "en"}
	admin   = user{1, "zh"}
	nobody  = user{666, "zh"}
)

type message struct {
	chat    int64
	text    string
	buttons [][]Button
}

type world struct {
	t        *testing.T
	be       backend // the store, for seeding and checking
	fl       *flaky  // the store as the engine sees it
	e        *Engine
	codes    map[renovote.HouseholdRef]string
	aliases  map[string]string // invitation code → how transcripts show it
	now      time.Time
	shownNow time.Time
	upd      int64
	nextMsg  int
	msgs     map[int]*message
	order    []int
	out      strings.Builder
	receipts int
	last     struct {
		u     user
		in    Input
		shown string
	}
	logs *lockedBuffer // what the engine logged
}

// lockedBuffer is a bytes.Buffer safe for concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newWorld(t *testing.T, be backend) *world {
	t.Helper()
	w := &world{t: t, be: be, fl: &flaky{Store: be}, now: duringBallot, upd: 1000, nextMsg: 1,
		msgs: map[int]*message{}, codes: map[renovote.HouseholdRef]string{}, aliases: map[string]string{},
		logs: &lockedBuffer{}}
	for _, r := range []renovote.HouseholdRef{ref301, ref302, ref401, refJin} {
		w.codes[r] = be.issue(t, r)
		w.aliases[w.codes[r]] = "<invite " + r.String() + ">"
	}
	be.addWorker(t, worker.id)
	be.addWorker(t, workerE.id)
	w.e = New(Config{Store: w.fl, Admins: []int64{admin.id}, BotUsername: "renovote_bot",
		Logger: slog.New(slog.NewTextHandler(w.logs, nil)), XLSX: fakeXLSX})
	w.e.receiptID = func() string { w.receipts++; return fmt.Sprintf("RC%06d", w.receipts) }
	return w
}

// start is the command an invitation link sends for the household.
func (w *world) start(r renovote.HouseholdRef) string { return "/start " + w.codes[r] }

// fail makes the store's method fail (err nil: work again).
func (w *world) fail(method string, err error) { w.fl.set(method, err) }

func (w *world) at(t time.Time) { w.now = t }

func (w *world) note(format string, args ...any) {
	fmt.Fprintf(&w.out, "\n# "+format+"\n", args...)
}

// send is a text message or command from u.
func (w *world) send(u user, text string) Response {
	in := w.input(u)
	in.Text = text
	if strings.HasPrefix(text, "/") {
		cmd, args, _ := strings.Cut(text[1:], " ")
		in.Command, in.Args = cmd, strings.TrimSpace(args)
	}
	return w.handle(u, in, text)
}

// photo is a photo sent by u.
func (w *world) photo(u user, fileID string) Response {
	return w.photoWith(u, fileID, "", 0)
}

// photoWith is a photo of size bytes (0: unknown) with a caption.
func (w *world) photoWith(u user, fileID, caption string, size int64) Response {
	in := w.input(u)
	in.PhotoFileID, in.PhotoSize, in.Text = fileID, size, caption
	shown := "[photo " + fileID
	if size > 0 {
		shown += fmt.Sprintf(", %d bytes", size)
	}
	if caption != "" {
		shown += fmt.Sprintf(", caption %q", caption)
	}
	return w.handle(u, in, shown+"]")
}

// tap presses the button labelled label on the latest message of u's chat that has it.
func (w *world) tap(u user, label string) Response {
	w.t.Helper()
	for i := len(w.order) - 1; i >= 0; i-- {
		id := w.order[i]
		m := w.msgs[id]
		if m.chat != u.id {
			continue
		}
		for _, row := range m.buttons {
			for _, b := range row {
				if b.Label == label {
					return w.press(u, id, b.Data)
				}
			}
		}
	}
	w.t.Fatalf("user %d: no button %q in the chat", u.id, label)
	return Response{}
}

// press is a button press with any data on message id (forged ones included).
func (w *world) press(u user, id int, data string) Response {
	in := w.input(u)
	in.Callback, in.MessageID = data, id
	return w.handle(u, in, fmt.Sprintf("press %q on #%d", data, id))
}

// lastData is the data of the button labelled label on the latest message of chat.
func (w *world) lastData(chat int64, label string) (int, string) {
	w.t.Helper()
	for i := len(w.order) - 1; i >= 0; i-- {
		m := w.msgs[w.order[i]]
		if m.chat != chat {
			continue
		}
		for _, row := range m.buttons {
			for _, b := range row {
				if b.Label == label {
					return w.order[i], b.Data
				}
			}
		}
	}
	w.t.Fatalf("chat %d: no button %q", chat, label)
	return 0, ""
}

func (w *world) input(u user) Input {
	w.upd++
	return Input{UpdateID: w.upd, UserID: u.id, ChatID: u.id, Lang: u.lang, Name: "someone"}
}

// again handles the last input a second time, with the same update id, as
// after a crash of the adapter before it acknowledged the update.
func (w *world) again() Response {
	w.t.Helper()
	return w.handle(w.last.u, w.last.in, w.last.shown+" (the same update again)")
}

// bind makes u a member of the household directly in the store.
func (w *world) bind(u user, r renovote.HouseholdRef) {
	w.t.Helper()
	if err := w.be.Bind(context.Background(), u.id, r, 2, w.now); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) handle(u user, in Input, shown string) Response {
	w.t.Helper()
	w.last.u, w.last.in, w.last.shown = u, in, shown
	for c, alias := range w.aliases {
		shown = strings.ReplaceAll(shown, c, alias)
	}
	if r := []rune(shown); len(r) > 120 {
		shown = fmt.Sprintf("%s… (%d characters)", string(r[:40]), len(r))
	}
	w.stamp()
	fmt.Fprintf(&w.out, "%d> %s\n", u.id, shown)
	resp, err := w.e.Handle(context.Background(), in, w.now)
	if in.Callback != "" {
		kind := "toast"
		if resp.CallbackAlert {
			kind = "alert"
		}
		fmt.Fprintf(&w.out, "  (%s: %q)\n", kind, resp.CallbackText)
	} else if resp.CallbackText != "" {
		w.t.Errorf("callback text %q for an input that is not a button press", resp.CallbackText)
	}
	for _, r := range resp.Replies {
		w.show(in.ChatID, r)
	}
	if err != nil {
		fmt.Fprintf(&w.out, "  !! error: %v\n", err)
	}
	if in.Callback == "" && len(resp.Replies) == 0 {
		w.t.Errorf("no reply to %q", shown)
	}
	return resp
}

// stamp writes the time down when it changed.
func (w *world) stamp() {
	if !w.now.Equal(w.shownNow) {
		f := "2006-01-02 15:04"
		if w.now.Nanosecond() != 0 {
			f = "2006-01-02 15:04:05.999999999"
		}
		fmt.Fprintf(&w.out, "\n@ %s\n", w.now.In(shanghai).Format(f))
		w.shownNow = w.now
	}
}

// show applies one reply to the chats, as the adapter would (telling the
// engine which message a tracked reply became), and writes it down.
func (w *world) show(inChat int64, r Reply) {
	w.t.Helper()
	chat := r.ChatID
	if chat == 0 {
		chat = inChat
	}
	var head string
	if r.EditMessageID > 0 {
		m, ok := w.msgs[r.EditMessageID]
		if !ok || m.chat != chat {
			w.t.Errorf("edit of message #%d that is not in chat %d", r.EditMessageID, chat)
			return
		}
		m.text, m.buttons = r.Text, r.Buttons
		head = fmt.Sprintf("#%d edited", r.EditMessageID)
	} else {
		id := w.nextMsg
		w.nextMsg++
		w.msgs[id] = &message{chat: chat, text: r.Text, buttons: r.Buttons}
		w.order = append(w.order, id)
		head = fmt.Sprintf("#%d", id)
		if r.Track != "" {
			if _, err := w.e.Sent(context.Background(), r.Track, chat, id); err != nil {
				w.t.Errorf("Sent(%q): %v", r.Track, err)
			}
			head += " (tracked " + r.Track + ")"
		}
	}
	if chat != inChat {
		head += fmt.Sprintf(" → chat %d", chat)
	}
	if r.Track != "" && r.EditMessageID > 0 {
		w.t.Errorf("a tracked reply that edits message #%d", r.EditMessageID)
	}
	attached := r.PhotoFileID != "" || r.DocumentFileID != "" || r.Document != nil || r.Photo != nil
	if r.PhotoFileID != "" {
		head += " [photo " + r.PhotoFileID + "]"
	}
	if r.Photo != nil {
		head += fmt.Sprintf(" [photo upload %s, %d bytes]", r.Photo.Name, len(r.Photo.Data))
	}
	if r.DocumentFileID != "" {
		head += " [document " + r.DocumentFileID + "]"
	}
	if r.Document != nil {
		head += fmt.Sprintf(" [upload %s, %d bytes]", r.Document.Name, len(r.Document.Data))
	}
	if attached {
		if r.EditMessageID > 0 {
			w.t.Errorf("an attachment that edits message #%d", r.EditMessageID)
		}
		if n := utf8.RuneCountInString(r.Text); n > 1024 {
			w.t.Errorf("caption of %d characters", n)
		}
	} else if n := utf8.RuneCountInString(r.Text); n > 4096 || n == 0 {
		w.t.Errorf("message of %d characters", n)
	}
	fmt.Fprintf(&w.out, "  %s:\n", head)
	for _, line := range strings.Split(r.Text, "\n") {
		fmt.Fprintf(&w.out, "    %s\n", line)
	}
	for _, row := range r.Buttons {
		var bs []string
		for _, b := range row {
			bs = append(bs, fmt.Sprintf("[%s | %s]", b.Label, b.Data))
			if len(b.Data) > 64 {
				w.t.Errorf("button data %q longer than 64 bytes", b.Data)
			}
		}
		fmt.Fprintf(&w.out, "    %s\n", strings.Join(bs, " "))
	}
	if r.Document != nil {
		fmt.Fprintf(&w.out, "    ┌ %s\n", r.Document.Name)
		for _, line := range strings.Split(strings.TrimRight(string(r.Document.Data), "\r\n"), "\n") {
			fmt.Fprintf(&w.out, "    │ %q\n", strings.TrimSuffix(line, "\r"))
		}
	}
}

// fakeXLSX stands for an XLSX writer: it writes the sheet as text.
func fakeXLSX(sheet string, header []string, rows [][]string) ([]byte, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "xlsx sheet %q\n%s\n", sheet, strings.Join(header, "|"))
	for _, r := range rows {
		b.WriteString(strings.Join(r, "|") + "\n")
	}
	return []byte(b.String()), nil
}

// deliver settles the outbox as the bot would (outcomes by chat, the others
// delivered), writes down what each recipient got, and edits each notice's
// progress message (NoticeProgress).
func (w *world) deliver(outcomes map[int64]renovote.Delivery) {
	w.t.Helper()
	w.stamp()
	msgs := w.be.settle(w.t, outcomes, w.now)
	fmt.Fprintf(&w.out, "~ outbox: %d message(s)\n", len(msgs))
	var ids []string
	shown := map[string]bool{}
	for _, m := range msgs {
		d, ok := outcomes[m.ChatID]
		if !ok {
			d = renovote.Delivered
		}
		fmt.Fprintf(&w.out, "  %s → chat %d: %s\n", m.NoticeID, m.ChatID, d)
		if !shown[m.NoticeID] {
			shown[m.NoticeID] = true
			ids = append(ids, m.NoticeID)
			att := ""
			if m.Photo != "" {
				att += " [photo " + m.Photo + "]"
			}
			if m.Document != "" {
				att += " [document " + m.Document + "]"
			}
			fmt.Fprintf(&w.out, "    text%s:\n", att)
			for _, line := range strings.Split(m.Text, "\n") {
				fmt.Fprintf(&w.out, "    | %s\n", line)
			}
		}
	}
	for _, id := range ids {
		n, err := w.be.Notice(context.Background(), id)
		if err != nil {
			w.t.Fatal(err)
		}
		if r, ok := NoticeProgress(n); ok {
			fmt.Fprintf(&w.out, "~ progress of %s:\n", id)
			w.show(n.ByChat, r)
		}
	}
}

// staffCode matches a staff invitation's code in a link or a command.
var staffCode = regexp.MustCompile(renovote.StaffInvitePrefix + `([A-Za-z0-9_-]+)`)

// lastStaffLink is the payload ("staff-<code>") of the latest staff
// invitation shown in the chat.
func (w *world) lastStaffLink(chat int64) string {
	w.t.Helper()
	for i := len(w.order) - 1; i >= 0; i-- {
		if m := w.msgs[w.order[i]]; m.chat == chat {
			if s := staffCode.FindString(m.text); s != "" {
				return s
			}
		}
	}
	w.t.Fatalf("chat %d: no staff invitation", chat)
	return ""
}

// vote is the household's current choice in the store ("" if none).
func (w *world) vote(r renovote.HouseholdRef) renovote.HouseholdVote {
	v, _, err := w.be.CurrentVote(context.Background(), r)
	if err != nil {
		w.t.Fatal(err)
	}
	return v
}

// bound is the household u is bound to ("" if none).
func (w *world) bound(u user) renovote.HouseholdRef {
	w.t.Helper()
	r, _, err := w.be.Binding(context.Background(), u.id)
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

func (w *world) golden(name string, write bool) {
	w.t.Helper()
	checkGolden(w.t, name, aliasStaffCodes(strings.TrimLeft(w.out.String(), "\n")), write)
}

// aliasStaffCodes shows staff invitation codes (random in the real store) as
// <code 1>, <code 2>, ... in the order they first appear.
func aliasStaffCodes(s string) string {
	seen := map[string]int{}
	return staffCode.ReplaceAllStringFunc(s, func(m string) string {
		c := strings.TrimPrefix(m, renovote.StaffInvitePrefix)
		if !renovote.ValidInviteCode(c) {
			return m // a forged one: shown as it is
		}
		if seen[c] == 0 {
			seen[c] = len(seen) + 1
		}
		return fmt.Sprintf("%s<code %d>", renovote.StaffInvitePrefix, seen[c])
	})
}

func checkGolden(t *testing.T, name, got string, write bool) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update && write {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the transcript (run go test -update to accept):\n%s", path, diff(string(want), got))
	}
}

// diff is a small line diff: the first differing lines with some context.
func diff(want, got string) string {
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	var s strings.Builder
	from := max(i-3, 0)
	for j := from; j < i; j++ {
		fmt.Fprintf(&s, "  %s\n", a[j])
	}
	for j := i; j < len(a) && j < i+8; j++ {
		fmt.Fprintf(&s, "- %s\n", a[j])
	}
	for j := i; j < len(b) && j < i+8; j++ {
		fmt.Fprintf(&s, "+ %s\n", b[j])
	}
	return s.String()
}
