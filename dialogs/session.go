package dialogs

import (
	"encoding/json"
	"time"

	"github.com/renovote/renovote"
)

// Session is the state of one chat's conversation between inputs. The zero
// Session means no flow is going on. Handle stores it as JSON under
// SessionKey(chat id) with the configured TTL.
type Session struct {
	// Flow is the conversation going on: "" (none), "bind" or "paper".
	Flow string `json:"flow,omitempty"`

	// Code is the invitation code waiting for the household to be confirmed
	// (flow "bind"). It is never logged.
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

	// Updated is when the session last changed; an older session than the
	// TTL is dropped by Step.
	Updated time.Time `json:"updated,omitzero"`
}

// Flows.
const (
	flowBind  = "bind"
	flowPaper = "paper"
)

// Steps of the paper flow.
const (
	stepCompound  = "compound"  // waiting for p:c:<id> or a typed compound name
	stepHousehold = "household" // waiting for a typed building-unit-room
	stepChoice    = "choice"    // waiting for p:v:<channel>:<a|d>
	stepEvidence  = "evidence"  // waiting for a photo or p:skip
	stepConfirm   = "confirm"   // waiting for p:ok or p:x
)

func (s Session) isZero() bool { return s == Session{} }

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
