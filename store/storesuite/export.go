package storesuite

import (
	"testing"

	"github.com/renovote/renovote"
)

// The fixture and helpers of the suite, for the tests a store keeps for
// itself (the Redis store's tests of its scripts, keys and clients).

// Setup returns a store of the backend with the fixture programme applied
// and every register imported.
func Setup(t testing.TB) (Store, map[string][]renovote.Household) { return setup(t) }

// Compounds of the fixture programme.
const (
	Small = small
	LM    = lm
	LZY   = lzy
)

// Times of the fixture programme's windows.
var (
	Opens, Closes, During   = opens, closes, during
	SurveyDuring, PubDuring = surveyDuring, pubDuring
	Sizes                   = sizes
)

// Helpers.
var (
	Must               = must
	WantErr            = wantErr
	Cmd                = cmd
	FixtureProgramme   = testProgramme
	PublicityProgramme = publicityProgramme
	FixtureHouseholds  = households
	CheckTally         = checkTally
	CheckSurvey        = checkSurvey
	CheckCounters      = checkCounters
	VoteAndAnswer      = voteAndAnswer
	Answer             = answer
	RandomAnswer       = randomAnswer
	NewOp              = newOp
	NextOp             = nextOp
	NewReport          = newReport
	NewObjection       = newObjection
	Claim              = claim
	NoticeOf           = notice
	CreateNotice       = createNotice
	Enqueued           = enqueued
	Member             = member
	Ops                = ops
	InviteOf           = invite
	IDs                = ids
	RunConcurrently    = run
	EnvRedisURL        = envRedisURL
)
