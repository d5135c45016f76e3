package dialogs

import "github.com/renovote/renovote"

// /dashboard: a short-lived signed link to the web dashboard (package web,
// wired as Config.DashboardLink) for staff: the bureau and admins see every
// compound, a worker those of their scope. Residents are refused (and the
// attempt logged). The link is the only way in; it is sent to the member's
// own chat, and its expiry is said.

func (t *turn) dashboardCommand() (Response, error) {
	m, p, resp, done, err := t.staffAct(renovote.ActTally)
	if done {
		return resp, err
	}
	if t.e.dashLink == nil {
		return t.say(mDashboardOff.s(t.l)), nil
	}
	if len(inScope(p, m)) == 0 {
		return t.say(mDashboardNone.s(t.l)), nil
	}
	link, expires, err := t.e.dashLink(m, t.now)
	if err != nil {
		return t.fail("dashboard link", err)
	}
	return t.say(mDashboardLink.f(t.l, memberLabel(t.l, p, m.Role, m.Compounds), link, fmtTime(t.l, location(p), expires))), nil
}

// dashboardHelp is the help line of /dashboard, when the dashboard is on.
func (t *turn) dashboardHelp() string {
	if t.e.dashLink == nil {
		return ""
	}
	return mHelpDashboard.s(t.l)
}
