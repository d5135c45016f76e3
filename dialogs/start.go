package dialogs

import (
	"errors"
	"strings"
	"time"

	"github.com/renovote/renovote"
)

// /start, /start <code>, and the confirmation buttons "b:y" / "b:n"; a code
// with renovote.StaffInvitePrefix is a staff invitation (staffinvite.go).

// start greets the user, or begins binding with an invitation code.
func (t *turn) start() (Response, error) {
	code := strings.TrimSpace(t.in.Args)
	if code == "" {
		return t.greeting()
	}
	st := t.e.store
	n, oldest, err := st.InviteFailures(t.ctx, t.in.UserID, t.now.Add(-time.Hour))
	if err != nil {
		return t.fail("count invite failures", err)
	}
	if n >= t.e.maxFailures {
		t.s = Session{}
		return t.say(mTooManyAttempts.f(t.l, waitMinutes(oldest, t.now))), nil
	}
	if rest, ok := strings.CutPrefix(code, renovote.StaffInvitePrefix); ok {
		return t.staffStart(rest)
	}
	if !renovote.ValidInviteCode(code) {
		return t.inviteFailed(mInviteInvalid)
	}
	ref, err := st.ResolveInvite(t.ctx, code)
	switch {
	case errors.Is(err, renovote.ErrNotFound):
		return t.inviteFailed(mInviteInvalid)
	case errors.Is(err, renovote.ErrRevoked):
		return t.inviteFailed(mInviteRevoked)
	case err != nil:
		return t.fail("resolve invite", err)
	}
	p, c, h, err := t.household(ref)
	if err != nil {
		return t.fail("load household", err)
	}
	if h.Removed {
		t.s = Session{}
		return t.say(mHouseholdRemoved.s(t.l)), nil
	}
	have, bound, err := st.Binding(t.ctx, t.in.UserID)
	if err != nil {
		return t.fail("binding", err)
	}
	if bound {
		t.s = Session{}
		r, err := t.alreadyBound(p, ref, have)
		if err != nil {
			return t.fail("load bound household", err)
		}
		return Response{Replies: []Reply{r}}, nil
	}
	t.s = Session{Flow: flowBind, Code: code}
	return t.sayButtons(mConfirmHousehold.f(t.l, place(t.l, c, h)), t.bindButtons()), nil
}

func (t *turn) bindButtons() [][]Button {
	return [][]Button{
		{{Label: mBtnYesMine.s(t.l), Data: "b:y"}},
		{{Label: mBtnNotMine.s(t.l), Data: "b:n"}},
	}
}

// inviteFailed notes a failed code attempt and says why it failed.
func (t *turn) inviteFailed(m msg) (Response, error) {
	if err := t.e.store.AddInviteFailure(t.ctx, t.in.UserID, t.now); err != nil {
		return t.fail("add invite failure", err)
	}
	t.s = Session{}
	return t.say(m.s(t.l)), nil
}

// waitMinutes is how long until the oldest failure leaves the hour, rounded up.
func waitMinutes(oldest, now time.Time) int {
	d := oldest.Add(time.Hour).Sub(now)
	m := int((d + time.Minute - 1) / time.Minute)
	return max(m, 1)
}

// household loads the programme, the compound and the household of ref.
func (t *turn) household(ref renovote.HouseholdRef) (renovote.Programme, renovote.Compound, renovote.Household, error) {
	p, err := t.e.store.Programme(t.ctx)
	if err != nil {
		return p, renovote.Compound{}, renovote.Household{}, err
	}
	h, err := t.e.store.Household(t.ctx, ref)
	if err != nil {
		return p, renovote.Compound{}, h, err
	}
	c, ok := p.Compound(ref.CompoundID)
	if !ok {
		c = renovote.Compound{ID: ref.CompoundID, Name: ref.CompoundID}
	}
	return p, c, h, nil
}

// alreadyBound answers a user who is bound already: to the household they
// asked for (fine) or to another one (staff must change it).
func (t *turn) alreadyBound(p renovote.Programme, want, have renovote.HouseholdRef) (Reply, error) {
	h, err := t.e.store.Household(t.ctx, have)
	if err != nil {
		return Reply{}, err
	}
	c, _ := p.Compound(have.CompoundID)
	if c.ID == "" {
		c = renovote.Compound{ID: have.CompoundID}
	}
	if have == want {
		return Reply{Text: mAlreadyThisHousehold.f(t.l, place(t.l, c, h)), Buttons: t.voteShowButton()}, nil
	}
	return Reply{Text: mAlreadyOtherHousehold.f(t.l, place(t.l, c, h))}, nil
}

func (t *turn) voteShowButton() [][]Button {
	return [][]Button{{{Label: mBtnGoVote.s(t.l), Data: "v:show"}}}
}

// bindYes binds the user to the household of the pending code.
func (t *turn) bindYes() (Response, error) {
	st := t.e.store
	if t.s.Flow != flowBind || t.s.Code == "" {
		// Maybe this very press was handled before (a retry): say so kindly.
		have, bound, err := st.Binding(t.ctx, t.in.UserID)
		if err != nil {
			return t.fail("binding", err)
		}
		if bound {
			p, err := st.Programme(t.ctx)
			if err != nil {
				return t.fail("programme", err)
			}
			r, err := t.alreadyBound(p, have, have)
			if err != nil {
				return t.fail("load bound household", err)
			}
			r.EditMessageID = t.in.MessageID
			return Response{Replies: []Reply{r}}, nil
		}
		return Response{CallbackText: mBindExpired.s(t.l), CallbackAlert: true}, nil
	}
	ref, err := st.ResolveInvite(t.ctx, t.s.Code)
	switch {
	case errors.Is(err, renovote.ErrNotFound), errors.Is(err, renovote.ErrRevoked):
		t.s = Session{}
		return Response{Replies: []Reply{t.edit(mInviteRevoked.s(t.l), nil)}}, nil
	case err != nil:
		return t.fail("resolve invite", err)
	}
	p, c, h, err := t.household(ref)
	if err != nil {
		return t.fail("load household", err)
	}
	have, bound, err := st.Binding(t.ctx, t.in.UserID)
	if err != nil {
		return t.fail("binding", err)
	}
	if bound {
		r, err := t.alreadyBound(p, ref, have)
		if err != nil {
			return t.fail("load bound household", err)
		}
		t.s = Session{}
		r.EditMessageID = t.in.MessageID
		return Response{Replies: []Reply{r}}, nil
	}
	err = st.Bind(t.ctx, t.in.UserID, ref, p.Members(), t.now)
	switch {
	case errors.Is(err, renovote.ErrAlreadyBound):
		t.s = Session{}
		return Response{Replies: []Reply{t.edit(mAlreadyBoundElsewhere.s(t.l), nil)}}, nil
	case errors.Is(err, renovote.ErrHouseholdFull):
		t.s = Session{}
		return Response{Replies: []Reply{t.edit(mHouseholdFull.f(t.l, p.Members()), nil)}}, nil
	case errors.Is(err, renovote.ErrRemoved):
		t.s = Session{}
		return Response{Replies: []Reply{t.edit(mHouseholdRemoved.s(t.l), nil)}}, nil
	case err != nil:
		return t.fail("bind", err)
	}
	t.s = Session{}
	return Response{
		Replies:      []Reply{t.edit(mBound.f(t.l, place(t.l, c, h)), t.voteShowButton())},
		CallbackText: mBoundToast.s(t.l),
	}, nil
}

// bindNo drops the pending code.
func (t *turn) bindNo() (Response, error) {
	if t.s.Flow != flowBind {
		return t.expired(), nil
	}
	t.s = Session{}
	return Response{Replies: []Reply{t.edit(mBindDeclined.s(t.l), nil)}}, nil
}

// bindReminder answers text typed while the confirmation buttons wait.
func (t *turn) bindReminder() Response {
	return t.sayButtons(mBindReminder.s(t.l), t.bindButtons())
}

// greeting answers /start without a code.
func (t *turn) greeting() (Response, error) {
	t.s = Session{}
	st := t.e.store
	p, err := st.Programme(t.ctx)
	if err != nil {
		return t.fail("programme", err)
	}
	ref, bound, err := st.Binding(t.ctx, t.in.UserID)
	if err != nil {
		return t.fail("binding", err)
	}
	m, err := t.member()
	if err != nil {
		return t.fail("staff member", err)
	}
	var b strings.Builder
	b.WriteString(mGreeting.f(t.l, p.Name))
	var buttons [][]Button
	if bound {
		_, c, h, err := t.household(ref)
		if err != nil {
			return t.fail("load household", err)
		}
		b.WriteString("\n\n" + mGreetingBound.f(t.l, place(t.l, c, h)))
		buttons = t.voteShowButton()
	} else {
		b.WriteString("\n\n" + mGreetingUnbound.s(t.l))
	}
	if m.Role != renovote.RoleResident {
		b.WriteString("\n\n" + t.staffHelp(m.Role))
	}
	return t.sayButtons(b.String(), buttons), nil
}
