package store_test

import (
	"testing"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storesuite"
)

// The suite's fixture and helpers under the names the Redis-only tests of
// this package have always used (they moved to store/storesuite with the
// behaviour tests).

// setup returns a Redis store with the fixture programme applied and every
// register imported.
func setup(t testing.TB) (*store.Store, map[string][]renovote.Household) {
	t.Helper()
	s, regs := storesuite.Setup(t)
	return s.(*store.Store), regs
}

const (
	small = storesuite.Small
	lm    = storesuite.LM
	lzy   = storesuite.LZY
)

var (
	opens, closes, during   = storesuite.Opens, storesuite.Closes, storesuite.During
	surveyDuring, pubDuring = storesuite.SurveyDuring, storesuite.PubDuring
	sizes                   = storesuite.Sizes

	must               = storesuite.Must
	wantErr            = storesuite.WantErr
	cmd                = storesuite.Cmd
	testProgramme      = storesuite.FixtureProgramme
	publicityProgramme = storesuite.PublicityProgramme
	households         = storesuite.FixtureHouseholds
	checkTally         = storesuite.CheckTally
	checkSurvey        = storesuite.CheckSurvey
	checkCounters      = storesuite.CheckCounters
	voteAndAnswer      = storesuite.VoteAndAnswer
	answer             = storesuite.Answer
	randomAnswer       = storesuite.RandomAnswer
	newOp              = storesuite.NewOp
	nextOp             = storesuite.NextOp
	newReport          = storesuite.NewReport
	newObjection       = storesuite.NewObjection
	claim              = storesuite.Claim
	notice             = storesuite.NoticeOf
	createNotice       = storesuite.CreateNotice
	enqueued           = storesuite.Enqueued
	member             = storesuite.Member
	ops                = storesuite.Ops
	invite             = storesuite.InviteOf
	ids                = storesuite.IDs
	run                = storesuite.RunConcurrently
	envRedisURL        = storesuite.EnvRedisURL
)

const (
	A = renovote.ChoiceAgree
	D = renovote.ChoiceDisagree
)
