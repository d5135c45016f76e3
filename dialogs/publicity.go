package dialogs

import (
	"strings"

	"github.com/renovote/renovote"
)

// /publicity [compound] (公示): staff get the printable public notice of a
// compound's tally (Config.Publicity: a self-contained A4 HTML page with the
// counts per rule test, the dates, the publicity window and how to object,
// and no personal data) as a document for the bulletin board. A worker gets
// the compounds of their scope, the bureau and admins every compound. With
// more than one compound and none named, buttons choose it:
//
//	pub:<compound>  send that compound's notice (checked again on the server)

func (t *turn) publicityCommand() (Response, error) {
	m, p, resp, done, err := t.staffAct(renovote.ActResults)
	if done {
		return resp, err
	}
	if t.e.publicity == nil {
		return t.say(mPublicityUnavailable.s(t.l)), nil
	}
	scope := inScope(p, m)
	if arg := strings.TrimSpace(t.in.Args); arg != "" {
		c, ok := p.CompoundByName(arg)
		if !ok {
			return t.say(mPaperUnknownCompound.s(t.l)), nil
		}
		if !m.Covers(c.ID) {
			return t.outOfScope(m, c.ID), nil
		}
		return t.publicityDoc(p, c)
	}
	switch len(scope) {
	case 0:
		return t.say(mPublicityNone.s(t.l)), nil
	case 1:
		return t.publicityDoc(p, scope[0])
	}
	var rows [][]Button
	for i, c := range scope {
		if i == maxTallyCompounds {
			break
		}
		rows = append(rows, []Button{{Label: orID(c.Name, c.ID), Data: "pub:" + c.ID}})
	}
	text := mPublicityChoose.s(t.l)
	if len(scope) > maxTallyCompounds {
		text += "\n" + mPublicityMore.f(t.l, len(scope), maxTallyCompounds)
	}
	return t.sayButtons(text, rows), nil
}

// publicityPress handles "pub:<compound>".
func (t *turn) publicityPress(data string) (Response, error) {
	id := strings.TrimPrefix(data, "pub:")
	if !renovote.ValidID(id) {
		return t.expired(), nil
	}
	m, p, resp, done, err := t.staffAct(renovote.ActResults)
	if done {
		return resp, err
	}
	if t.e.publicity == nil {
		return t.expired(), nil
	}
	if !m.Covers(id) {
		return t.outOfScope(m, id), nil
	}
	c, ok := p.Compound(id)
	if !ok {
		return alert(mPaperUnknownCompound.s(t.l)), nil
	}
	resp, err = t.publicityDoc(p, c)
	if err == nil {
		resp.CallbackText = mPublicitySending.s(t.l)
	}
	return resp, err
}

// publicityDoc sends the compound's notice as a document.
func (t *turn) publicityDoc(p renovote.Programme, c renovote.Compound) (Response, error) {
	name, data, err := t.e.publicity(t.ctx, c.ID, t.now)
	if err != nil {
		return t.fail("publicity", err)
	}
	caption := mPublicityCaption.f(t.l, orID(c.Name, c.ID), fmtTime(t.l, location(p), t.now))
	return Response{Replies: []Reply{{Text: caption, Document: &Document{Name: name, Data: data}}}}, nil
}
