package dialogs

import (
	"context"
	"testing"
	"time"

	"github.com/renovote/renovote"
)

func TestPaperZh(t *testing.T) { transcript(t, "paper_zh", paperZh) }

func paperZh(w *world) {
	w.bind(zhang, ref301)

	w.note("Residents may not enter paper ballots or add workers.")
	w.send(nobody, "/paper")
	w.send(nobody, "/paper 粮贸小区 3-2-301 同意")
	w.send(nobody, "/addworker 666")
	w.press(nobody, 1, "p:ok")
	if ok, _ := w.be.IsWorker(context.Background(), nobody.id); ok {
		w.t.Fatal("a resident made themself a worker")
	}

	w.note("A worker enters a paper ballot step by step.")
	w.send(worker, "/paper")
	w.send(worker, "3-2-301")
	w.tap(worker, "粮贸小区")
	w.send(worker, "9-9-999")
	w.send(worker, "3栋2单元301室")
	w.send(worker, "同意")
	w.tap(worker, "纸质票·同意")
	w.send(worker, "好了")
	w.photo(worker, "AgADphoto301")
	w.tap(worker, "确认")
	v := w.vote(ref301)
	if v.Choice != renovote.ChoiceAgree || v.Channel != renovote.ChannelPaper || v.Actor != "tg:900" || v.Evidence != "AgADphoto301" {
		w.t.Fatalf("vote = %+v", v)
	}
	if a := w.be.audit(w.t, "liangmao"); len(a) != 1 || a[0].UpdateID != w.last.in.UpdateID || a[0].Evidence != "AgADphoto301" {
		w.t.Errorf("audit = %+v, want update %d", a, w.last.in.UpdateID)
	}
	w.note("The same confirmation handled twice: nothing more is recorded.")
	w.again()
	if n := len(w.be.audit(w.t, "liangmao")); n != 1 {
		w.t.Fatalf("audit has %d entries, want 1", n)
	}

	w.note("The next household of the same compound (no unit); then cancelled.")
	w.send(worker, "5-101")
	w.tap(worker, "委托书·不同意")
	w.tap(worker, "跳过")
	confirmMsg, _ := w.lastData(worker.id, "确认")
	w.tap(worker, "取消")
	if v := w.vote(ref("liangmao", "5--101")); v.Choice != "" {
		w.t.Fatalf("cancelled ballot recorded: %+v", v)
	}
	w.send(worker, "3-2-302")
	w.press(worker, confirmMsg, "p:ok") // the old confirmation button has expired

	w.note("The shortcut jumps to the evidence step.")
	w.send(worker, "/paper 金融小区 1-1-102 不同意 proxy")
	w.tap(worker, "跳过")
	w.tap(worker, "确认")
	v = w.vote(ref("jinrong", "1-1-102"))
	if v.Choice != renovote.ChoiceDisagree || v.Channel != renovote.ChannelProxy || v.Evidence != "" {
		w.t.Fatalf("vote = %+v", v)
	}
	w.send(worker, "/cancel")
	w.send(worker, "/paper liangmao 3 2 402 agree")
	w.photo(worker, "AgADphoto402")
	w.tap(worker, "确认")
	w.send(worker, "/cancel")

	w.note("Shortcuts that do not parse, or name no household.")
	w.send(worker, "/paper 粮贸小区 3-2-301 也许")
	w.send(worker, "/paper 不存在小区 3-2-301 同意")
	w.send(worker, "/paper 粮贸小区 8-8-808 同意")

	w.note("An admin adds a worker.")
	w.send(admin, "/addworker abc")
	w.send(admin, "/addworker 777")
	if ok, _ := w.be.IsWorker(context.Background(), 777); !ok {
		w.t.Fatal("worker 777 not added")
	}
	w.send(worker, "/addworker 778")

	w.note("After the close, paper ballots are refused too.")
	w.at(ballotCloses.Add(time.Nanosecond))
	w.send(worker, "/paper 粮贸小区 3-2-302 同意")
	w.send(worker, "/paper")
	w.tap(worker, "粮贸小区")
	w.send(worker, "/paper")
	w.send(worker, "取消")
	w.send(worker, "3-2-301")
}

func TestPaperEn(t *testing.T) { transcript(t, "paper_en", paperEn) }

func paperEn(w *world) {
	w.send(workerE, "/paper")
	w.tap(workerE, "金融小区")
	w.send(workerE, "2 1 201")
	w.tap(workerE, "Paper · agree")
	w.photo(workerE, "AgADphoto201")
	w.tap(workerE, "Confirm")
	if v := w.vote(ref("jinrong", "2-1-201")); v.Choice != renovote.ChoiceAgree || v.Actor != "tg:901" {
		w.t.Fatalf("vote = %+v", v)
	}
	w.send(workerE, "/cancel")
}

// A paper ballot whose window closes before the worker confirms is refused.
func TestPaperClosesBeforeConfirm(t *testing.T) { transcript(t, "paper_closed", paperClosed) }

func paperClosed(w *world) {
	w.at(ballotCloses.Add(-time.Minute))
	w.send(worker, "/paper 粮贸小区 3-2-301 同意")
	w.tap(worker, "跳过")
	w.at(ballotCloses)
	w.tap(worker, "确认")
	if v := w.vote(ref301); v.Choice != "" {
		w.t.Fatalf("vote = %+v", v)
	}
}
