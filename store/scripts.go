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
	//go:embed scripts/staff.lua
	luaStaff string
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
	scriptStaff        = redis.NewScript(luaStaff)
	scriptSurvey       = redis.NewScript(surveyLib + "\n" + luaSurvey)
	scriptReportFile   = redis.NewScript(luaReportFile)
	scriptReportMove   = redis.NewScript(luaReportMove)
	scriptSupervisor   = redis.NewScript(luaSupervisor)
)
