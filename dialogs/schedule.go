package dialogs

import "github.com/renovote/renovote"

// scheduleCommand is /schedule: staff (workers, the bureau, admins) see the
// scheduled jobs, their next runs and their last runs with the outcome, as
// `renovote schedule` shows them.
func (t *turn) scheduleCommand() (Response, error) {
	m, err := t.member()
	if err != nil {
		return t.fail("schedule", err)
	}
	if !m.Role.Can(renovote.ActResults) {
		return t.denied(m), nil
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
