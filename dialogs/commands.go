package dialogs

import (
	"strings"

	"github.com/renovote/renovote"
)

// Command is one entry of the chat's command menu.
type Command struct {
	Name        string // without the slash
	Description string
}

// menu lists every command of the menus, in menu order, with the roles whose
// menu shows it: r resident, w worker, b bureau, a admin.
var menu = []struct {
	name  string
	roles string
	desc  msg
}{
	{"vote", "rwa", msg{"查看改造方案并投票", "See the plan and vote"}},
	{"survey", "rwa", msg{"填写改造需求调查", "Fill in the renovation survey"}},
	{"report_problem", "rwa", msg{"反馈问题（可带照片）", "Report a problem (photos welcome)"}},
	{"notices", "rwa", msg{"通知", "Notices"}},
	{"myvote", "rwa", msg{"查看本户的表决记录", "See what is recorded for my household"}},
	{"objection", "rwa", msg{"对本户记录提出异议（公示期内）", "Object to my household's record (public notice period)"}},
	{"tally", "wba", msg{"投票统计", "Tallies"}},
	{"paper", "wa", msg{"录入纸质票或委托书", "Enter a paper ballot or proxy"}},
	{"notice", "wa", msg{"给住户发通知", "Send residents a notice"}},
	{"nonvoters", "wa", msg{"未投票住户名单（扫楼）", "Households that have not voted"}},
	{"reports", "wba", msg{"问题反馈", "Problem reports"}},
	{"objections", "wba", msg{"居民的异议（公示期）", "Residents' objections (public notice)"}},
	{"survey_results", "wba", msg{"调查结果", "Survey results"}},
	{"report", "wba", msg{"住建局报表（可下载表格）", "Bureau report (spreadsheet)"}},
	{"publicity", "wba", msg{"表决结果公示（可打印）", "Public notice of the ballot (printable)"}},
	{"dashboard", "wba", msg{"网页看板（实时统计）", "Web dashboard (live tallies)"}},
	{"supervisor", "a", msg{"设民间监理员", "Name a resident supervisor"}},
	{"notices_all", "ba", msg{"全部通知和送达情况", "Every notice and its delivery"}},
	{"undelivered", "wba", msg{"未能送达的消息", "Messages that could not be delivered"}},
	{"schedule", "wba", msg{"定时任务：下次和上次运行", "Scheduled jobs: next and last runs"}},
	{"staff", "ba", msg{"工作人员名单", "Staff"}},
	{"invite_staff", "ba", msg{"邀请工作人员", "Invite staff"}},
	{"revoke_staff", "a", msg{"取消工作人员", "Revoke a member of staff"}},
	{"addworker", "a", msg{"添加工作人员", "Add a worker"}},
	{"help", "rwba", msg{"帮助", "Help"}},
	{"cancel", "rwba", msg{"取消当前操作", "Stop what you are doing"}},
}

// CommandsFor is the command menu of a role, in the language of code
// (Chinese for "" and "zh…", English otherwise): residents vote, survey,
// report_problem, notices, myvote, objection, help, cancel; workers add
// tally, paper, notice, nonvoters, reports, objections, survey_results,
// report, publicity; the bureau has tally, survey_results, report, reports,
// objections, publicity, notices_all, staff, invite_staff, help, cancel; admins have every
// command. The channel adapter sets it per chat. An unknown role gets the
// residents' menu.
func CommandsFor(role renovote.Role, code string) []Command {
	key := map[renovote.Role]string{renovote.RoleWorker: "w", renovote.RoleBureau: "b", renovote.RoleAdmin: "a"}[role]
	if key == "" {
		key = "r"
	}
	l := langOf(code)
	var out []Command
	for _, c := range menu {
		if strings.Contains(c.roles, key) {
			out = append(out, Command{c.name, c.desc.s(l)})
		}
	}
	return out
}

// Commands is the command menu residents see (CommandsFor a resident), the
// default of every chat.
func Commands(code string) []Command { return CommandsFor(renovote.RoleResident, code) }
