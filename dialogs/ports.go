package dialogs

import (
	"context"
	"time"

	"github.com/renovote/renovote"
)

// The interfaces below are what the conversations need from storage. They speak
// in domain terms (bind a member, cast a vote, tally a compound), so any store
// (Redis today, an embedded one later) can serve them. store.Store implements all.

// Directory reads the programme and its register.
type Directory interface {
	Programme(ctx context.Context) (renovote.Programme, error)
	Household(ctx context.Context, ref renovote.HouseholdRef) (renovote.Household, error)
	Households(ctx context.Context, compoundID string) ([]renovote.Household, error)
}

// Invitations resolve codes and bind Telegram users to households.
type Invitations interface {
	// ResolveInvite returns the household of a code: renovote.ErrNotFound for an
	// unknown code, renovote.ErrRevoked for a revoked one.
	ResolveInvite(ctx context.Context, code string) (renovote.HouseholdRef, error)
	// Bind makes userID a member of ref. Binding again to the same household is a
	// no-op; renovote.ErrAlreadyBound if bound elsewhere, renovote.ErrHouseholdFull
	// if the household has maxMembers members already.
	Bind(ctx context.Context, userID int64, ref renovote.HouseholdRef, maxMembers int, now time.Time) error
	// Binding returns the household userID is bound to, if any.
	Binding(ctx context.Context, userID int64) (renovote.HouseholdRef, bool, error)
	// Members lists the user ids bound to the household.
	Members(ctx context.Context, ref renovote.HouseholdRef) ([]int64, error)
	// AddInviteFailure notes a failed code attempt by userID at time at.
	AddInviteFailure(ctx context.Context, userID int64, at time.Time) error
	// InviteFailures counts userID's failed attempts since the given time and
	// returns the oldest of them.
	InviteFailures(ctx context.Context, userID int64, since time.Time) (n int, oldest time.Time, err error)
}

// Ballots cast votes and read tallies.
type Ballots interface {
	// CastVote sets a household's vote atomically with its counters and audit
	// entry; it is idempotent by cmd.OpID. It checks the compound's ballot window
	// at cmd.At: renovote.ErrBallotNotOpen, renovote.ErrBallotClosed.
	CastVote(ctx context.Context, cmd renovote.VoteCmd) (renovote.Receipt, error)
	// CurrentVote returns the household's current vote, if any.
	CurrentVote(ctx context.Context, ref renovote.HouseholdRef) (renovote.HouseholdVote, bool, error)
	// Tally returns the compound's counters.
	Tally(ctx context.Context, compoundID string) (renovote.Tally, error)
}

// Sessions keep the state of each chat's conversation as opaque bytes.
type Sessions interface {
	// GetSession returns nil, nil when there is none.
	GetSession(ctx context.Context, key string) ([]byte, error)
	PutSession(ctx context.Context, key string, data []byte, ttl time.Duration) error
}

// Staff knows the named members of staff and their roles. Admins come from
// configuration and are not stored.
type Staff interface {
	// StaffMember returns the user's staff record, if they are staff.
	StaffMember(ctx context.Context, userID int64) (renovote.StaffMember, bool, error)
	// StaffMembers lists every named member of staff.
	StaffMembers(ctx context.Context) ([]renovote.StaffMember, error)
	// SetStaff adds a member or changes their role and scope (audited).
	SetStaff(ctx context.Context, m renovote.StaffMember) error
	// RevokeStaff removes a member (audited); renovote.ErrNotFound if not staff.
	RevokeStaff(ctx context.Context, userID int64, by string, at time.Time) error
	// CreateStaffInvite stores a one-time invitation and returns it with its code.
	CreateStaffInvite(ctx context.Context, inv renovote.StaffInvite) (renovote.StaffInvite, error)
	// RedeemStaffInvite makes userID staff with the invitation's role and scope,
	// once: renovote.ErrNotFound for an unknown code, renovote.ErrRevoked for a
	// used or expired one (redeeming again by the same user is a no-op success).
	RedeemStaffInvite(ctx context.Context, code string, userID int64, at time.Time) (renovote.StaffMember, error)
	// StaffOf lists the staff whose scope covers the compound (workers of it,
	// the bureau and stored admins).
	StaffOf(ctx context.Context, compoundID string) ([]renovote.StaffMember, error)

	// The issue-2 calls, kept: a worker is a member with role worker.
	IsWorker(ctx context.Context, userID int64) (bool, error)
	AddWorker(ctx context.Context, userID int64, by string, now time.Time) error
	Workers(ctx context.Context) ([]int64, error)
}

// Notices store notices and queue them to the outbox; the channel adapter
// delivers them.
type Notices interface {
	// CreateNotice stores a notice with a fresh ID, status scheduled (when
	// SendAt is after Created) or sending; idempotent by opID.
	CreateNotice(ctx context.Context, n renovote.Notice, opID string) (renovote.Notice, error)
	Notice(ctx context.Context, id string) (renovote.Notice, error)
	// SetNoticeProgress records the message in the sender's chat that shows
	// the notice's progress.
	SetNoticeProgress(ctx context.Context, id string, chatID int64, messageID int) error
	// NoticeRecipients lists the chats a notice would reach: the bound members
	// of the households of the compounds (narrowed to buildings when given;
	// with onlyNonVoters, to households without a vote), unreachable ones left out.
	NoticeRecipients(ctx context.Context, compounds, buildings []string, onlyNonVoters bool) ([]int64, error)
	// EnqueueNotice queues the notice to each recipient once (a retry or a
	// resumed enqueue adds no duplicate) and marks it sending.
	EnqueueNotice(ctx context.Context, id string, recipients []int64) (renovote.Notice, error)
	// CancelNotice cancels a scheduled notice; renovote.ErrConflict otherwise.
	CancelNotice(ctx context.Context, id, by string, at time.Time) error
	// Notices lists the compound's recent notices, newest first; AllNotices
	// every compound's.
	Notices(ctx context.Context, compoundID string, n int) ([]renovote.Notice, error)
	AllNotices(ctx context.Context, n int) ([]renovote.Notice, error)
	// DeadLetters lists the outbox messages given up on, newest first.
	DeadLetters(ctx context.Context, n int) ([]renovote.DeadLetter, error)
	// IsUnreachable reports whether a chat answered 403 (blocked the bot).
	IsUnreachable(ctx context.Context, chatID int64) (bool, error)
	// NonVoters lists the compound's households (not removed) without a vote,
	// in register order.
	NonVoters(ctx context.Context, compoundID string) ([]renovote.Household, error)
}

// Surveys keep each household's survey answer (the latest counts) and the
// compound's counters.
type Surveys interface {
	// SubmitSurvey replaces the household's answer and moves the compound's
	// counters atomically; it is idempotent by opID. It checks the compound's
	// survey window at a.At: renovote.ErrSurveyNotOpen, renovote.ErrSurveyClosed.
	SubmitSurvey(ctx context.Context, a renovote.SurveyAnswer, opID string) error
	// SurveyAnswer returns the household's current answer, if any.
	SurveyAnswer(ctx context.Context, ref renovote.HouseholdRef) (renovote.SurveyAnswer, bool, error)
	// SurveyCounts returns the compound's counters (Households from the register).
	SurveyCounts(ctx context.Context, compoundID string) (renovote.SurveyCounts, error)
}

// Reports keep problem reports and the compound's supervisors (监理员).
type Reports interface {
	// FileReport stores a new report with status open and a fresh short ID;
	// idempotent by opID (the same report is returned).
	FileReport(ctx context.Context, r renovote.Report, opID string) (renovote.Report, error)
	Report(ctx context.Context, compoundID, id string) (renovote.Report, error)
	// MoveReport changes a report's status (renovote.CanMove), appending to its
	// history; renovote.ErrConflict when the move is not allowed (already
	// resolved, ...). Idempotent by opID.
	MoveReport(ctx context.Context, compoundID, id string, to renovote.ReportStatus, actor string, at time.Time, opID string) (renovote.Report, error)
	// OpenReports lists the compound's reports not resolved, oldest first.
	OpenReports(ctx context.Context, compoundID string) ([]renovote.Report, error)
	// SetSupervisor names (or, with on false, un-names) a resident supervisor
	// of a compound.
	SetSupervisor(ctx context.Context, userID int64, compoundID string, on bool, by string, at time.Time) error
	IsSupervisor(ctx context.Context, userID int64, compoundID string) (bool, error)
}

// Store is everything the conversations use.
type Store interface {
	Directory
	Invitations
	Ballots
	Sessions
	Staff
	Surveys
	Reports
	Notices
}
