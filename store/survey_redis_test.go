package store_test

// Tests of survey that depend on Redis itself (its scripts, keys, clients or
// server); the behaviour shared with the SQLite store is in store/storesuite.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

// A store validates answers against the programme applied now, also when
// another process applied it after this store cached the previous one.
func TestSurveyProgrammeChangedElsewhere(t *testing.T) {
	t.Parallel()
	bot, cli := storetest.NewPair(t)
	ctx := context.Background()
	must(t, cli.ApplyProgramme(ctx, testProgramme()))
	hhs := households(lm, 5)
	_, err := cli.ImportRegister(ctx, lm, hhs, store.ImportOptions{Actor: "cli:test"})
	must(t, err)
	a := answer(hhs[0].Ref(), surveyDuring, []string{"roof_repair"}, nil, []string{"fitness"}, "gt2000")
	must(t, bot.SubmitSurvey(ctx, a, newOp())) // caches the programme

	p := testProgramme()
	p.ContributionBands = []renovote.ContributionBand{{ID: "any", Name: "愿意出资"}}
	p.Menu.Parts[1].Items = slices.DeleteFunc(slices.Clone(p.Menu.Parts[1].Items),
		func(it renovote.MenuItem) bool { return it.ID == "fitness" })
	must(t, cli.ApplyProgramme(ctx, p))
	err = bot.SubmitSurvey(ctx, a, newOp())
	wantErr(t, err, renovote.ErrInvalid)
	if !strings.Contains(err.Error(), `unknown contribution band "gt2000"`) || !strings.Contains(err.Error(), `unknown item "fitness"`) {
		t.Fatalf("error %v", err)
	}
	a.Band, a.Upgrades = "any", nil
	must(t, bot.SubmitSurvey(ctx, a, newOp()))
	// And back: the old programme's revision is recognised again.
	must(t, cli.ApplyProgramme(ctx, testProgramme()))
	wantErr(t, bot.SubmitSurvey(ctx, a, newOp()), renovote.ErrInvalid)
	checkSurvey(t, bot, lm)
}

// Every script call may lose its reply; go-redis retries. Each submission is
// applied exactly once and the counters stay exact.
func TestSurveyLostReplies(t *testing.T) {
	t.Parallel()
	s, lp := lossyStore(t)
	ctx := context.Background()
	must(t, s.ApplyProgramme(ctx, testProgramme()))
	hhs := households(lm, 55)
	_, err := s.ImportRegister(ctx, lm, hhs, store.ImportOptions{Actor: "cli:test", Now: opens})
	must(t, err)
	const n = 400
	rng := rand.New(rand.NewPCG(1, 2))
	answers := make([]renovote.SurveyAnswer, n)
	for i := range answers {
		answers[i] = randomAnswer(rng, hhs[i%len(hhs)].Ref(), surveyDuring.Add(time.Duration(i)*time.Second))
	}
	run(t, 16, n, func(i int) error { return s.SubmitSurvey(ctx, answers[i], fmt.Sprintf("op:%d", i)) })
	checkSurvey(t, s, lm)
	audit, err := s.SurveyAudit(ctx, lm)
	must(t, err)
	if len(audit) != n {
		t.Fatalf("audit has %d entries for %d submissions", len(audit), n)
	}
	if lp.dropped.Load() == 0 {
		t.Fatal("the proxy dropped no reply")
	}
}

// lossyStore returns a store whose script replies are lost now and then
// (see lossyProxy), with go-redis retrying.
func lossyStore(t *testing.T) (*store.Store, *lossyProxy) {
	o := storetest.ClientOptions(t)
	lp := startLossyProxy(t, o.Addr, 0.2)
	o.Addr = lp.ln.Addr().String()
	o.MaxRetries = 12
	o.MinRetryBackoff, o.MaxRetryBackoff = time.Millisecond, 5*time.Millisecond
	o.PoolSize = 16
	rdb := redis.NewClient(o)
	t.Cleanup(func() { rdb.Close() })
	return storetest.NewOn(t, rdb, store.Options{}), lp
}
