package dialogs

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/renovote/renovote"
)

// Roles: a worker acts on their compounds only; the bureau reads everything
// and changes nothing; a resident sees resident commands.
func TestRoles(t *testing.T) { transcript(t, "roles", roles) }

func roles(w *world) {
	w.bind(zhang, ref301)
	w.setStaff(workerJ, renovote.RoleWorker, "jinrong")
	w.setStaff(bureau, renovote.RoleBureau)
	w.setStaff(bureauE, renovote.RoleBureau)
	castAll(w.t, w.be, map[renovote.HouseholdRef]renovote.Choice{ref301: renovote.ChoiceAgree, refJin: renovote.ChoiceDisagree})

	w.note("A worker of 金融小区: its tally, reports, paper ballots; nothing of 粮贸小区.")
	w.send(workerJ, "/help")
	w.send(workerJ, "/tally")
	w.send(workerJ, "/tally 粮贸小区")
	w.send(workerJ, "/survey_results")
	w.send(workerJ, "/survey_results 粮贸小区")
	w.send(workerJ, "/reports")
	w.send(workerJ, "/reports 粮贸小区")
	w.send(workerJ, "/supervisor 101")
	w.send(workerJ, "/paper 粮贸小区 3-2-302 同意")
	w.send(workerJ, "/paper")
	w.send(workerJ, "粮贸小区")
	w.send(workerJ, "2-1-201")
	w.tap(workerJ, "纸质票·同意")
	w.tap(workerJ, "跳过")
	w.tap(workerJ, "确认")
	if v := w.vote(ref("jinrong", "2-1-201")); v.Choice != renovote.ChoiceAgree || v.Actor != "tg:910" {
		w.t.Fatalf("vote = %+v", v)
	}
	w.send(workerJ, "/cancel")

	w.note("The bureau reads tallies, survey results, reports and notices of every compound.")
	w.send(bureau, "/help")
	w.send(bureau, "/tally 粮贸小区")
	w.send(bureau, "/survey_results 粮贸小区")
	w.send(bureau, "/reports")
	w.send(bureau, "/notices")
	w.note("It changes nothing.")
	w.send(bureau, "/paper")
	w.send(bureau, "/paper 粮贸小区 3-2-302 同意")
	w.send(bureau, "/notice")
	w.send(bureau, "/nonvoters 粮贸小区")
	w.send(bureau, "/supervisor 101")
	w.send(bureau, "/addworker 5")
	w.send(bureauE, "/paper")
	w.send(bureauE, "/start")
	if v := w.vote(ref302); v.Choice != "" {
		w.t.Fatalf("vote = %+v", v)
	}

	w.note("A resident may use none of the staff commands.")
	for _, c := range []string{"/paper", "/notice", "/nonvoters", "/staff", "/invite_staff worker 粮贸小区", "/revoke_staff 910",
		"/survey_results", "/reports", "/supervisor 101", "/addworker 101"} {
		w.send(zhang, c)
	}
	w.send(zhang, "/tally")
}

// The command menus per role.
func TestCommandsFor(t *testing.T) {
	names := func(cs []Command) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Name)
			if c.Description == "" {
				t.Errorf("%s has no description", c.Name)
			}
		}
		return out
	}
	for _, c := range []struct {
		role renovote.Role
		want []string
	}{
		{renovote.RoleResident, []string{"vote", "survey", "report_problem", "notices", "myvote", "objection", "help", "cancel"}},
		{renovote.RoleWorker, []string{"vote", "survey", "report_problem", "notices", "myvote", "objection", "tally", "paper", "notice", "nonvoters", "reports", "objections", "survey_results", "report", "publicity", "dashboard", "undelivered", "schedule", "help", "cancel"}},
		{renovote.RoleBureau, []string{"tally", "reports", "objections", "survey_results", "report", "publicity", "dashboard", "notices_all", "undelivered", "schedule", "staff", "invite_staff", "help", "cancel"}},
		{renovote.RoleAdmin, []string{"vote", "survey", "report_problem", "notices", "myvote", "objection", "tally", "paper", "notice", "nonvoters", "reports", "objections", "survey_results",
			"report", "publicity", "dashboard", "supervisor", "notices_all", "undelivered", "schedule", "staff", "invite_staff", "revoke_staff", "addworker", "help", "cancel"}},
		{"nobody", []string{"vote", "survey", "report_problem", "notices", "myvote", "objection", "help", "cancel"}},
	} {
		if got := names(CommandsFor(c.role, "zh")); !slices.Equal(got, c.want) {
			t.Errorf("%q: %v, want %v", c.role, got, c.want)
		}
	}
	if got := Commands("en"); !slices.Equal(names(got), names(CommandsFor(renovote.RoleResident, "en"))) || got[0].Description != "See the plan and vote" {
		t.Errorf("Commands = %+v", got)
	}
	// Every command of a menu is one the engine knows.
	w := newWorld(t, newFakeStore(testProgramme(), testRegister()))
	for _, c := range CommandsFor(renovote.RoleAdmin, "zh") {
		resp := w.send(admin, "/"+c.Name)
		if len(resp.Replies) > 0 && resp.Replies[0].Text == mHint.zh {
			t.Errorf("/%s is not handled", c.Name)
		}
		w.send(admin, "/cancel")
	}
}

// snapshot is the fake store's domain state (sessions aside).
func (f *fakeStore) snapshot() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fmt.Sprintf("votes %v\nstaff %v\ninvites %v\nnotices %v\noutbox %v\nreports %v\nsupervisors %v\nbindings %v\nanswers %v\nunreachable %v\nchanges %v\nstaffLog %v",
		f.votes, f.staff, f.staffInv, f.notices, f.outbox, f.reports, f.supervisors, f.bindings, f.answers, f.unreachable, f.changes, f.staffLog)
}

// Every staff command and button, tried by a resident, a worker of another
// compound and the bureau (where it may only read), and with forged data, is
// refused: nothing changes, and the attempt is logged without personal data.
func TestAuthorization(t *testing.T) {
	f := newFakeStore(testProgramme(), testRegister())
	w := newWorld(t, f)
	ctx := context.Background()
	w.bind(zhang, ref301)
	w.bind(li, ref302)
	w.setStaff(workerJ, renovote.RoleWorker, "jinrong")
	w.setStaff(bureau, renovote.RoleBureau)
	if _, err := f.FileReport(ctx, renovote.Report{CompoundID: "liangmao", Household: ref301, ReporterID: zhang.id, Where: "3",
		Text: "漏水", Status: renovote.ReportOpen, Created: duringBallot}, "test:report"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.CreateNotice(ctx, renovote.Notice{Kind: renovote.KindNotice, Compounds: []string{"liangmao"}, Text: "停水",
		By: "tg:900", ByChat: worker.id, Created: duringBallot, SendAt: duringBallot.Add(48 * 3600e9)}, "test:notice"); err != nil {
		t.Fatal(err)
	}
	// The worker of every compound has a notice draft going on.
	w.send(worker, "/notice")
	_, workerDraft := w.lastData(worker.id, "下一步")
	workerDraftID := strings.Split(workerDraft, ":")[1]

	type try struct {
		u     user
		setup []string // inputs first (commands or texts), not checked
		input string   // a command, or "press <data>"
	}
	var tries []try
	staffCommands := []string{"/paper", "/paper 粮贸小区 3-2-301 同意", "/addworker 101", "/invite_staff worker 粮贸小区",
		"/invite_staff bureau", "/staff", "/revoke_staff 900", "/notice", "/notices_all", "/nonvoters", "/nonvoters 粮贸小区",
		"/supervisor 101", "/supervisor remove 101 粮贸小区", "/survey_results", "/reports"}
	staffButtons := []string{"p:c:liangmao", "p:ok", "p:v:paper:a", "r:a:liangmao:R1", "r:r:liangmao:R1", "n:" + workerDraftID + ":ok",
		"n:abcdef:c:liangmao", "nx:N1", "dd:liangmao", "dr:liangmao"}
	for _, u := range []user{zhang, nobody} {
		for _, c := range staffCommands {
			tries = append(tries, try{u: u, input: c})
		}
		for _, b := range staffButtons {
			tries = append(tries, try{u: u, input: "press " + b})
		}
	}
	for _, c := range []string{"/paper 粮贸小区 3-2-301 同意", "/tally 粮贸小区", "/survey_results 粮贸小区", "/reports 粮贸小区",
		"/supervisor 101", "/supervisor 101 粮贸小区", "/nonvoters 粮贸小区", "/notice 粮贸小区", "/invite_staff worker 金融小区",
		"/staff", "/revoke_staff 900", "/addworker 5 jinrong"} {
		tries = append(tries, try{u: workerJ, input: c})
	}
	for _, b := range []string{"p:c:liangmao", "r:a:liangmao:R1", "r:r:liangmao:R1", "nx:N1", "dd:liangmao", "dr:liangmao",
		"n:" + workerDraftID + ":ok", "n:" + workerDraftID + ":c:liangmao"} {
		tries = append(tries, try{u: workerJ, input: "press " + b})
	}
	tries = append(tries,
		try{u: workerJ, setup: []string{"/paper"}, input: "press p:c:liangmao"},
		try{u: workerJ, setup: []string{"/notice"}, input: "press n:own:c:liangmao"},
	)
	for _, c := range []string{"/paper", "/paper 粮贸小区 3-2-301 同意", "/notice", "/nonvoters", "/nonvoters 粮贸小区",
		"/supervisor 101", "/supervisor remove 101 粮贸小区", "/addworker 5", "/invite_staff bureau", "/revoke_staff 950"} {
		tries = append(tries, try{u: bureau, input: c})
	}
	for _, b := range []string{"p:c:liangmao", "p:ok", "r:a:liangmao:R1", "r:r:liangmao:R1", "nx:N1", "dd:liangmao", "dr:liangmao",
		"n:" + workerDraftID + ":ok"} {
		tries = append(tries, try{u: bureau, input: "press " + b})
	}

	refusals := []string{mNotAllowed.zh, mNotInScope.zh, mNoticeExpired.zh}
	for _, tr := range tries {
		name := fmt.Sprintf("%d %s", tr.u.id, tr.input)
		for _, s := range tr.setup {
			w.send(tr.u, s)
		}
		input := tr.input
		if strings.Contains(input, ":own:") {
			_, d := w.lastData(tr.u.id, "取消")
			input = strings.Replace(input, "own", strings.Split(d, ":")[1], 1)
		}
		before, logged := f.snapshot(), len(w.logs.String())
		var resp Response
		if data, ok := strings.CutPrefix(input, "press "); ok {
			resp = w.press(tr.u, w.lastMsg(tr.u.id), data)
		} else {
			resp = w.send(tr.u, input)
		}
		text := resp.CallbackText
		if len(resp.Replies) > 0 {
			text = resp.Replies[0].Text
		}
		if !slices.Contains(refusals, text) || len(resp.Replies) > 1 {
			t.Errorf("%s: not refused: %+v", name, resp)
		}
		if after := f.snapshot(); after != before {
			t.Errorf("%s changed the store:\n%s", name, diff(before, after))
		}
		log := w.logs.String()[logged:]
		if !strings.Contains(log, `msg="dialogs: refused"`) || !strings.Contains(log, fmt.Sprintf("user=%d ", tr.u.id)) {
			t.Errorf("%s: not logged: %q", name, log)
		}
		for _, personal := range []string{"张三", "李四", "1390000", "someone"} {
			if strings.Contains(log, personal) {
				t.Errorf("%s: the log has personal data: %q", name, log)
			}
		}
		w.send(tr.u, "/cancel")
	}
	if n := len(tries); n < 80 {
		t.Errorf("only %d attempts", n)
	}
}
