package storedump

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/renovote/renovote"
)

// Version is the format of a Dump.
const Version = 1

// Dump is a whole store.
type Dump struct {
	Version   int                 `json:"version"`
	Programme *renovote.Programme `json:"programme,omitempty"`
	// Retired are compounds of earlier programmes (not in Programme), kept
	// with their data and refusing new votes.
	Retired   []renovote.Compound `json:"retired,omitempty"`
	Compounds []Compound          `json:"compounds"` // the data of every compound, current and retired

	Staff        []renovote.StaffMember `json:"staff"`
	StaffAudit   []StaffChange          `json:"staff_audit"`
	StaffInvites []renovote.StaffInvite `json:"staff_invites"` // kept ones, used or not

	Notices     []Notice              `json:"notices"`
	NoticeSeq   int64                 `json:"notice_seq"`
	Outbox      []renovote.OutMsg     `json:"outbox"` // unsent, oldest first (IDs and Attempts not kept)
	Unreachable []int64               `json:"unreachable"`
	DeadLetters []renovote.DeadLetter `json:"dead_letters"` // newest first
	Announced   []string              `json:"announced"`
	// RunHistory is each job's finished runs, newest first, as the stores
	// keep them (store.RunRecord JSON).
	RunHistory map[string][]json.RawMessage `json:"run_history"`
}

// Compound is one compound's data.
type Compound struct {
	ID              string                            `json:"id"`
	Households      []renovote.Household              `json:"households"` // removed ones too
	Votes           map[string]renovote.HouseholdVote `json:"votes"`
	VoteAudit       []renovote.VoteChange             `json:"vote_audit"` // oldest first
	RegisterAudit   []RegisterImport                  `json:"register_audit"`
	Members         map[string][]int64                `json:"members"` // household -> bound users
	Invites         []Invite                          `json:"invites"` // current ones (revoked: no code)
	Survey          []renovote.SurveyAnswer           `json:"survey"`  // current answers, removed households' too
	SurveyAudit     []SurveyChange                    `json:"survey_audit"`
	Reports         []renovote.Report                 `json:"reports"`
	ReportSeq       int64                             `json:"report_seq"`
	Supervisors     []int64                           `json:"supervisors"`
	SupervisorAudit []StaffChange                     `json:"supervisor_audit"`
	Objections      []renovote.Objection              `json:"objections"`
	ObjectionSeq    int64                             `json:"objection_seq"`
	ObjectionAudit  []ObjectionChange                 `json:"objection_audit"`
	// Reminders counts the reminders sent, by window kind and household.
	Reminders map[renovote.WindowKind]map[string]int `json:"reminders"`
}

// RegisterImport is one entry of a compound's register audit.
type RegisterImport struct {
	Actor                                       string `json:"actor"`
	At                                          string `json:"at"`
	Added, Updated, Unchanged, Missing, Removed int64
}

// Invite is a household's current invitation; Revoked with no code when it
// was revoked and not reissued.
type Invite struct {
	HouseholdID string    `json:"household"`
	Code        string    `json:"code"`
	Issued      time.Time `json:"issued"`
	Revoked     bool      `json:"revoked"`
}

// SurveyChange is one entry of a compound's survey audit.
type SurveyChange struct {
	HouseholdID string    `json:"household"`
	Actor       string    `json:"actor"`
	At          time.Time `json:"at"`
	OpID        string    `json:"op"`
	Replaced    bool      `json:"replaced"`
}

// StaffChange is one entry of the staff audit or a compound's supervisor audit.
type StaffChange struct {
	Op        string    `json:"op"`
	Role      string    `json:"role"`
	Compounds []string  `json:"compounds,omitempty"`
	UserID    int64     `json:"user"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

// ObjectionChange is one entry of a compound's objection audit.
type ObjectionChange struct {
	Op          string    `json:"op"`
	ID          string    `json:"id"`
	HouseholdID string    `json:"household"`
	UserID      int64     `json:"user"`
	Actor       string    `json:"actor"`
	At          time.Time `json:"at"`
	OpID        string    `json:"op_id"`
}

// Notice is a notice with its whole delivery state.
type Notice struct {
	renovote.Notice
	Enqueued    bool      `json:"enqueued"` // the last enqueue batch ran
	LateAt      time.Time `json:"late_at,omitzero"`
	CancelledBy string    `json:"cancelled_by,omitempty"`
	CancelledAt time.Time `json:"cancelled_at,omitzero"`
	Queued      []int64   `json:"queued"`  // chats queued, each once
	Settled     []int64   `json:"settled"` // chats with an outcome
}

// Exporter reads a whole store.
type Exporter interface {
	Export(ctx context.Context) (Dump, error)
}

// Importer writes a dump into an empty store.
type Importer interface {
	Import(ctx context.Context, d Dump) error
}

// ErrNotEmpty: Import refuses a store that holds a programme or staff.
var ErrNotEmpty = errors.New("target store is not empty")

// Copy exports from and imports into to, which must be empty.
func Copy(ctx context.Context, from Exporter, to Importer) (Dump, error) {
	d, err := from.Export(ctx)
	if err != nil {
		return d, fmt.Errorf("copy store: export: %w", err)
	}
	if d.Version != Version {
		return d, fmt.Errorf("copy store: dump version %d, want %d: %w", d.Version, Version, renovote.ErrInvalid)
	}
	if err := to.Import(ctx, d); err != nil {
		return d, fmt.Errorf("copy store: import: %w", err)
	}
	return d, nil
}
