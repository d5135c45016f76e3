package dialogs

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/renovote/renovote"
)

// Session is the state of one chat's conversation between inputs. The zero
// Session means no flow is going on. Handle stores it as JSON under
// SessionKey(chat id) with the configured TTL (the survey TTL while a survey
// draft is kept).
type Session struct {
	// Flow is the conversation going on: "" (none), "bind", "paper", "survey",
	// "report", "notice" or "staff" (a staff invitation to accept). Typed
	// text, photos and documents go to it.
	Flow string `json:"flow,omitempty"`

	// Code is the invitation code waiting for the household to be confirmed
	// (flow "bind"), or the staff invitation's code waiting to be accepted
	// (flow "staff", without renovote.StaffInvitePrefix). It is never logged.
	Code string `json:"code,omitempty"`

	// Paper ballot entry (flow "paper"): the step and what was chosen so far.
	Step        string           `json:"step,omitempty"`
	CompoundID  string           `json:"compound,omitempty"`
	HouseholdID string           `json:"household,omitempty"`
	Choice      renovote.Choice  `json:"choice,omitempty"`
	Channel     renovote.Channel `json:"channel,omitempty"`
	Evidence    string           `json:"evidence,omitempty"`
	// DoneUpdate is the update that confirmed the last ballot (its fields are
	// kept until the next household): the same update handled again after a
	// crash replays the vote (same OpID) and shows the same receipt.
	DoneUpdate int64 `json:"done_update,omitempty"`

	// Report is the problem report being written (flow "report").
	Report *ReportDraft `json:"report,omitempty"`

	// Notice is the notice or reminder being composed (flow "notice").
	Notice *NoticeDraft `json:"notice,omitempty"`

	// Objection is the objection being written (flow "objection"). It is
	// never changed in place: a step that changes it sets a new one.
	Objection *ObjectionDraft `json:"objection,omitempty"`

	// Survey is the survey draft. It outlives other flows (a /vote or a
	// /paper in the middle keeps it) and is kept for the survey TTL after its
	// last change; Flow is "survey" while the resident is answering it.
	Survey *SurveyDraft `json:"survey,omitempty"`
	// Finished remembers the update that submitted a survey or filed a
	// report, so that the same update handled again (after a crash) gives the
	// same answer instead of "expired". Kept like Survey.
	Finished *Finished `json:"finished,omitempty"`

	// Updated is when the session last changed; an older session than the
	// TTL is dropped by Step.
	Updated time.Time `json:"updated,omitzero"`
}

// SurveyDraft is a household's survey answer being filled in, step by step.
type SurveyDraft struct {
	// ID is put on the draft's buttons, so that a button of an older draft
	// (cancelled, or replaced by a newer /survey) is recognised as stale.
	ID          string `json:"id"`
	CompoundID  string `json:"compound"`
	HouseholdID string `json:"household"`
	// Step is the index of the current step in surveySteps (the last one is
	// the review).
	Step int `json:"step"`
	// Urgent holds per menu part id the chosen items, most urgent first.
	Urgent   map[string][]string `json:"urgent,omitempty"`
	Upgrades []string            `json:"upgrades,omitempty"`
	// Answered is set once the money question has an answer.
	Answered   bool             `json:"answered,omitempty"`
	Contribute bool             `json:"contribute,omitempty"`
	Band       string           `json:"band,omitempty"`
	Comment    string           `json:"comment,omitempty"`
	Photos     []renovote.Photo `json:"photos,omitempty"`
	// MessageID is the survey message edited step by step (0: not known yet,
	// until the resident presses one of its buttons).
	MessageID int `json:"message,omitempty"`
	// Prefilled is when the household's answer the draft started from was
	// submitted (zero for a fresh draft).
	Prefilled time.Time `json:"prefilled,omitzero"`
	Updated   time.Time `json:"updated,omitzero"`
}

func (d *SurveyDraft) ref() renovote.HouseholdRef {
	return renovote.HouseholdRef{CompoundID: d.CompoundID, HouseholdID: d.HouseholdID}
}

func (d *SurveyDraft) clone() *SurveyDraft {
	if d == nil {
		return nil
	}
	c := *d
	if d.Urgent != nil {
		c.Urgent = make(map[string][]string, len(d.Urgent))
		for k, v := range d.Urgent {
			c.Urgent[k] = slices.Clone(v)
		}
	}
	c.Upgrades = slices.Clone(d.Upgrades)
	c.Photos = slices.Clone(d.Photos)
	return &c
}

// ReportDraft is a problem report being written (flow "report").
type ReportDraft struct {
	ID          string           `json:"id"` // put on its buttons, like SurveyDraft.ID
	CompoundID  string           `json:"compound"`
	HouseholdID string           `json:"household"`
	Where       string           `json:"where,omitempty"` // a building, or renovote.PublicArea
	Text        string           `json:"text,omitempty"`
	Photos      []renovote.Photo `json:"photos,omitempty"`
}

func (d *ReportDraft) ref() renovote.HouseholdRef {
	return renovote.HouseholdRef{CompoundID: d.CompoundID, HouseholdID: d.HouseholdID}
}

func (d *ReportDraft) clone() *ReportDraft {
	if d == nil {
		return nil
	}
	c := *d
	c.Photos = slices.Clone(d.Photos)
	return &c
}

// Finished is the update that completed a survey (Report and Notice empty),
// filed the report Report of compound CompoundID, filed the objection
// Objection of compound CompoundID, or sent (or scheduled) the notice Notice.
type Finished struct {
	Update     int64  `json:"update"`
	CompoundID string `json:"compound,omitempty"`
	Report     string `json:"report,omitempty"`
	Notice     string `json:"notice,omitempty"`
	Objection  string `json:"objection,omitempty"`
}

// Flows.
const (
	flowBind   = "bind"
	flowPaper  = "paper"
	flowSurvey = "survey"
	flowReport = "report"
	flowNotice = "notice"
	// flowStaffInvite waits for a staff invitation to be accepted.
	flowStaffInvite = "staff"
	// flowObjection is an objection being written (Session.Objection).
	flowObjection = "objection"
)

// Steps of the paper flow.
const (
	stepCompound  = "compound"  // waiting for p:c:<id> or a typed compound name
	stepHousehold = "household" // waiting for a typed building-unit-room
	stepChoice    = "choice"    // waiting for p:v:<channel>:<a|d>
	stepEvidence  = "evidence"  // waiting for a photo or p:skip
	stepConfirm   = "confirm"   // waiting for p:ok or p:x
)

// Steps of the report flow.
const (
	stepWhere    = "where"    // waiting for r:w:<tok>:<b|p>
	stepDescribe = "describe" // waiting for text, photos, r:ok:<tok>
)

func (s Session) isZero() bool { return s == Session{} }

// expired reports whether the flow (not the survey draft) is older than ttl.
func (s Session) expired(now time.Time, ttl time.Duration) bool {
	return s.Flow != "" && !s.Updated.IsZero() && now.Sub(s.Updated) > ttl
}

func (s Session) ref() renovote.HouseholdRef {
	return renovote.HouseholdRef{CompoundID: s.CompoundID, HouseholdID: s.HouseholdID}
}

func decodeSession(data []byte) (Session, error) {
	var s Session
	if len(data) == 0 {
		return s, nil
	}
	err := json.Unmarshal(data, &s)
	return s, err
}

func encodeSession(s Session) []byte {
	b, err := json.Marshal(s)
	if err != nil { // cannot happen: plain fields only
		return []byte("{}")
	}
	return b
}
