package store

import (
	_ "embed"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// Every script is its own file under scripts/, embedded here and run with
// Script.Run (EVALSHA, falling back to EVAL). Scripts get every key in KEYS.

var (
	//go:embed scripts/recompute.lua
	luaRecompute string
	//go:embed scripts/import.lua
	luaImport string
	//go:embed scripts/rebuild.lua
	luaRebuild string
	//go:embed scripts/vote.lua
	luaVote string

	//go:embed scripts/user_claim.lua
	luaUserClaim string
	//go:embed scripts/user_cas.lua
	luaUserCAS string
	//go:embed scripts/bind_add.lua
	luaBindAdd string
	//go:embed scripts/bind_remove.lua
	luaBindRemove string
	//go:embed scripts/invite_set.lua
	luaInviteSet string
	//go:embed scripts/invite_ensure.lua
	luaInviteEnsure string
	//go:embed scripts/invite_revoke.lua
	luaInviteRevoke string
	//go:embed scripts/first_seen.lua
	luaFirstSeen string
	//go:embed scripts/staff_set.lua
	luaStaffSet string
	//go:embed scripts/staff_revoke.lua
	luaStaffRevoke string
	//go:embed scripts/staff_redeem.lua
	luaStaffRedeem string
	//go:embed scripts/staff_migrate.lua
	luaStaffMigrate string
	//go:embed scripts/notice_create.lua
	luaNoticeCreate string
	//go:embed scripts/notice_progress.lua
	luaNoticeProgress string
	//go:embed scripts/notice_enqueue.lua
	luaNoticeEnqueue string
	//go:embed scripts/notice_cancel.lua
	luaNoticeCancel string
	//go:embed scripts/outbox_claim.lua
	luaOutboxClaim string
	//go:embed scripts/outbox_settle.lua
	luaOutboxSettle string
	//go:embed scripts/survey_lib.lua
	luaSurveyLib string
	//go:embed scripts/survey.lua
	luaSurvey string
	//go:embed scripts/report_file.lua
	luaReportFile string
	//go:embed scripts/report_move.lua
	luaReportMove string
	//go:embed scripts/supervisor.lua
	luaSupervisor string
)

// surveyLib defines MAX_URGENT from the domain, then the survey functions.
var surveyLib = "local MAX_URGENT = " + strconv.Itoa(renovote.MaxUrgent) + "\n" + luaSurveyLib

var (
	scriptImport       = redis.NewScript(luaRecompute + "\n" + surveyLib + "\n" + luaImport)
	scriptRebuild      = redis.NewScript(luaRecompute + "\n" + surveyLib + "\n" + luaRebuild)
	scriptVote         = redis.NewScript(luaVote)
	scriptUserClaim    = redis.NewScript(luaUserClaim)
	scriptUserCAS      = redis.NewScript(luaUserCAS)
	scriptBindAdd      = redis.NewScript(luaBindAdd)
	scriptBindRemove   = redis.NewScript(luaBindRemove)
	scriptInviteSet    = redis.NewScript(luaInviteSet)
	scriptInviteEnsure = redis.NewScript(luaInviteEnsure)
	scriptInviteRevoke = redis.NewScript(luaInviteRevoke)
	scriptFirstSeen    = redis.NewScript(luaFirstSeen)
	scriptStaffSet     = redis.NewScript(luaStaffSet)
	scriptStaffRevoke  = redis.NewScript(luaStaffRevoke)
	scriptStaffRedeem  = redis.NewScript(luaStaffRedeem)
	scriptStaffMigrate = redis.NewScript(luaStaffMigrate)
	scriptSurvey       = redis.NewScript(surveyLib + "\n" + luaSurvey)
	scriptReportFile   = redis.NewScript(luaReportFile)
	scriptReportMove   = redis.NewScript(luaReportMove)
	scriptSupervisor   = redis.NewScript(luaSupervisor)

	scriptNoticeCreate   = redis.NewScript(luaNoticeCreate)
	scriptNoticeProgress = redis.NewScript(luaNoticeProgress)
	scriptNoticeEnqueue  = redis.NewScript(luaNoticeEnqueue)
	scriptNoticeCancel   = redis.NewScript(luaNoticeCancel)
	scriptOutboxClaim    = redis.NewScript(luaOutboxClaim)
	scriptOutboxSettle   = redis.NewScript(luaOutboxSettle)
)
