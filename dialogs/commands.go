package dialogs

// Command is one entry of the chat's command menu.
type Command struct {
	Name        string // without the slash
	Description string
}

var residentCommands = []struct {
	name string
	desc msg
}{
	{"vote", msg{"查看改造方案并投票", "See the plan and vote"}},
	{"survey", msg{"填写改造需求调查", "Fill in the renovation survey"}},
	{"report_problem", msg{"反馈问题（可带照片）", "Report a problem (photos welcome)"}},
	{"tally", msg{"本小区统计（如已公示）", "Your compound's tally (when published)"}},
	{"help", msg{"帮助", "Help"}},
	{"cancel", msg{"取消当前操作", "Stop what you are doing"}},
}

// Commands is the command menu residents see, in the language of code
// (Chinese for "" and "zh…", English otherwise). Staff menus per role come
// with the roles issue.
func Commands(code string) []Command {
	l := langOf(code)
	out := make([]Command, len(residentCommands))
	for i, c := range residentCommands {
		out[i] = Command{c.name, c.desc.s(l)}
	}
	return out
}
