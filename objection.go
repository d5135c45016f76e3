package renovote

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Objections (异议) during the public notice of a tally (公示期): a resident who
// finds that what was recorded for their household (choice, channel, time) is
// wrong says so in writing; the compound's workers see every open objection
// and mark it handled (answered), and the resident is told.

// MaxObjectionRunes bounds an objection's text, and MaxObjectionNoteRunes the
// note staff may add when they answer it.
const (
	MaxObjectionRunes     = 500
	MaxObjectionNoteRunes = 500
)

// ObjectionStatus is where an objection stands.
type ObjectionStatus string

const (
	ObjectionOpen     ObjectionStatus = "open"     // 待处理
	ObjectionAnswered ObjectionStatus = "answered" // 已处理
)

// Objection is one resident's objection to what was recorded for their
// household, filed in the compound's publicity window.
type Objection struct {
	ID         string          `json:"id"` // short, per compound: "O3"
	CompoundID string          `json:"compound"`
	Household  HouseholdRef    `json:"household"`
	UserID     int64           `json:"user"` // who filed it (Telegram user id)
	Text       string          `json:"text"` // as typed: data, shown back as plain text
	Created    time.Time       `json:"created"`
	Status     ObjectionStatus `json:"status"`
	// Set when answered: who (an actor such as "tg:<user id>"), when, and an
	// optional note for the resident.
	AnsweredBy string    `json:"answered_by,omitempty"`
	Answered   time.Time `json:"answered,omitzero"`
	Note       string    `json:"note,omitempty"`
}

// Validate checks a new objection: its household, who filed it and its text
// (not blank, valid UTF-8, at most MaxObjectionRunes characters).
func (o Objection) Validate() error {
	v := &ValidationError{What: "objection"}
	if o.CompoundID == "" || o.Household.CompoundID != o.CompoundID || o.Household.HouseholdID == "" {
		v.Add("household", "missing or of another compound")
	}
	if o.UserID == 0 {
		v.Add("user", "missing")
	}
	validateObjectionText("text", o.Text, MaxObjectionRunes, true, v)
	if o.Status != "" && o.Status != ObjectionOpen && o.Status != ObjectionAnswered {
		v.Add("status", fmt.Sprintf("%q is not open or answered", o.Status))
	}
	return v.Err()
}

// Answer returns the objection answered by actor at at, with an optional
// note: ErrConflict when it is not open, ErrInvalid for a missing actor or
// time or a note that is too long.
func (o Objection) Answer(actor, note string, at time.Time) (Objection, error) {
	if o.Status != ObjectionOpen {
		return o, fmt.Errorf("objection %s is %s: %w", o.ID, o.Status, ErrConflict)
	}
	v := &ValidationError{What: "objection answer"}
	if actor == "" {
		v.Add("actor", "missing")
	}
	if at.IsZero() {
		v.Add("at", "missing")
	}
	validateObjectionText("note", note, MaxObjectionNoteRunes, false, v)
	if err := v.Err(); err != nil {
		return o, err
	}
	o.Status, o.AnsweredBy, o.Answered, o.Note = ObjectionAnswered, actor, at, note
	return o, nil
}

func validateObjectionText(path, s string, limit int, required bool, v *ValidationError) {
	switch {
	case !utf8.ValidString(s):
		v.Add(path, "not valid UTF-8")
	case required && strings.TrimSpace(s) == "":
		v.Add(path, "missing")
	case utf8.RuneCountInString(s) > limit:
		v.Add(path, fmt.Sprintf("%d characters, at most %d", utf8.RuneCountInString(s), limit))
	}
}
