package report

import (
	"context"
	"fmt"
	"time"

	"github.com/renovote/renovote"
)

// Source is what Build reads; store.Store satisfies it.
type Source interface {
	Tally(ctx context.Context, compoundID string) (renovote.Tally, error)
	Households(ctx context.Context, compoundID string) ([]renovote.Household, error)
	Votes(ctx context.Context, compoundID string) (map[string]renovote.HouseholdVote, error)
	SurveyCounts(ctx context.Context, compoundID string) (renovote.SurveyCounts, error)
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

// TotalName names the row of the sum of the report's compounds.
const TotalName = "合计"

// Build reads the compounds of p that scope accepts (all when scope is nil)
// and builds the tables. Owner names and phones are included only when
// withPersonal.
func Build(ctx context.Context, src Source, p renovote.Programme, scope func(compoundID string) bool, withPersonal bool) (Tables, error) {
	loc, err := p.Location()
	if err != nil {
		loc = time.UTC
	}
	t := Tables{Programme: p.ID, Name: p.Name, TimeZone: loc.String(), Personal: withPersonal,
		Summary: []SummaryRow{}, Buildings: []BuildingRow{}, Survey: []SurveyRow{}, Households: []HouseholdRow{}}
	classes := map[string]string{}
	for _, c := range p.Menu.Classes {
		classes[c.ID] = orID(c.Name, c.ID)
	}
	parts := map[string]string{}
	for _, part := range p.Menu.Parts {
		parts[part.ID] = orID(part.Name, part.ID)
	}
	var total renovote.SurveyCounts
	n := 0
	for _, c := range p.Compounds {
		if scope != nil && !scope(c.ID) {
			continue
		}
		n++
		name := orID(c.Name, c.ID)
		tally, err := src.Tally(ctx, c.ID)
		if err != nil {
			return Tables{}, fmt.Errorf("report %s: %w", c.ID, err)
		}
		hhs, err := src.Households(ctx, c.ID)
		if err != nil {
			return Tables{}, fmt.Errorf("report %s: %w", c.ID, err)
		}
		votes, err := src.Votes(ctx, c.ID)
		if err != nil {
			return Tables{}, fmt.Errorf("report %s: %w", c.ID, err)
		}
		counts, err := src.SurveyCounts(ctx, c.ID)
		if err != nil {
			return Tables{}, fmt.Errorf("report %s: %w", c.ID, err)
		}
		t.Summary = append(t.Summary, summaryRow(c, name, tally, counts))
		t.Buildings = append(t.Buildings, buildingRows(c.ID, name, hhs, votes)...)
		for _, h := range hhs {
			if h.Removed {
				continue
			}
			t.Households = append(t.Households, householdRow(name, h, votes, loc, withPersonal))
		}
		if hasSurvey(c) {
			t.Survey = append(t.Survey, surveyRows(p, c.ID, name, p.SurveyResults(counts), parts, classes)...)
			total = total.Add(counts)
		}
	}
	if n > 1 && total.Urgent != nil {
		t.Survey = append(t.Survey, surveyRows(p, "", TotalName, p.SurveyResults(total), parts, classes)...)
	}
	return t, nil
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

func surveyRows(p renovote.Programme, compoundID, name string, res renovote.SurveyResults, parts, classes map[string]string) []SurveyRow {
	var out []SurveyRow
	for _, it := range append(append([]renovote.ItemResult{}, res.Urgent...), res.Upgrades...) {
		out = append(out, SurveyRow{CompoundID: compoundID, Compound: name, Rank: len(out) + 1,
			ItemID: it.Item.ID, Item: orID(it.Item.Name, it.Item.ID), Part: parts[it.Part], Class: classes[it.Item.Class],
			Required: it.Required, Households: it.Households, OfRespondents: it.OfRespondents, OfAll: it.OfAll, Score: it.Score})
	}
	return out
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
