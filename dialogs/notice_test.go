package dialogs

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote"
)

var (
	qian = user{501, "zh"} // 粮贸小区 5--101
	sun  = user{601, "en"} // 金融小区 1-1-101
)

// document is a file sent by u as a document, with a caption.
func (w *world) document(u user, fileID, name, caption string) Response {
	in := w.input(u)
	in.DocumentFileID, in.DocumentName, in.Text = fileID, name, caption
	return w.handle(u, in, fmt.Sprintf("[document %s %q, caption %q]", fileID, name, caption))
}

// notice is the stored notice.
func (w *world) notice(id string) renovote.Notice {
	w.t.Helper()
	n, err := w.be.Notice(context.Background(), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

// schedulerRuns enqueues a due notice as the scheduler does.
func (w *world) schedulerRuns(id string) {
	w.t.Helper()
	ctx := context.Background()
	w.stamp()
	n := w.notice(id)
	ids, err := w.be.NoticeRecipients(ctx, n.Compounds, n.Buildings, n.Kind == renovote.KindReminder)
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.be.EnqueueNotice(ctx, id, ids); err != nil {
		w.t.Fatal(err)
	}
	fmt.Fprintf(&w.out, "~ the scheduler enqueues %s to %d chat(s)\n", id, len(ids))
}

func bindNoticeResidents(w *world) {
	w.bind(zhang, ref301)
	w.bind(zhangJr, ref301)
	w.bind(li, ref302)
	w.bind(wang, ref401)
	w.bind(qian, ref("liangmao", "5--101"))
	w.bind(sun, refJin)
}

// Notices: composed step by step in one message, to some buildings of one
// compound or to several compounds, with a photo or a document, now or
// scheduled; the progress message follows the deliveries.
func TestNoticeZh(t *testing.T) { transcript(t, "notice_zh", noticeZh) }

func noticeZh(w *world) {
	bindNoticeResidents(w)

	w.note("A worker of every compound writes to building 3 of 粮贸小区, to be sent now.")
	w.send(worker, "/notice")
	w.tap(worker, "下一步")
	w.tap(worker, "粮贸小区")
	w.tap(worker, "金融小区")
	w.tap(worker, "✅ 金融小区")
	w.tap(worker, "下一步")
	w.tap(worker, "3栋")
	w.tap(worker, "5栋")
	w.tap(worker, "✅ 5栋")
	w.tap(worker, "下一步")
	w.send(worker, strings.Repeat("长", renovote.MaxNoticeRunes))
	w.send(worker, "明天 9:00-12:00 停水")
	w.send(worker, "明天早上")
	w.send(worker, "2020-02-30 09:00")
	w.tap(worker, "立即发送")
	w.note("They change the text at the preview, then send.")
	w.tap(worker, "修改内容")
	w.send(worker, "明天（5月22日）9:00-12:00 3栋停水，请提前储水。\n如有疑问请联系社区：0851-1234567")
	w.tap(worker, "立即发送")
	w.tap(worker, "确认发送")
	n := w.notice("N1")
	if n.Status != renovote.NoticeSending || n.Counts.Recipients != 4 || n.By != "tg:900" || n.ByChat != worker.id || n.ProgressID == 0 ||
		!strings.HasPrefix(n.Text, "【粮贸小区 3栋 通知】\n明天（5月22日）") || len(n.Buildings) != 1 || n.Buildings[0] != "3" {
		w.t.Fatalf("notice = %+v", n)
	}
	w.note("The same confirmation handled again (after a crash): the same notice, nobody gets it twice.")
	w.again()
	if n := w.notice("N1"); n.Counts.Recipients != 4 {
		w.t.Fatalf("recipients = %d", n.Counts.Recipients)
	}
	w.note("The bot delivers it; 李四 has blocked the bot.")
	w.deliver(map[int64]renovote.Delivery{li.id: renovote.Unreachable})

	w.note("Residents of building 3 see it in /notices; building 5 does not.")
	w.send(zhang, "/notices")
	w.send(qian, "/notices")
	w.send(nobody, "/notices")

	w.note("A notice with a photo to every compound, scheduled, then cancelled.")
	w.send(worker, "/notice")
	w.tap(worker, "全部")
	w.send(worker, "/vote")
	w.photoWith(worker, "AgADcut", "5月25日 全天停电检修，请提前做好准备。", 0)
	w.send(worker, "2020-05-20 09:00")
	w.send(worker, "2020-05-25 07:00")
	w.tap(worker, "确认发送")
	if n := w.notice("N2"); n.Status != renovote.NoticeScheduled || n.Photo != "AgADcut" || !n.SendAt.Equal(at(5, 25, 7, 0)) {
		w.t.Fatalf("notice = %+v", n)
	}
	w.send(worker, "/notices")
	w.tap(worker, "取消发送")
	w.tap(worker, "取消发送 N2")
	if n := w.notice("N2"); n.Status != renovote.NoticeCancelled {
		w.t.Fatalf("status = %s", n.Status)
	}

	w.note("Another one is scheduled; when the scheduler sends it, its message shows the progress.")
	w.send(worker, "/notice 金融小区")
	w.tap(worker, "全部楼栋")
	w.send(worker, "请于本周五前到社区确认改造方案。")
	w.send(worker, "2020-05-22 09:00")
	w.tap(worker, "确认发送")
	w.at(at(5, 22, 9, 0))
	w.schedulerRuns("N3")
	w.deliver(nil)
	w.press(worker, w.lastMsgWith(worker.id, "N3"), "nx:N3")

	w.note("Typing during the steps; cancelling; an old button.")
	w.send(worker, "/notice")
	_, old := w.lastData(worker.id, "下一步")
	w.photo(worker, "AgADtooearly")
	w.send(worker, "粮贸小区，金融小区")
	w.send(worker, "/cancel")
	w.press(worker, w.lastMsg(worker.id), old)
	w.send(worker, "/notice")
	w.tap(worker, "取消")

	w.note("The bureau reads every notice but sends none; a worker of 金融小区 sees its notices only.")
	w.setStaff(bureau, renovote.RoleBureau)
	w.setStaff(workerJ, renovote.RoleWorker, "jinrong")
	w.send(bureau, "/notices_all")
	w.send(bureau, "/notice")
	w.send(workerJ, "/notices")
	w.send(workerJ, "/notice 粮贸小区")
	w.send(zhang, "/notice")
	w.send(zhang, "/notices_all")
}

func TestNoticeEn(t *testing.T) { transcript(t, "notice_en", noticeEn) }

func noticeEn(w *world) {
	bindNoticeResidents(w)
	w.setStaff(workerL, renovote.RoleWorker, "liangmao")
	w.note("A worker of 粮贸小区 only sends a document to the whole compound.")
	w.send(workerL, "/notice")
	w.send(workerL, "Not yet")
	w.tap(workerL, "All buildings")
	w.document(workerL, "BQACplan", "改造方案.pdf", "改造方案公示，请查阅。")
	w.tap(workerL, "Send now")
	w.tap(workerL, "Send")
	w.deliver(map[int64]renovote.Delivery{wang.id: renovote.Failed})
	w.send(li, "/notices")
	w.send(workerL, "/notices")
}

// The progress message's edits: none without a message or while scheduled,
// counts while sending, the outcome when done.
func TestNoticeProgress(t *testing.T) {
	n := renovote.Notice{ID: "N7", ByChat: 900, Status: renovote.NoticeSending, Counts: renovote.NoticeCounts{Recipients: 808, Delivered: 100, Unreachable: 15, Failed: 5}}
	if _, ok := NoticeProgress(n); ok {
		t.Error("a notice without a progress message")
	}
	n.ProgressID = 42
	r, ok := NoticeProgress(n)
	if !ok || r.ChatID != 900 || r.EditMessageID != 42 || r.Text != "📢 通知 N7 正在发送：120/808 …\n📢 Notice N7: sending 120/808 …" {
		t.Errorf("sending: %+v", r)
	}
	n.Counts = renovote.NoticeCounts{Recipients: 808, Delivered: 800, Unreachable: 6, Failed: 2}
	n.Status = renovote.NoticeDone
	if r, _ := NoticeProgress(n); r.Text != "✅ 通知 N7：已送达 800，无法送达 6（已屏蔽机器人），失败 2\n✅ Notice N7: delivered 800, unreachable 6 (blocked the bot), failed 2" {
		t.Errorf("done: %q", r.Text)
	}
	n.Status = renovote.NoticeScheduled
	if _, ok := NoticeProgress(n); ok {
		t.Error("a scheduled notice")
	}
}

// NoticeText names the compound (and buildings) in the header.
func TestNoticeText(t *testing.T) {
	p := testProgramme()
	for _, c := range []struct {
		n        renovote.Notice
		compound string
		want     string
	}{
		{renovote.Notice{Kind: renovote.KindNotice, Compounds: []string{"liangmao"}, Text: "停水"}, "", "【粮贸小区 通知】\n停水"},
		{renovote.Notice{Kind: renovote.KindNotice, Compounds: []string{"liangmao"}, Buildings: []string{"3", "5栋"}, Text: "停水"}, "", "【粮贸小区 3栋、5栋 通知】\n停水"},
		{renovote.Notice{Kind: renovote.KindNotice, Compounds: []string{"liangmao", "jinrong"}, Text: "停电"}, "", "【粮贸小区、金融小区 通知】\n停电"},
		{renovote.Notice{Kind: renovote.KindNotice, Compounds: []string{"liangmao", "jinrong"}, Text: "停电"}, "jinrong", "【金融小区 通知】\n停电"},
		{renovote.Notice{Kind: renovote.KindReminder, Compounds: []string{"jinrong"}, Text: "请投票"}, "", "【金融小区 投票提醒】\n请投票"},
		{renovote.Notice{Kind: renovote.KindNotice, Compounds: []string{"a", "b", "c", "d"}, Photo: "x"}, "", "【a等 4 个小区 通知】"},
	} {
		if got := NoticeText(p, c.n, c.compound); got != c.want {
			t.Errorf("NoticeText = %q, want %q", got, c.want)
		}
		if got := noticeBody(NoticeText(p, c.n, c.compound)); got != c.n.Text {
			t.Errorf("noticeBody = %q, want %q", got, c.n.Text)
		}
	}
}

func TestParseWhen(t *testing.T) {
	for s, want := range map[string]time.Time{
		"2020-05-20 09:00": at(5, 20, 9, 0), "2020/5/20 9:05": at(5, 20, 9, 5), "２０２０-０５-２０ ０９：００": at(5, 20, 9, 0),
		" 2020.05.20   18:30 ": at(5, 20, 18, 30), "2020-02-30 09:00": {}, "2020-05-20 24:00": {}, "明天": {}, "2020-05-20": {},
	} {
		got, ok := parseWhen(s, shanghai)
		if ok != !want.IsZero() || ok && !got.Equal(want) {
			t.Errorf("parseWhen(%q) = %v %v, want %v", s, got, ok, want)
		}
	}
}

// Sent records the progress message; an unknown track is an error.
func TestSent(t *testing.T) {
	f := newFakeStore(testProgramme(), testRegister())
	e := New(Config{Store: f})
	ctx := context.Background()
	n, err := f.CreateNotice(ctx, renovote.Notice{Kind: renovote.KindNotice, Compounds: []string{"liangmao"}, Text: "x", By: "tg:900",
		ByChat: 900, Created: duringBallot, SendAt: duringBallot}, "op1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Sent(ctx, "notice:"+n.ID, 900, 77); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.Notice(ctx, n.ID); got.ProgressID != 77 || got.ByChat != 900 {
		t.Errorf("notice = %+v", got)
	}
	for _, track := range []string{"", "notice:", "report:R1", "notice:N1:x"} {
		if _, err := e.Sent(ctx, track, 900, 1); err == nil {
			t.Errorf("Sent(%q) accepted", track)
		}
	}
}

// A confirmation that fails is pressed again: one notice, nobody queued twice;
// also when the session could not be saved after it went through.
func TestNoticeStoreFails(t *testing.T) {
	f := newFakeStore(testProgramme(), testRegister())
	w := newWorld(t, f)
	bindNoticeResidents(w)
	ctx := context.Background()
	w.send(worker, "/notice 粮贸小区")
	w.tap(worker, "全部楼栋")
	w.send(worker, "停水")
	w.tap(worker, "立即发送")
	for _, method := range []string{"NoticeRecipients", "CreateNotice", "EnqueueNotice"} {
		w.fail(method, errDown)
		if resp := w.tap(worker, "确认发送"); !resp.CallbackAlert || resp.CallbackText != mBusy.zh || len(resp.Replies) != 0 {
			t.Fatalf("%s fails: %+v", method, resp)
		}
		w.fail(method, nil)
	}
	w.tap(worker, "确认发送")
	if ns, _ := f.AllNotices(ctx, 10); len(ns) != 1 || ns[0].Counts.Recipients != 5 {
		t.Fatalf("notices = %+v", ns)
	}
	if n := len(f.outboxOf(t, "N1")); n != 5 {
		t.Fatalf("outbox has %d messages, want 5", n)
	}

	w.send(worker, "/notice 粮贸小区")
	w.tap(worker, "全部楼栋")
	w.send(worker, "停电")
	w.tap(worker, "立即发送")
	msg, data := w.lastData(worker.id, "确认发送")
	w.fail("PutSession", errDown)
	w.press(worker, msg, data)
	w.fail("PutSession", nil)
	w.press(worker, msg, data) // a new update: the draft is still there
	if n := w.notice("N2"); n.Counts.Recipients != 5 {
		t.Fatalf("notice = %+v", n)
	}
	if ns, _ := f.AllNotices(ctx, 10); len(ns) != 2 || len(f.outboxOf(t, "N2")) != 5 {
		t.Fatalf("notices = %+v", ns)
	}
}
