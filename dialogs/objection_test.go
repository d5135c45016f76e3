package dialogs

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote"
)

// The publicity window (公示期) of 粮贸小区 in these tests: the week after its
// ballot closes (6月5日 18:00). 金融小区 has none.
var (
	publicityOpens  = at(6, 6, 8, 0)
	publicityCloses = at(6, 13, 0, 0) // shown as 6月12日 24:00
	duringPublicity = at(6, 7, 9, 30)
)

// withObjections gives the world's engine the backend's objections and the
// programme a publicity window for 粮贸小区 (the shared test programme has
// none), on both backends.
func withObjections(w *world) {
	w.t.Helper()
	o, ok := w.be.(Objections)
	if !ok {
		w.t.Fatalf("backend %T keeps no objections", w.be)
	}
	w.e.objections = o
	p := testProgramme()
	p.Compounds[0].Publicity = renovote.Window{Opens: publicityOpens, Closes: publicityCloses}
	switch be := w.be.(type) {
	case *fakeStore:
		be.mu.Lock()
		be.prog = p
		be.mu.Unlock()
	case storeBackend:
		if err := be.ApplyProgramme(context.Background(), p); err != nil {
			w.t.Fatal(err)
		}
	default:
		w.t.Fatalf("unknown backend %T", w.be)
	}
}

func (w *world) objection(compoundID, id string) renovote.Objection {
	w.t.Helper()
	o, err := w.be.(Objections).Objection(context.Background(), compoundID, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return o
}

func (w *world) objectionCount(compoundID string) int {
	w.t.Helper()
	all, err := w.be.(Objections).Objections(context.Background(), compoundID)
	if err != nil {
		w.t.Fatal(err)
	}
	return len(all)
}

// /myvote shows what is recorded for the household: the choice, how it
// came (the resident, another member, a paper ballot or proxy entered by a
// worker, named by role only), the time and the receipt, and the publicity
// window.
func TestMyVote(t *testing.T) { transcript(t, "myvote", myVote) }

func myVote(w *world) {
	withObjections(w)
	w.bind(zhang, ref301)
	w.bind(zhangJr, ref301)
	w.bind(li, ref302)
	w.bind(wang, ref401)

	w.note("Someone not bound has no record to see.")
	w.send(nobody, "/myvote")

	w.note("Before voting: nothing recorded; the ballot is open, the public notice comes later.")
	w.send(zhang, "/myvote")

	w.note("After voting in chat: the resident sees it was them; the other member sees it was another member.")
	w.send(zhang, "/vote")
	w.tap(zhang, "同意改造")
	w.send(zhang, "/myvote")
	w.send(zhangJr, "/myvote")

	w.note("A worker records a paper ballot and a proxy form: residents see the kind and that a worker entered it, no name.")
	w.send(worker, "/paper 粮贸小区 3-2-302 不同意 paper")
	w.tap(worker, "跳过")
	w.tap(worker, "确认")
	w.send(worker, "/paper 粮贸小区 3-2-401 同意 proxy")
	w.photo(worker, "AgADproxy")
	w.tap(worker, "确认")
	if v := w.vote(ref401); v.Channel != renovote.ChannelProxy || v.Evidence != "AgADproxy" {
		w.t.Fatalf("vote = %+v", v)
	}
	w.send(li, "/myvote")
	w.send(wang, "/myvote")
	for _, u := range []user{li, wang} {
		if txt := w.text(w.lastMsg(u.id)); strings.Contains(txt, "900") || strings.Contains(txt, "tg:") {
			w.t.Errorf("the record shows who entered it: %q", txt)
		}
	}

	w.note("In the public notice period: the final record and a button to object.")
	w.at(duringPublicity)
	w.send(zhang, "/myvote")
	w.note("After it: the final record, the notice is over.")
	w.at(publicityCloses)
	w.send(li, "/myvote")

	w.note("金融小区 has no public notice period: no such line.")
	w.send(nobody, "/start "+w.codes[refJin])
	w.tap(nobody, "是，这是我家")
	w.send(nobody, "/myvote")
}

// /objection in the public notice period: the record, the text typed (and
// retyped), shown back, sent; the workers of the compound and the admin get
// it with a button; a worker marks it handled from /objections, the
// resident is told; the others' buttons say it is handled already.
func TestObjection(t *testing.T) { transcript(t, "objection_zh", objectionZH) }

func objectionZH(w *world) {
	withObjections(w)
	w.bind(zhang, ref301)
	w.bind(wang, ref401)
	w.setStaff(workerJ, renovote.RoleWorker, "jinrong")
	w.setStaff(bureau, renovote.RoleBureau)
	castAll(w.t, w.be, map[renovote.HouseholdRef]renovote.Choice{ref301: renovote.ChoiceDisagree})

	w.note("Before the public notice: not yet, with its dates.")
	w.send(zhang, "/objection")

	w.at(duringPublicity)
	w.note("In it: the record, then the text; blank and too long texts are refused; typing again replaces it.")
	w.send(zhang, "/objection")
	w.send(zhang, "   ")
	w.send(zhang, strings.Repeat("异", renovote.MaxObjectionRunes+1))
	w.send(zhang, "我家是同意")
	w.send(zhang, markup+"\n我家投的是同意，记录却是不同意，请核对纸质票。")
	w.tap(zhang, "提交")
	o := w.objection("liangmao", "O1")
	if o.Text != markup+"\n我家投的是同意，记录却是不同意，请核对纸质票。" || o.UserID != zhang.id || o.Household != ref301 ||
		o.Status != renovote.ObjectionOpen || !o.Created.Equal(duringPublicity) {
		w.t.Fatalf("objection = %+v", o)
	}
	if !strings.Contains(w.text(w.lastMsgWith(worker.id, "【异议 O1】")), "——\n"+markup) {
		w.t.Error("the workers do not get the text byte for byte")
	}

	w.note("The same Submit update handled again (after a crash): the same objection, told again; nothing new stored.")
	w.again()
	if n := w.objectionCount("liangmao"); n != 1 {
		w.t.Fatalf("%d objections after a replay", n)
	}
	w.note("An old Submit button, and forged ones: expired.")
	w.tap(zhang, "提交")
	w.press(zhang, w.lastMsg(zhang.id), "o:ok:ffffff")
	w.press(zhang, w.lastMsg(zhang.id), "o:zz")

	w.note("From /myvote's button, another one, cancelled.")
	w.send(zhang, "/myvote")
	w.tap(zhang, "提出异议")
	w.tap(zhang, "取消")
	if n := w.objectionCount("liangmao"); n != 1 {
		w.t.Fatalf("%d objections after a cancel", n)
	}

	w.note("Another household objects without having voted.")
	w.at(duringPublicity.Add(time.Hour))
	w.send(wang, "/objection")
	w.send(wang, "我家没有投票，却显示……不对，请核对。")
	w.tap(wang, "提交")

	w.note("Staff list the open objections; the bureau reads them without buttons, a worker of another compound sees none.")
	w.at(duringPublicity.Add(3 * time.Hour))
	w.send(worker, "/objections")
	w.send(bureau, "/objections")
	w.send(workerJ, "/objections")
	w.send(workerJ, "/objections 粮贸小区")

	w.note("Not allowed: a resident, the bureau and the other compound's worker press a handled button; nothing changes.")
	w.press(zhang, 1, "o:h:liangmao:O1")
	w.press(bureau, 1, "o:hl:liangmao:O1")
	w.press(workerJ, 1, "o:h:liangmao:O1")
	w.press(worker, 1, "o:h:liangmao:O99")
	w.press(worker, 1, "o:h:Liang Mao:O1")
	if o := w.objection("liangmao", "O1"); o.Status != renovote.ObjectionOpen {
		w.t.Fatalf("O1 = %+v", o)
	}

	w.note("A worker marks O1 handled from the list: the list shows what is left, the resident is told.")
	w.tap(worker, "✅ O1 已处理")
	if o := w.objection("liangmao", "O1"); o.Status != renovote.ObjectionAnswered || o.AnsweredBy != "tg:900" {
		w.t.Fatalf("O1 = %+v", o)
	}
	w.note("Another worker presses Mark handled on the message of O1 they got: handled already, the message shows it.")
	w.press(workerE, w.lastMsgWith(workerE.id, "【异议 O1】"), "o:h:liangmao:O1")
	w.note("The admin marks O2 handled on the message they got.")
	w.tap(admin, fmt.Sprintf("%s / %s", mBtnObjectionHandled.zh, mBtnObjectionHandled.en))
	if o := w.objection("liangmao", "O2"); o.Status != renovote.ObjectionAnswered || o.AnsweredBy != "tg:1" {
		w.t.Fatalf("O2 = %+v", o)
	}
	w.send(worker, "/objections")
	w.send(zhang, "/myvote")

	w.note("A draft started before the close and sent after it: the store refuses, nothing is stored.")
	w.at(publicityCloses.Add(-time.Minute))
	w.send(zhang, "/objection")
	w.send(zhang, "还有一件事")
	w.at(publicityCloses)
	w.tap(zhang, "提交")
	w.send(zhang, "/objection")
	if n := w.objectionCount("liangmao"); n != 2 {
		w.t.Fatalf("%d objections, want 2", n)
	}

	w.note("金融小区 has no public notice period; someone not bound cannot object.")
	w.send(nobody, "/start "+w.codes[refJin])
	w.tap(nobody, "是，这是我家")
	w.send(nobody, "/objection")
	w.send(user{777, "zh"}, "/objection")
}

// The same in English, with /cancel in the middle.
func TestObjectionEN(t *testing.T) { transcript(t, "objection_en", objectionEN) }

func objectionEN(w *world) {
	withObjections(w)
	w.bind(li, ref302)
	w.at(duringPublicity)
	w.send(li, "/objection")
	w.send(li, "/cancel")
	w.send(li, "/objection")
	w.send(li, "We never voted: the record says we agreed.")
	w.tap(li, "Submit")
	w.send(workerE, "/objections 粮贸小区")
	w.tap(workerE, "✅ O1 handled")
	w.send(li, "/myvote")
	w.send(workerE, "/objections")
}

// Without a store of objections the commands say so and change nothing.
func TestObjectionsOff(t *testing.T) {
	w := newWorld(t, newFakeStore(testProgramme(), testRegister()))
	w.bind(zhang, ref301)
	w.at(duringPublicity)
	for _, c := range []struct {
		u    user
		cmd  string
		want string
	}{
		{zhang, "/objection", mObjectionUnavailable.zh},
		{worker, "/objections", mObjectionUnavailable.zh},
		{worker, "/publicity", mPublicityUnavailable.zh},
	} {
		resp := w.send(c.u, c.cmd)
		if len(resp.Replies) != 1 || resp.Replies[0].Text != c.want {
			t.Errorf("%s: %+v", c.cmd, resp.Replies)
		}
	}
	if resp := w.send(zhang, "/myvote"); len(resp.Replies) != 1 || len(resp.Replies[0].Buttons) != 0 {
		t.Errorf("/myvote without objections: %+v", resp.Replies)
	}
	if resp := w.press(worker, 1, "o:h:liangmao:O1"); resp.CallbackText != mButtonExpired.zh {
		t.Errorf("a handled button without objections: %+v", resp)
	}
}

// /publicity sends staff the printable notice of a compound of their scope.
func TestPublicity(t *testing.T) { transcript(t, "publicity", publicity) }

func publicity(w *world) {
	w.setStaff(workerJ, renovote.RoleWorker, "jinrong")
	w.setStaff(bureau, renovote.RoleBureau)
	w.bind(zhang, ref301)
	w.e.publicity = func(ctx context.Context, compoundID string, now time.Time) (string, []byte, error) {
		return "publicity-" + compoundID + ".html", []byte("<!doctype html>\n<title>" + compoundID + " " + now.In(shanghai).Format(time.DateTime) + "</title>\n"), nil
	}
	w.at(publicityOpens)
	w.note("A worker of every compound chooses one.")
	w.send(worker, "/publicity")
	w.tap(worker, "粮贸小区")
	w.note("Or names it; the bureau too.")
	w.send(worker, "/publicity 金融小区")
	w.send(bureau, "/publicity 粮贸小区")
	w.note("A worker of one compound gets it at once; another compound is out of scope.")
	w.send(workerJ, "/publicity")
	w.send(workerJ, "/publicity 粮贸小区")
	w.press(workerJ, 1, "pub:liangmao")
	w.send(worker, "/publicity 不存在小区")
	w.note("Residents may not.")
	w.send(zhang, "/publicity")
	w.press(zhang, 1, "pub:liangmao")
	w.press(worker, 1, "pub:{bad}")
}
