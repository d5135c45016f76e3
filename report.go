package renovote

import (
	"fmt"
	"time"
)

// Problem reports (民间监理员): residents report problems of their building or
// of the compound's public areas, with photos; workers acknowledge and resolve
// them, and the reporter is told at each change.

// ReportStatus is where a problem report stands.
type ReportStatus string

const (
	ReportOpen         ReportStatus = "open"
	ReportAcknowledged ReportStatus = "acknowledged"
	ReportResolved     ReportStatus = "resolved"
)

// PublicArea is the Where of a report about the compound's public areas.
const PublicArea = "public"

// Report is one problem report.
type Report struct {
	ID         string       `json:"id"` // short, per compound: "R12"
	CompoundID string       `json:"compound"`
	Household  HouseholdRef `json:"household"` // the reporter's household
	ReporterID int64        `json:"reporter"`  // Telegram user id
	Supervisor bool         `json:"supervisor,omitempty"`
	// Where is a building of the compound, or PublicArea.
	Where   string        `json:"where"`
	Text    string        `json:"text"`
	Photos  []Photo       `json:"photos,omitempty"`
	Status  ReportStatus  `json:"status"`
	Created time.Time     `json:"created"`
	History []ReportEvent `json:"history"`
}

// ReportEvent is one change of a report's status.
type ReportEvent struct {
	Status ReportStatus `json:"status"`
	Actor  string       `json:"actor"`
	At     time.Time    `json:"at"`
	Note   string       `json:"note,omitempty"`
}

// Validate checks a new report.
func (r Report) Validate() error {
	v := &ValidationError{What: "problem report"}
	if r.CompoundID == "" || r.Household.CompoundID != r.CompoundID || r.Household.HouseholdID == "" {
		v.Add("household", "missing or of another compound")
	}
	if r.Where == "" {
		v.Add("where", "missing")
	}
	if r.Text == "" && len(r.Photos) == 0 {
		v.Add("text", "a report needs a description or a photo")
	}
	if n := len([]rune(r.Text)); n > MaxCommentRunes {
		v.Add("text", fmt.Sprintf("%d characters, at most %d", n, MaxCommentRunes))
	}
	validatePhotos(r.Photos, v)
	return v.Err()
}

// CanMove reports whether a report may go from status from to status to:
// open → acknowledged → resolved, and open → resolved directly.
func CanMove(from, to ReportStatus) bool {
	switch from {
	case ReportOpen:
		return to == ReportAcknowledged || to == ReportResolved
	case ReportAcknowledged:
		return to == ReportResolved
	}
	return false
}
