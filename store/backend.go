package store

import (
	"context"
	"time"

	"github.com/renovote/renovote"
)

// Backend is every method the Redis store (*Store) and the SQLite store
// (*sqlstore.Store) share, with the same semantics and errors: what the
// commands run on (cmd/renovote) and what the conformance suite
// (store/storesuite) tests on both.
type Backend interface {
	Ping(ctx context.Context) error
	Close()

	ApplyProgramme(ctx context.Context, p renovote.Programme) error
	Programme(ctx context.Context) (renovote.Programme, error)
	ImportRegister(ctx context.Context, compoundID string, hhs []renovote.Household, opts ImportOptions) (RegisterDiff, error)
	RebuildCounters(ctx context.Context, compoundID string) (renovote.Tally, error)
	Household(ctx context.Context, ref renovote.HouseholdRef) (renovote.Household, error)
	Households(ctx context.Context, compoundID string) ([]renovote.Household, error)

	IssueInvite(ctx context.Context, ref renovote.HouseholdRef, now time.Time) (renovote.Invite, error)
	EnsureInvites(ctx context.Context, compoundID string, now time.Time) ([]renovote.Invite, error)
	RevokeInvite(ctx context.Context, ref renovote.HouseholdRef) error
	ResolveInvite(ctx context.Context, code string) (renovote.HouseholdRef, error)
	Bind(ctx context.Context, userID int64, ref renovote.HouseholdRef, maxMembers int, now time.Time) error
	Binding(ctx context.Context, userID int64) (renovote.HouseholdRef, bool, error)
	Members(ctx context.Context, ref renovote.HouseholdRef) ([]int64, error)
	Unbind(ctx context.Context, userID int64) error
	AddInviteFailure(ctx context.Context, userID int64, at time.Time) error
	InviteFailures(ctx context.Context, userID int64, since time.Time) (int, time.Time, error)

	CastVote(ctx context.Context, cmd renovote.VoteCmd) (renovote.Receipt, error)
	CurrentVote(ctx context.Context, ref renovote.HouseholdRef) (renovote.HouseholdVote, bool, error)
	Votes(ctx context.Context, compoundID string) (map[string]renovote.HouseholdVote, error)
	Tally(ctx context.Context, compoundID string) (renovote.Tally, error)
	Tallies(ctx context.Context, ids []string) ([]renovote.Tally, error)
	Counters(ctx context.Context, ids []string) ([]renovote.Tally, []renovote.SurveyCounts, error)
	Recount(ctx context.Context, compoundID string) (renovote.Tally, error)
	Audit(ctx context.Context, compoundID string, from string, count int) ([]AuditEntry, error)
	AuditLen(ctx context.Context, compoundID string) (int64, error)
	NonVoters(ctx context.Context, compoundID string) ([]renovote.Household, error)

	FirstSeen(ctx context.Context, updateID int64) (bool, error)
	SeenUpdates(ctx context.Context, ids []int64) ([]bool, error)
	UpdatesDone(ctx context.Context, ids []int64) error
	JournalUpdates(ctx context.Context, updates map[int64][]byte, through int64) error
	JournaledUpdates(ctx context.Context) (map[int64][]byte, error)
	JournalDone(ctx context.Context, ids []int64) error
	ClaimUpdate(ctx context.Context, updateID int64, token string, lease time.Duration) (renovote.UpdateClaim, error)
	FinishUpdate(ctx context.Context, updateID int64, token string) error
	ReleaseUpdate(ctx context.Context, updateID int64, token string) error
	GetSession(ctx context.Context, key string) ([]byte, error)
	PutSession(ctx context.Context, key string, data []byte, ttl time.Duration) error
	DeleteSession(ctx context.Context, key string) error

	SubmitSurvey(ctx context.Context, a renovote.SurveyAnswer, opID string) error
	SurveyAnswer(ctx context.Context, ref renovote.HouseholdRef) (renovote.SurveyAnswer, bool, error)
	SurveyAnswers(ctx context.Context, compoundID string) ([]renovote.SurveyAnswer, error)
	SurveyCounts(ctx context.Context, compoundID string) (renovote.SurveyCounts, error)
	RecountSurvey(ctx context.Context, compoundID string) (renovote.SurveyCounts, error)
	SurveyAudit(ctx context.Context, compoundID string) ([]SurveyChange, error)

	FileReport(ctx context.Context, r renovote.Report, opID string) (renovote.Report, error)
	MoveReport(ctx context.Context, compoundID, id string, to renovote.ReportStatus, actor string, at time.Time, opID string) (renovote.Report, error)
	Report(ctx context.Context, compoundID, id string) (renovote.Report, error)
	Reports(ctx context.Context, compoundID string) ([]renovote.Report, error)
	OpenReports(ctx context.Context, compoundID string) ([]renovote.Report, error)
	SetSupervisor(ctx context.Context, userID int64, compoundID string, on bool, by string, at time.Time) error
	IsSupervisor(ctx context.Context, userID int64, compoundID string) (bool, error)
	Supervisors(ctx context.Context, compoundID string) ([]int64, error)
	SupervisorAudit(ctx context.Context, compoundID string) ([]StaffChange, error)

	FileObjection(ctx context.Context, o renovote.Objection, opID string) (renovote.Objection, error)
	AnswerObjection(ctx context.Context, compoundID, id, actor, note string, at time.Time, opID string) (renovote.Objection, error)
	Objection(ctx context.Context, compoundID, id string) (renovote.Objection, error)
	Objections(ctx context.Context, compoundID string) ([]renovote.Objection, error)
	OpenObjections(ctx context.Context, compoundID string) ([]renovote.Objection, error)
	ObjectionAudit(ctx context.Context, compoundID string) ([]ObjectionChange, error)

	SetStaff(ctx context.Context, m renovote.StaffMember) error
	RevokeStaff(ctx context.Context, userID int64, by string, at time.Time) error
	StaffMember(ctx context.Context, userID int64) (renovote.StaffMember, bool, error)
	StaffMembers(ctx context.Context) ([]renovote.StaffMember, error)
	StaffOf(ctx context.Context, compoundID string) ([]renovote.StaffMember, error)
	StaffAudit(ctx context.Context) ([]StaffChange, error)
	CreateStaffInvite(ctx context.Context, inv renovote.StaffInvite) (renovote.StaffInvite, error)
	RedeemStaffInvite(ctx context.Context, code string, userID int64, at time.Time) (renovote.StaffMember, error)
	StaffInvite(ctx context.Context, code string) (renovote.StaffInvite, error)
	AddWorker(ctx context.Context, userID int64, by string, now time.Time) error
	RemoveWorker(ctx context.Context, userID int64, by string, now time.Time) error
	IsWorker(ctx context.Context, userID int64) (bool, error)
	Workers(ctx context.Context) ([]int64, error)

	CreateNotice(ctx context.Context, n renovote.Notice, opID string) (renovote.Notice, error)
	Notice(ctx context.Context, id string) (renovote.Notice, error)
	SetNoticeProgress(ctx context.Context, id string, chatID int64, messageID int) error
	NoticeRecipients(ctx context.Context, compounds, buildings []string, onlyNonVoters bool) ([]int64, error)
	EnqueueNotice(ctx context.Context, id string, recipients []int64) (renovote.Notice, error)
	CancelNotice(ctx context.Context, id, by string, at time.Time) error
	Notices(ctx context.Context, compoundID string, n int) ([]renovote.Notice, error)
	AllNotices(ctx context.Context, n int) ([]renovote.Notice, error)
	DueNotices(ctx context.Context, at time.Time, n int) ([]renovote.Notice, error)
	MarkNoticeLate(ctx context.Context, id string, at time.Time) (bool, error)
	NoticeLate(ctx context.Context, id string) (bool, time.Time, error)
	UnqueuedNotices(ctx context.Context, before time.Time, n int) ([]renovote.Notice, error)
	DeadLetters(ctx context.Context, n int) ([]renovote.DeadLetter, error)
	IsUnreachable(ctx context.Context, chatID int64) (bool, error)
	MarkReachable(ctx context.Context, chatID int64) error
	ClaimOutbox(ctx context.Context, consumer string, n int, minIdle, block time.Duration) ([]renovote.OutMsg, error)
	SettleOutbox(ctx context.Context, m renovote.OutMsg, d renovote.Delivery, detail string, at time.Time) (renovote.Notice, error)
	OutboxQueued(ctx context.Context) (int64, error)

	ReminderTargets(ctx context.Context, compoundID string, kind renovote.WindowKind) ([]ReminderTarget, error)
	TakeReminders(ctx context.Context, compoundID string, kind renovote.WindowKind, opID string, capAt int, households []string) ([]string, error)
	ReminderCounts(ctx context.Context, compoundID string, kind renovote.WindowKind) (map[string]int, error)
	Announced(ctx context.Context, key string) (bool, error)
	MarkAnnounced(ctx context.Context, key string) error
	VotesSince(ctx context.Context, compoundID string, since, until time.Time) (int, error)
	SurveyAnswersSince(ctx context.Context, compoundID string, since, until time.Time) (int, error)

	ClaimRun(ctx context.Context, job string, tick time.Time, owner string, lease time.Duration) (bool, error)
	ExtendRun(ctx context.Context, job string, tick time.Time, owner string, lease time.Duration) (bool, error)
	DoneRun(ctx context.Context, rec RunRecord) error
	RunStatus(ctx context.Context, job string, tick time.Time) (RunState, error)
	RunHistory(ctx context.Context, job string, n int) ([]RunRecord, error)
}

var _ Backend = (*Store)(nil)
