package report

import (
	"context"
	"fmt"
	"time"

	"github.com/renovote/renovote"
)

// SummarySource is what BuildSummary reads: the counters the store keeps per
// compound, whatever the compound's size.
type SummarySource interface {
	Tally(ctx context.Context, compoundID string) (renovote.Tally, error)
	SurveyCounts(ctx context.Context, compoundID string) (renovote.SurveyCounts, error)
}

// Source is what Build and BuildWith read; store.Store satisfies it.
// Households and Votes are read only for the compounds whose detail (楼栋,
// 住户明细) a report lists.
type Source interface {
	SummarySource
	Households(ctx context.Context, compoundID string) ([]renovote.Household, error)
	Votes(ctx context.Context, compoundID string) (map[string]renovote.HouseholdVote, error)
}

// CounterSource is an optional interface of a source: the tallies and survey
// counters of many compounds in one call, in the order asked, each as Tally
// and SurveyCounts return it (store.Store.Counters: one pipelined round trip
// per few hundred compounds). The builders use it when their source has it,
// and read compound by compound otherwise.
type CounterSource interface {
	Counters(ctx context.Context, compoundIDs []string) ([]renovote.Tally, []renovote.SurveyCounts, error)
}

// Tables are the bureau's report, one slice per table.
type Tables struct {
	Programme  string         `json:"programme"`
	Name       string         `json:"name"`
	TimeZone   string         `json:"time_zone"`
	Personal   bool           `json:"personal"`
	Summary    []SummaryRow   `json:"summary"`
	Buildings  []BuildingRow  `json:"buildings"`
	Survey     []SurveyRow    `json:"survey"`
	Households []HouseholdRow `json:"households"`
	// LeftOut, when set, says that Buildings and Households leave out some
	// (or all) of the report's compounds, and how to get them; nil when they
	// list every compound of Summary.
	LeftOut *LeftOut `json:"left_out,omitempty"`
}

// LeftOut describes the compounds whose buildings and households a report
// does not list (a summary report, or one over Options.MaxDetailHouseholds).
type LeftOut struct {
	Compounds  int    `json:"compounds"`       // compounds of the report not listed in detail
	Households int64  `json:"households"`      // their households on the register
	Limit      int64  `json:"limit,omitempty"` // Options.MaxDetailHouseholds, when the detail was over it
	Hint       string `json:"hint"`            // how to get the detail (Options.DetailHint or DefaultDetailHint)
}

// SummaryRow is one compound against its rule.
type SummaryRow struct {
	CompoundID   string         `json:"compound_id"`
	Compound     string         `json:"compound"`
	Households   int64          `json:"households"`
	Bound        int64          `json:"bound"`
	Voted        int64          `json:"voted"`
	Agree        int64          `json:"agree"`
	Disagree     int64          `json:"disagree"`
	Rule         string         `json:"rule"`
	Pass         bool           `json:"pass"`
	Tests        []TestCell     `json:"tests"`
	HasSurvey    bool           `json:"has_survey"`
	Respondents  int64          `json:"respondents"`
	ResponseRate renovote.Share `json:"response_rate"`
}

// TestCell is one test of a compound's rule: its numbers, the verdict of the
// domain's integer rule and what is still needed (households, owners, or
// 0.01 m² for area tests).
type TestCell struct {
	Name     string            `json:"name"`
	Label    string            `json:"label"` // 同意户数/总户数 ≥ 2/3
	Area     bool              `json:"area,omitempty"`
	Num      int64             `json:"num"`
	Den      int64             `json:"den"`
	Fraction renovote.Fraction `json:"fraction"`
	Strict   bool              `json:"strict,omitempty"`
	Pass     bool              `json:"pass"`
	Needed   int64             `json:"needed"`
}

// Share is the test's exact ratio.
func (c TestCell) Share() renovote.Share { return renovote.Share{Num: c.Num, Den: c.Den} }

// BuildingRow counts one building of a compound.
type BuildingRow struct {
	CompoundID string `json:"compound_id"`
	Compound   string `json:"compound"`
	Building   string `json:"building"`
	Households int64  `json:"households"`
	Voted      int64  `json:"voted"`
	Agree      int64  `json:"agree"`
	Disagree   int64  `json:"disagree"`
}

// SurveyRow is one menu item in one compound's survey results, or in the
// sum of the compounds of the report (CompoundID "").
type SurveyRow struct {
	CompoundID    string         `json:"compound_id"`
	Compound      string         `json:"compound"`
	Rank          int            `json:"rank"` // within the compound: must-do by urgency, then upgrades by households
	ItemID        string         `json:"item_id"`
	Item          string         `json:"item"`
	Part          string         `json:"part"`
	Class         string         `json:"class"`
	Required      bool           `json:"required"`
	Households    int64          `json:"households"`
	OfRespondents renovote.Share `json:"of_respondents"`
	OfAll         renovote.Share `json:"of_all"`
	Score         int64          `json:"score"` // weighted urgency (must-do items only)
}

// HouseholdRow is one household with its current vote. Owner and Phone are
// set only in a personal report.
type HouseholdRow struct {
	CompoundID string           `json:"compound_id"`
	Compound   string           `json:"compound"`
	Building   string           `json:"building"`
	Unit       string           `json:"unit"`
	Room       string           `json:"room"`
	Choice     renovote.Choice  `json:"choice"`
	Channel    renovote.Channel `json:"channel,omitempty"`
	At         string           `json:"at,omitempty"`         // local time, 2006-01-02 15:04:05
	EnteredBy  string           `json:"entered_by,omitempty"` // paper and proxy ballots: who entered them
	Owner      string           `json:"owner,omitempty"`
	Phone      string           `json:"phone,omitempty"`
}

// Options say which compounds a report covers and which of them it lists in
// detail.
type Options struct {
	// Scope picks the compounds of the report (汇总, 调查结果); nil picks
	// every compound of the programme.
	Scope func(compoundID string) bool
	// Detail picks, among them, the compounds whose buildings and households
	// are listed (楼栋, 住户明细). nil lists none: the report then reads only
	// the counters the store keeps, and its cost grows with the compounds,
	// never with their households. All lists every compound of the scope.
	Detail func(compoundID string) bool
	// MaxDetailHouseholds, when positive, leaves every compound's detail out
	// when the compounds Detail picks have more households than this together
	// (counted from their tallies, before any household is read).
	MaxDetailHouseholds int64
	// Personal puts owner names and phones in the household rows.
	Personal bool
	// DetailHint tells the reader of a report that leaves detail out how to
	// get it (Tables.LeftOut, the workbook's 说明 sheet); empty:
	// DefaultDetailHint.
	DetailHint string
}

// All picks every compound (for Options.Scope and Options.Detail).
func All(string) bool { return true }

// DefaultMaxDetailHouseholds is the limit (Options.MaxDetailHouseholds) the
// bot's spreadsheet and `renovote report` use by default: a report over more
// households than this is a summary, with the household list left out. A
// workbook of this many households takes about a second to build; a worker's
// compounds are well below it, a 5,000-compound programme far above.
const DefaultMaxDetailHouseholds = 50_000

// DefaultDetailHint is LeftOut.Hint when Options.DetailHint is empty.
const DefaultDetailHint = "楼栋统计和住户明细请按小区分别导出（每次选一个或几个小区）。"

// TotalName names the row of the sum of the report's compounds.
const TotalName = "合计"

// Build reads the compounds of p that scope accepts (all when scope is nil)
// and builds the tables, listing every household: its cost grows with the
// households (BuildSummary's does not). Owner names and phones are included
// only when withPersonal. It is BuildWith with Detail All and no limit.
func Build(ctx context.Context, src Source, p renovote.Programme, scope func(compoundID string) bool, withPersonal bool) (Tables, error) {
	return BuildWith(ctx, src, p, Options{Scope: scope, Detail: All, Personal: withPersonal})
}

// BuildSummary builds the programme-level tables of the compounds scope
// accepts (all when nil): 汇总 per compound and 调查结果 per item, with the
// programme's total, from the counters the store keeps (Tally,
// SurveyCounts), without reading a household. Buildings and Households are
// empty and LeftOut says so.
func BuildSummary(ctx context.Context, src SummarySource, p renovote.Programme, scope func(compoundID string) bool) (Tables, error) {
	return build(ctx, src, nil, p, Options{Scope: scope})
}

// BuildWith builds the tables as opts say.
func BuildWith(ctx context.Context, src Source, p renovote.Programme, opts Options) (Tables, error) {
	return build(ctx, src, src, p, opts)
}

func build(ctx context.Context, src SummarySource, detailSrc Source, p renovote.Programme, opts Options) (Tables, error) {
	loc, err := p.Location()
	if err != nil {
		loc = time.UTC
	}
	t := Tables{Programme: p.ID, Name: p.Name, TimeZone: loc.String(), Personal: opts.Personal,
		Summary: []SummaryRow{}, Buildings: []BuildingRow{}, Survey: []SurveyRow{}, Households: []HouseholdRow{}}
	classes := map[string]string{}
	for _, c := range p.Menu.Classes {
		classes[c.ID] = orID(c.Name, c.ID)
	}
	parts := map[string]string{}
	for _, part := range p.Menu.Parts {
		parts[part.ID] = orID(part.Name, part.ID)
	}
	var scope []renovote.Compound
	var ids []string
	for _, c := range p.Compounds {
		if opts.Scope == nil || opts.Scope(c.ID) {
			scope = append(scope, c)
			ids = append(ids, c.ID)
		}
	}
	tallies, counts, err := readCounters(ctx, src, ids)
	if err != nil {
		return Tables{}, err
	}

	// Which compounds to list in detail, decided from the tallies alone.
	detail := make([]bool, len(scope))
	var inDetail, leftOut int64
	n := 0
	for i, c := range scope {
		if detailSrc != nil && opts.Detail != nil && opts.Detail(c.ID) {
			detail[i] = true
			inDetail += tallies[i].Households
			n++
		} else {
			leftOut += tallies[i].Households
		}
	}
	var limit int64
	if opts.MaxDetailHouseholds > 0 && inDetail > opts.MaxDetailHouseholds {
		clear(detail)
		leftOut, n, limit = leftOut+inDetail, 0, opts.MaxDetailHouseholds
	}
	if n < len(scope) {
		t.LeftOut = &LeftOut{Compounds: len(scope) - n, Households: leftOut, Limit: limit, Hint: orID(opts.DetailHint, DefaultDetailHint)}
	}

	total := renovote.SurveyCounts{Urgent: map[string][renovote.MaxUrgent]int64{}, Upgrades: map[string]int64{}, Bands: map[string]int64{}}
	surveys := 0
	items := 0
	for _, part := range p.Menu.Parts {
		items += len(part.Items)
	}
	for _, c := range scope {
		if hasSurvey(c) {
			surveys++
		}
	}
	t.Summary = make([]SummaryRow, 0, len(scope))
	t.Survey = make([]SurveyRow, 0, (surveys+1)*items)
	for i, c := range scope {
		name := orID(c.Name, c.ID)
		t.Summary = append(t.Summary, summaryRow(c, name, tallies[i], counts[i]))
		if detail[i] {
			hhs, err := detailSrc.Households(ctx, c.ID)
			if err != nil {
				return Tables{}, fmt.Errorf("report %s: %w", c.ID, err)
			}
			votes, err := detailSrc.Votes(ctx, c.ID)
			if err != nil {
				return Tables{}, fmt.Errorf("report %s: %w", c.ID, err)
			}
			t.Buildings = append(t.Buildings, buildingRows(c.ID, name, hhs, votes)...)
			for _, h := range hhs {
				if h.Removed {
					continue
				}
				t.Households = append(t.Households, householdRow(name, h, votes, loc, opts.Personal))
			}
		}
		if hasSurvey(c) {
			t.Survey = surveyRows(t.Survey, c.ID, name, p.SurveyResults(counts[i]), parts, classes)
			addCounts(&total, counts[i])
		}
	}
	if len(scope) > 1 && surveys > 0 {
		t.Survey = surveyRows(t.Survey, "", TotalName, p.SurveyResults(total), parts, classes)
	}
	return t, nil
}

// readCounters reads the tally and survey counters of every compound of ids,
// in one call when src is a CounterSource.
func readCounters(ctx context.Context, src SummarySource, ids []string) ([]renovote.Tally, []renovote.SurveyCounts, error) {
	if cs, ok := src.(CounterSource); ok {
		tallies, counts, err := cs.Counters(ctx, ids)
		if err != nil {
			return nil, nil, fmt.Errorf("report: %w", err)
		}
		if len(tallies) != len(ids) || len(counts) != len(ids) {
			return nil, nil, fmt.Errorf("report: counters of %d compounds for %d asked", min(len(tallies), len(counts)), len(ids))
		}
		return tallies, counts, nil
	}
	tallies := make([]renovote.Tally, len(ids))
	counts := make([]renovote.SurveyCounts, len(ids))
	for i, id := range ids {
		var err error
		if tallies[i], err = src.Tally(ctx, id); err != nil {
			return nil, nil, fmt.Errorf("report %s: %w", id, err)
		}
		if counts[i], err = src.SurveyCounts(ctx, id); err != nil {
			return nil, nil, fmt.Errorf("report %s: %w", id, err)
		}
	}
	return tallies, counts, nil
}

// addCounts adds c into sum in place: renovote.SurveyCounts.Add without a new
// set of maps per compound. sum's maps must be made.
func addCounts(sum *renovote.SurveyCounts, c renovote.SurveyCounts) {
	sum.Households += c.Households
	sum.Respondents += c.Respondents
	sum.Contribute += c.Contribute
	sum.Comments += c.Comments
	sum.Photos += c.Photos
	for k, v := range c.Urgent {
		r := sum.Urgent[k]
		for i := range r {
			r[i] += v[i]
		}
		sum.Urgent[k] = r
	}
	for k, v := range c.Upgrades {
		sum.Upgrades[k] += v
	}
	for k, v := range c.Bands {
		sum.Bands[k] += v
	}
}

func summaryRow(c renovote.Compound, name string, tally renovote.Tally, counts renovote.SurveyCounts) SummaryRow {
	rule := c.Rule
	if len(rule.Tests) == 0 {
		rule = renovote.DefaultRule()
	}
	o := rule.Evaluate(tally)
	r := SummaryRow{CompoundID: c.ID, Compound: name, Households: tally.Households, Bound: tally.Bound,
		Voted: tally.Voted, Agree: tally.Agree, Disagree: tally.Disagree, Rule: o.Rule, Pass: o.Pass,
		Tests: []TestCell{}, HasSurvey: hasSurvey(c)}
	for _, res := range o.Results {
		r.Tests = append(r.Tests, TestCell{Name: res.Test.Name, Label: TestLabel(res.Test), Area: res.Test.Num.IsArea(),
			Num: res.Num, Den: res.Den, Fraction: res.Test.Fraction, Strict: res.Test.Strict, Pass: res.Pass, Needed: res.Needed})
	}
	if r.HasSurvey {
		r.Respondents = counts.Respondents
		r.ResponseRate = renovote.Share{Num: counts.Respondents, Den: tally.Households}
	}
	return r
}

func buildingRows(compoundID, name string, hhs []renovote.Household, votes map[string]renovote.HouseholdVote) []BuildingRow {
	var out []BuildingRow
	at := map[string]int{}
	for _, h := range hhs {
		if h.Removed {
			continue
		}
		i, ok := at[h.Building]
		if !ok {
			i = len(out)
			at[h.Building] = i
			out = append(out, BuildingRow{CompoundID: compoundID, Compound: name, Building: h.Building})
		}
		b := &out[i]
		b.Households++
		switch votes[h.ID].Choice {
		case renovote.ChoiceAgree:
			b.Voted++
			b.Agree++
		case renovote.ChoiceDisagree:
			b.Voted++
			b.Disagree++
		}
	}
	return out
}

func householdRow(name string, h renovote.Household, votes map[string]renovote.HouseholdVote, loc *time.Location, personal bool) HouseholdRow {
	r := HouseholdRow{CompoundID: h.CompoundID, Compound: name, Building: h.Building, Unit: h.Unit, Room: h.Room}
	if v, ok := votes[h.ID]; ok && v.Choice != renovote.ChoiceNone {
		r.Choice, r.Channel = v.Choice, v.Channel
		if !v.At.IsZero() {
			r.At = v.At.In(loc).Format(time.DateTime)
		}
		if v.Channel == renovote.ChannelPaper || v.Channel == renovote.ChannelProxy {
			r.EnteredBy = v.Actor
		}
	}
	if personal {
		r.Owner, r.Phone = h.Owner, h.Phone
	}
	return r
}

// surveyRows appends to dst the rows of one compound's survey results (or
// of the total): must-do items by urgency, then upgrades.
func surveyRows(dst []SurveyRow, compoundID, name string, res renovote.SurveyResults, parts, classes map[string]string) []SurveyRow {
	rank := 0
	for _, list := range [][]renovote.ItemResult{res.Urgent, res.Upgrades} {
		for _, it := range list {
			rank++
			dst = append(dst, SurveyRow{CompoundID: compoundID, Compound: name, Rank: rank,
				ItemID: it.Item.ID, Item: orID(it.Item.Name, it.Item.ID), Part: parts[it.Part], Class: classes[it.Item.Class],
				Required: it.Required, Households: it.Households, OfRespondents: it.OfRespondents, OfAll: it.OfAll, Score: it.Score})
		}
	}
	return dst
}

// hasSurvey reports whether the compound runs a survey.
func hasSurvey(c renovote.Compound) bool {
	return !c.Survey.Opens.IsZero() || !c.Survey.Closes.IsZero()
}

func orID(name, id string) string {
	if name == "" {
		return id
	}
	return name
}

// quantityNames name the numbers a rule test compares.
var quantityNames = map[renovote.Quantity]string{
	renovote.QHouseholds:  "总户数",
	renovote.QVoted:       "投票户数",
	renovote.QAgree:       "同意户数",
	renovote.QArea:        "总面积",
	renovote.QVotedArea:   "投票面积",
	renovote.QAgreeArea:   "同意面积",
	renovote.QOwners:      "业主总数",
	renovote.QVotedOwners: "投票业主",
	renovote.QAgreeOwners: "同意业主",
}

// TestLabel names a test for people: "同意户数/总户数 ≥ 2/3".
func TestLabel(t renovote.Test) string {
	op := "≥"
	if t.Strict {
		op = ">"
	}
	return fmt.Sprintf("%s/%s %s %s", orID(quantityNames[t.Num], string(t.Num)), orID(quantityNames[t.Den], string(t.Den)), op, t.Fraction)
}
