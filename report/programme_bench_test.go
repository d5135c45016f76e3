package report_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/programme"
	"github.com/renovote/renovote/register"
	"github.com/renovote/renovote/report"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

// The programme of BenchmarkProgrammeReport: 5,000 compounds of 200
// households (1,000,000 households) on real Redis (REDIS_URL). On miniredis,
// which keeps everything in this process and runs the import script in Go's
// Lua, the default is a tenth of it (500 compounds, 100,000 households).
// RENOVOTE_BENCH_PROGRAMME=<compounds>x<households per compound> sets the
// size on either backend, e.g. 5000x20 to see that the summary's cost does
// not change with the households.
const (
	benchCompounds     = 5000
	benchPerCompound   = 200
	benchMiniCompounds = 500
)

func benchSize(b *testing.B) (compounds, per int) {
	if v := os.Getenv("RENOVOTE_BENCH_PROGRAMME"); v != "" {
		c, h, ok := strings.Cut(v, "x")
		compounds, err1 := strconv.Atoi(c)
		per, err2 := strconv.Atoi(h)
		if !ok || err1 != nil || err2 != nil || compounds < 1 || per < 1 {
			b.Fatalf("RENOVOTE_BENCH_PROGRAMME=%q: want <compounds>x<households per compound>, e.g. 5000x200", v)
		}
		return compounds, per
	}
	if storetest.Backend() == "redis" {
		return benchCompounds, benchPerCompound
	}
	b.Logf("miniredis: %d compounds of %d households instead of %d (set REDIS_URL for the full programme, or RENOVOTE_BENCH_PROGRAMME)",
		benchMiniCompounds, benchPerCompound, benchCompounds)
	return benchMiniCompounds, benchPerCompound
}

// benchProgramme is the seed programme with n compounds: the seed's five
// compounds repeated with new ids and names, every third under the Civil
// Code's major-matters rule (area and owner tests in the summary).
func benchProgramme(n, per int) renovote.Programme {
	p := programme.Seed()
	seed := p.Compounds
	major, _ := renovote.PresetRule(renovote.RuleCivilCodeMajor)
	p.Compounds = make([]renovote.Compound, n)
	for i := range p.Compounds {
		c := seed[i%len(seed)]
		c.ID, c.Name, c.PlannedHouseholds = fmt.Sprintf("c%05d", i), fmt.Sprintf("第%05d号小区", i), int64(per)
		if i%3 == 1 {
			c.Rule = major
		}
		p.Compounds[i] = c
	}
	return p
}

// populate writes the programme into st through the store's own API, per
// compound and in parallel: the register (ImportRegister with the seed
// generator's households), a chat vote from every 8th household (agreement
// varying with the compound) and a survey answer from every 40th. The
// counters are the store's, kept by its scripts.
func populate(b *testing.B, st *store.Store, p renovote.Programme) {
	ctx := context.Background()
	if err := st.ApplyProgramme(ctx, p); err != nil {
		b.Fatal(err)
	}
	loc, _ := p.Location()
	imported := time.Date(2020, 4, 20, 9, 0, 0, 0, loc)
	voteAt := time.Date(2020, 5, 10, 9, 0, 0, 0, loc)
	surveyAt := time.Date(2020, 5, 12, 9, 0, 0, 0, loc)
	required := p.Menu.RequiredClasses()
	band := p.Bands()[0].ID

	var next atomic.Int64
	var failed atomic.Pointer[error]
	one := func(ci int) error {
		c := p.Compounds[ci]
		hhs := register.GenerateSeed(renovote.Programme{Compounds: []renovote.Compound{c}}, int64(ci+1))
		if _, err := st.ImportRegister(ctx, c.ID, hhs, store.ImportOptions{Actor: "cli:bench", Now: imported}); err != nil {
			return err
		}
		for i, h := range hhs {
			if i%8 == 0 {
				choice := renovote.ChoiceAgree
				if (i/8+ci)%5 == 0 {
					choice = renovote.ChoiceDisagree
				}
				if _, err := st.CastVote(ctx, renovote.VoteCmd{Ref: h.Ref(), Choice: choice, Channel: renovote.ChannelChat,
					Actor: "tg:1", OpID: fmt.Sprintf("bench:%s:%d", c.ID, i), ReceiptID: fmt.Sprintf("B%d", i),
					At: voteAt}); err != nil {
					return err
				}
			}
			if i%40 != 3 {
				continue
			}
			a := renovote.SurveyAnswer{Ref: h.Ref(), Urgent: map[string][]string{}, Actor: "tg:1", At: surveyAt}
			for pi, part := range p.Menu.Parts {
				var must, up []string
				for _, it := range part.Items {
					if required[it.Class] {
						must = append(must, it.ID)
					} else {
						up = append(up, it.ID)
					}
				}
				k := (i/40 + pi + ci) % len(must)
				a.Urgent[part.ID] = []string{must[k], must[(k+1)%len(must)], must[(k+3)%len(must)]}
				if len(up) > 0 {
					a.Upgrades = append(a.Upgrades, up[(i/40+ci)%len(up)])
				}
			}
			if (i+ci)%3 == 0 {
				a.Contribute, a.Band = true, band
			}
			if err := st.SubmitSurvey(ctx, a, fmt.Sprintf("bench:%s:%d", c.ID, i)); err != nil {
				return err
			}
		}
		return nil
	}
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for failed.Load() == nil {
				ci := int(next.Add(1) - 1)
				if ci >= len(p.Compounds) {
					return
				}
				if err := one(ci); err != nil {
					err = fmt.Errorf("populate %s: %w", p.Compounds[ci].ID, err)
					failed.CompareAndSwap(nil, &err)
				}
			}
		})
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
}

// loop runs op as b.Loop says and reports, besides wall time, the process's
// CPU time per op (cpu-ms/op: the client's side, GC included; the Redis
// server's own time is not in it), which a busy machine does not inflate.
func loop(b *testing.B, op func()) {
	n, cpu := 0, processCPU()
	for b.Loop() {
		op()
		n++
	}
	if n > 0 {
		b.ReportMetric(float64(processCPU()-cpu)/float64(time.Millisecond)/float64(n), "cpu-ms/op")
	}
}

// BenchmarkProgrammeReport measures the bureau's reports of a programme of
// 5,000 compounds and 1,000,000 households (a smaller one on miniredis, see
// benchSize) held in the store under the benchmark's own key prefix, which is
// deleted afterwards. The programme is written once, outside the timed loops.
//
//	Tallies          the tally of every compound (store.Tallies: pipelined)
//	Counters         the tally and survey counters of every compound (store.Counters)
//	TallyEach        every tally, one Tally round trip per compound (for comparison)
//	Summary          report.BuildSummary: 汇总 and 调查结果 from the counters
//	SummaryXLSX      report.XLSX of those tables
//	Workbook         what the bot's /report spreadsheet and `renovote report`
//	                 do: BuildWith at DefaultMaxDetailHouseholds, then XLSX
//	OneCompound      a worker's workbook: one compound with its households
//	Full/Build       report.Build: every household, the cost before the summary
//	Full/XLSX        report.XLSX of those tables (1,000,000 rows in 住户明细)
//
// Skip the heavy ones with -bench 'ProgrammeReport/^[^F]'.
func BenchmarkProgrammeReport(b *testing.B) {
	n, per := benchSize(b)
	st := storetest.New(b)
	p := benchProgramme(n, per)
	start := time.Now()
	populate(b, st, p)
	b.Logf("%s: %d compounds, %d households written in %v", storetest.Backend(), n, n*per, time.Since(start).Round(time.Second))
	ctx := context.Background()
	ids := make([]string, len(p.Compounds))
	for i, c := range p.Compounds {
		ids[i] = c.ID
	}

	b.Run("Tallies", func(b *testing.B) {
		loop(b, func() {
			ts, err := st.Tallies(ctx, ids)
			if err != nil || len(ts) != n || ts[n-1].Households != int64(per) {
				b.Fatalf("%d tallies, %v", len(ts), err)
			}
		})
	})
	b.Run("Counters", func(b *testing.B) {
		loop(b, func() {
			ts, cs, err := st.Counters(ctx, ids)
			if err != nil || len(ts) != n || len(cs) != n {
				b.Fatalf("%d tallies, %d survey counts, %v", len(ts), len(cs), err)
			}
		})
	})
	b.Run("TallyEach", func(b *testing.B) {
		loop(b, func() {
			for _, id := range ids {
				if _, err := st.Tally(ctx, id); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	var summary report.Tables
	b.Run("Summary", func(b *testing.B) {
		loop(b, func() {
			var err error
			if summary, err = report.BuildSummary(ctx, st, p, nil); err != nil {
				b.Fatal(err)
			}
		})
		if len(summary.Summary) != n || summary.LeftOut == nil || summary.LeftOut.Households != int64(n*per) {
			b.Fatalf("summary: %d rows, left out %+v", len(summary.Summary), summary.LeftOut)
		}
		b.ReportMetric(float64(len(summary.Survey)), "survey-rows")
	})
	b.Run("SummaryXLSX", func(b *testing.B) {
		if summary.Summary == nil {
			var err error
			if summary, err = report.BuildSummary(ctx, st, p, nil); err != nil {
				b.Fatal(err)
			}
		}
		var data []byte
		loop(b, func() {
			var err error
			if data, err = report.XLSX(summary); err != nil {
				b.Fatal(err)
			}
		})
		b.ReportMetric(float64(len(data)), "xlsx-bytes")
	})
	b.Run("Workbook", func(b *testing.B) {
		loop(b, func() {
			t, err := report.BuildWith(ctx, st, p, report.Options{Detail: report.All, MaxDetailHouseholds: report.DefaultMaxDetailHouseholds})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := report.XLSX(t); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("OneCompound", func(b *testing.B) {
		one := func(id string) bool { return id == ids[n/2] }
		loop(b, func() {
			t, err := report.BuildWith(ctx, st, p, report.Options{Scope: one, Detail: report.All, Personal: true})
			if err != nil || len(t.Households) != per {
				b.Fatalf("%d households, %v", len(t.Households), err)
			}
			if _, err := report.XLSX(t); err != nil {
				b.Fatal(err)
			}
		})
	})
	var full report.Tables
	b.Run("Full/Build", func(b *testing.B) {
		loop(b, func() {
			var err error
			if full, err = report.Build(ctx, st, p, nil, false); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("Full/XLSX", func(b *testing.B) {
		if len(full.Households) != n*per {
			b.Skipf("no full tables (%d households)", len(full.Households))
		}
		var data []byte
		loop(b, func() {
			var err error
			if data, err = report.XLSX(full); err != nil {
				b.Fatal(err)
			}
		})
		b.ReportMetric(float64(len(data)), "xlsx-bytes")
	})
}

// synthetic is a source of made-up counters for BenchmarkSummaryCPU, made
// once: no store, no network. Its compounds have no households to list.
type synthetic struct {
	tallies map[string]renovote.Tally
	counts  map[string]renovote.SurveyCounts
}

func newSynthetic(p renovote.Programme, per int64) synthetic {
	s := synthetic{tallies: map[string]renovote.Tally{}, counts: map[string]renovote.SurveyCounts{}}
	for i, c := range p.Compounds {
		n := int64(i)
		agree := per * (50 + n%50) / 100
		s.tallies[c.ID] = renovote.Tally{CompoundID: c.ID, Households: per, Area: renovote.Area(per * 8000), Owners: per - 2,
			Bound: per / 2, Voted: agree + 10, Agree: agree, Disagree: 10,
			VotedArea: renovote.Area((agree + 10) * 8000), AgreeArea: renovote.Area(agree * 8000), VotedOwners: agree + 9, AgreeOwners: agree}
		sc := renovote.SurveyCounts{CompoundID: c.ID, Households: per, Respondents: per / 5,
			Urgent: map[string][renovote.MaxUrgent]int64{}, Upgrades: map[string]int64{}, Bands: map[string]int64{}}
		for k, it := range benchItems {
			sc.Urgent[it] = [renovote.MaxUrgent]int64{int64((i + k) % 7), int64((i + 2*k) % 5), int64(k % 3)}
			sc.Upgrades[it] = int64((i * k) % 11)
		}
		s.counts[c.ID] = sc
	}
	return s
}

func (s synthetic) Tally(_ context.Context, id string) (renovote.Tally, error) {
	return s.tallies[id], nil
}

func (s synthetic) SurveyCounts(_ context.Context, id string) (renovote.SurveyCounts, error) {
	return s.counts[id], nil
}

func (s synthetic) Counters(_ context.Context, ids []string) ([]renovote.Tally, []renovote.SurveyCounts, error) {
	ts, cs := make([]renovote.Tally, len(ids)), make([]renovote.SurveyCounts, len(ids))
	for i, id := range ids {
		ts[i], cs[i] = s.tallies[id], s.counts[id]
	}
	return ts, cs, nil
}

func (s synthetic) Households(context.Context, string) ([]renovote.Household, error) { return nil, nil }

func (s synthetic) Votes(context.Context, string) (map[string]renovote.HouseholdVote, error) {
	return nil, nil
}

var benchItems = func() []string {
	var ids []string
	for _, part := range programme.Seed().Menu.Parts {
		for _, it := range part.Items {
			ids = append(ids, it.ID)
		}
	}
	return ids
}()

// BenchmarkSummaryCPU is a second, pure-CPU benchmark: the summary tables
// and workbook of 5,000 compounds from made-up counters (a fake source, no
// store), to separate the report's own cost from the store's round trips.
// NoSurvey is the 5,000 summary rows alone (a programme without a survey).
func BenchmarkSummaryCPU(b *testing.B) {
	ctx := context.Background()
	p := benchProgramme(benchCompounds, benchPerCompound)
	src := newSynthetic(p, benchPerCompound)
	plain := benchProgramme(benchCompounds, benchPerCompound)
	for i := range plain.Compounds {
		plain.Compounds[i].Survey = renovote.Window{}
	}
	for _, bc := range []struct {
		name string
		p    renovote.Programme
	}{{"Survey", p}, {"NoSurvey", plain}} {
		var t report.Tables
		b.Run(bc.name+"/Build", func(b *testing.B) {
			loop(b, func() {
				var err error
				if t, err = report.BuildSummary(ctx, src, bc.p, nil); err != nil {
					b.Fatal(err)
				}
			})
		})
		b.Run(bc.name+"/XLSX", func(b *testing.B) {
			if t.Summary == nil {
				b.Skip("no tables")
			}
			var data []byte
			loop(b, func() {
				var err error
				if data, err = report.XLSX(t); err != nil {
					b.Fatal(err)
				}
			})
			b.ReportMetric(float64(len(t.Summary)+len(t.Survey)), "rows")
			b.ReportMetric(float64(len(data)), "xlsx-bytes")
		})
	}
}
