package dialogs

import "github.com/renovote/renovote"

// scheduleCommand is /schedule: staff (workers, the bureau, admins) see the
// scheduled jobs, their next runs and their last runs with the outcome, as
// `renovote schedule` shows them. Not in the command menus.
func (t *turn) scheduleCommand() (Response, error) {
	m, err := t.member()
	if err != nil {
		return t.fail("schedule", err)
	}
	if m.Role == renovote.RoleResident {
		return t.say(mNotAllowed.s(t.l)), nil
	}
	p, err := t.e.store.Programme(t.ctx)
	if err != nil {
		return t.fail("schedule", err)
	}
	var es []ScheduleEntry
	if t.e.schedule != nil {
		if es, err = t.e.schedule(t.ctx, t.now); err != nil {
			return t.fail("schedule", err)
		}
	}
	return t.say(ScheduleText(t.in.Lang, p, es)), nil
}
