package dialogs

import (
	"strconv"
	"strings"
)

// Who is staff, /addworker and /help.

func (t *turn) isAdmin() bool { return t.e.admins[t.in.UserID] }

// isStaff: an admin from the configuration or a worker from the store.
func (t *turn) isStaff() (bool, error) {
	if t.isAdmin() {
		return true, nil
	}
	return t.e.store.IsWorker(t.ctx, t.in.UserID)
}

// addWorker answers "/addworker <user id>" (admins only).
func (t *turn) addWorker() (Response, error) {
	if !t.isAdmin() {
		return t.say(mNotAllowed.s(t.l)), nil
	}
	id, err := strconv.ParseInt(strings.TrimSpace(t.in.Args), 10, 64)
	if err != nil || id <= 0 {
		return t.say(mAddWorkerUsage.s(t.l)), nil
	}
	if err := t.e.store.AddWorker(t.ctx, id, t.actor(), t.now); err != nil {
		return t.fail("add worker", err)
	}
	return t.say(mWorkerAdded.f(t.l, id)), nil
}

// help lists the commands the user may use.
func (t *turn) help() (Response, error) {
	staff, err := t.isStaff()
	if err != nil {
		return t.fail("is worker", err)
	}
	text := mHelpResident.s(t.l)
	if staff {
		text += "\n\n" + t.staffHelp()
	}
	return t.say(text), nil
}

func (t *turn) staffHelp() string {
	s := mHelpStaff.s(t.l)
	if t.isAdmin() {
		s += "\n" + mHelpAdmin.s(t.l)
	}
	return s
}
