package scheduler

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/programme"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

// received is one message the outbox holds for a chat.
type received struct {
	kind renovote.NoticeKind
	at   time.Time // the notice's creation: when the job ran
	text string
}

// TestCalendarWalk walks the seed programme's calendar, 30 April to 31 July
// 2020, in fake time with the real scheduler (cron, claims in the store) on
// the test store: reminders at 19:00 (a second spec at 22:30 lies in the quiet
// hours and sends nothing), at most 3 per household and window with the last
// on the day before the closing day, none after a household answered; the
// phases announced once each after the quiet hours; a digest every morning to
// each worker (their compound) and the bureau (all).
func TestCalendarWalk(t *testing.T) {
	st := storetest.New(t) // outside the bubble: the store's client and server
	ctx := context.Background()
	p := programme.Seed()
	p.Reminders.Specs = []string{"0 19 * * *", "30 22 * * *"}
	if err := st.ApplyProgramme(ctx, p); err != nil {
		t.Fatal(err)
	}
	loc, _ := p.Location()
	at := func(mo time.Month, d, h, m int) time.Time { return time.Date(2020, mo, d, h, m, 0, 0, loc) }
	chatOf := map[int64]renovote.HouseholdRef{}
	for ci, c := range []string{"liangmao", "laozhongyiyuan"} {
		n := 6
		if ci == 1 {
			n = 2
		}
		var hhs []renovote.Household
		for i := range n {
			r := fmt.Sprintf("%d01", i+1)
			hhs = append(hhs, renovote.Household{CompoundID: c, ID: renovote.HouseholdID("1栋", "1单元", r),
				Building: "1栋", Unit: "1单元", Room: r, Owner: fmt.Sprintf("业主%d-%d", ci, i), Area: 6000})
		}
		if _, err := st.ImportRegister(ctx, c, hhs, store.ImportOptions{Actor: "cli:test", Now: at(4, 20, 9, 0)}); err != nil {
			t.Fatal(err)
		}
		for i, h := range hhs {
			id := int64(1001 + 1000*ci + i)
			if err := st.Bind(ctx, id, h.Ref(), 3, at(4, 21, 9, 0)); err != nil {
				t.Fatal(err)
			}
			chatOf[id] = h.Ref()
		}
	}
	const worker, bureau = 501, 601
	for _, m := range []renovote.StaffMember{
		{UserID: worker, Role: renovote.RoleWorker, Compounds: []string{"liangmao"}, AddedBy: "cli:test", Added: at(4, 1, 9, 0)},
		{UserID: bureau, Role: renovote.RoleBureau, AddedBy: "cli:test", Added: at(4, 1, 9, 0)},
	} {
		if err := st.SetStaff(ctx, m); err != nil {
			t.Fatal(err)
		}
	}

	synctest.Test(t, func(t *testing.T) {
		sleepUntil := func(u time.Time) { time.Sleep(time.Until(u)) }
		sleepUntil(at(4, 30, 12, 0))
		s := NewWith(Config{Location: loc, Logger: quiet(), Runs: st, Owner: "walk"})
		if err := s.AddCalendar(st, p, CalendarOptions{PhaseSpec: "0 * * * *"}); err != nil {
			t.Fatal(err)
		}
		s.Start()

		// 2 May 12:00: chat 1002's household answers the survey; 3 May
		// 10:00: chat 1001's household votes.
		sleepUntil(at(5, 2, 12, 0))
		if err := st.SubmitSurvey(ctx, renovote.SurveyAnswer{Ref: chatOf[1002], Actor: "tg:1002", At: time.Now()}, "walk-s1"); err != nil {
			t.Fatal(err)
		}
		sleepUntil(at(5, 3, 10, 0))
		if _, err := st.CastVote(ctx, renovote.VoteCmd{Ref: chatOf[1001], Choice: renovote.ChoiceAgree, Channel: renovote.ChannelChat,
			Actor: "tg:1001", OpID: "walk-v1", ReceiptID: "RCPT1", At: time.Now()}); err != nil {
			t.Fatal(err)
		}
		sleepUntil(at(8, 1, 0, 0))
		s.Stop(ctx)
		synctest.Wait()
	})

	// What each chat received, from the outbox.
	msgs, err := st.ClaimOutbox(ctx, "walk", 100000, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d messages in the outbox", len(msgs))
	got := map[int64][]received{}
	for _, m := range msgs {
		n, err := st.Notice(ctx, m.NoticeID)
		if err != nil {
			t.Fatal(err)
		}
		got[m.ChatID] = append(got[m.ChatID], received{kind: n.Kind, at: n.Created.In(loc), text: m.Text})
	}
	days := func(rs []received, kind renovote.NoticeKind, what string) []string {
		var out []string
		for _, r := range rs {
			if r.kind == kind && strings.Contains(r.text, what) {
				out = append(out, r.at.Format("01-02 15:04"))
			}
		}
		slices.Sort(out)
		return out
	}
	all3Ballot := []string{"05-01 19:00", "05-02 19:00", "05-19 19:00"}
	all3Survey := []string{"05-01 19:00", "05-02 19:00", "05-30 19:00"}
	want := map[int64][2][]string{
		1001: {{"05-01 19:00", "05-02 19:00"}, all3Survey}, // voted on 3 May
		1002: {all3Ballot, {"05-01 19:00"}},                // answered the survey on 2 May
	}
	for id := range chatOf {
		w, ok := want[id]
		if !ok {
			w = [2][]string{all3Ballot, all3Survey}
		}
		var b, sv []string
		for _, r := range got[id] {
			if r.kind != renovote.KindReminder {
				continue
			}
			if strings.Contains(r.text, "/survey") {
				sv = append(sv, r.at.Format("01-02 15:04"))
			} else {
				b = append(b, r.at.Format("01-02 15:04"))
			}
		}
		slices.Sort(b)
		slices.Sort(sv)
		if !slices.Equal(b, w[0]) {
			t.Errorf("chat %d: ballot reminders %v, want %v", id, b, w[0])
		}
		if !slices.Equal(sv, w[1]) {
			t.Errorf("chat %d: survey reminders %v, want %v", id, sv, w[1])
		}
		// Phases: three at 1 May 08:00 (they start at midnight, in the quiet
		// hours), construction on 1 June 08:00; each once.
		ph := days(got[id], renovote.KindNotice, "进入新阶段")
		if want := []string{"05-01 08:00", "05-01 08:00", "05-01 08:00", "06-01 08:00"}; !slices.Equal(ph, want) {
			t.Errorf("chat %d: phase announcements %v, want %v", id, ph, want)
		}
		if len(got[id]) != len(b)+len(sv)+len(ph) {
			t.Errorf("chat %d: %d messages, %d expected", id, len(got[id]), len(b)+len(sv)+len(ph))
		}
		for _, r := range got[id] {
			if h := r.at.Hour(); h >= 21 || h < 8 {
				t.Errorf("chat %d: message at %s, in the quiet hours", id, r.at)
			}
		}
	}

	// Digests: every morning at 08:00, 1 May to 31 July, to each staff member.
	for _, id := range []int64{worker, bureau} {
		ds := days(got[id], renovote.KindDigest, "")
		if len(ds) != 92 || len(got[id]) != 92 || ds[0] != "05-01 08:00" || ds[91] != "07-31 08:00" {
			t.Errorf("staff %d: %d digests (%d messages), %v ... ", id, len(ds), len(got[id]), ds[:min(3, len(ds))])
		}
	}
	for _, r := range got[worker] {
		if strings.Contains(r.text, "老中医院") {
			t.Fatalf("the worker's digest names a compound outside their scope:\n%s", r.text)
		}
		if r.at.Format("01-02") == "05-04" && !strings.Contains(r.text, "粮贸小区：新投票 1，新调查 0") {
			t.Errorf("digest of 4 May:\n%s", r.text)
		}
		if r.at.Format("01-02") == "05-03" && !strings.Contains(r.text, "粮贸小区：新投票 0，新调查 1") {
			t.Errorf("digest of 3 May:\n%s", r.text)
		}
	}
	for _, r := range got[bureau] {
		if !strings.Contains(r.text, "老中医院") || !strings.Contains(r.text, "金融小区") {
			t.Fatalf("the bureau's digest lacks compounds:\n%s", r.text)
		}
	}

	// The quiet-hours job ran every night and sent nothing; the counters
	// stand at the cap.
	hist, err := st.RunHistory(ctx, RemindJob+".1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 93 { // 30 April to 31 July
		t.Errorf("%d runs of the 22:30 job", len(hist))
	}
	for _, h := range hist {
		if h.Outcome != store.RunOK {
			t.Errorf("22:30 run %s: %s %s", h.Tick, h.Outcome, h.Error)
		}
	}
	counts, err := st.ReminderCounts(ctx, "liangmao", renovote.BallotWindow)
	if err != nil {
		t.Fatal(err)
	}
	if counts[chatOf[1001].HouseholdID] != 2 || counts[chatOf[1003].HouseholdID] != 3 {
		t.Errorf("ballot reminder counts %v", counts)
	}
}
