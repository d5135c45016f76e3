package web

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/report"
)

// The pages' numbers. Every number a page shows live has a key ("liangmao.voted",
// "liangmao.t0.value"): the template writes it in a data-k attribute and the
// events carry the same keys (update), so the page changes exactly those cells.

// compoundView is one compound against its rule.
type compoundView struct {
	ID, Name   string
	Households int64
	Bound      int64
	Voted      int64
	Agree      int64
	Disagree   int64
	Pass       bool
	Verdict    string
	Tests      []testView
	HasSurvey  bool
	Survey     string // "12 / 55 (21.8%)"
}

// testView is one test of the rule, drawn as a bar with its threshold.
type testView struct {
	Label  string // "同意户数/总户数 ≥ 2/3"
	Value  string // "30 / 55" (areas in m²)
	Pct    string // "54.5%"
	Bar    float64
	Mark   float64
	Pass   bool
	Needed string // what is still needed, "" when it passes
}

// buildingView counts one building.
type buildingView struct {
	Name       string
	Households int64
	Voted      int64
	Agree      int64
	Disagree   int64
	Turnout    string
}

// update is what an event carries: cell texts, bar widths (percent) and
// pass/fail marks, by key.
type update struct {
	Text map[string]string  `json:"text"`
	Bars map[string]float64 `json:"bars"`
	Pass map[string]bool    `json:"pass"`
}

func newUpdate() update {
	return update{Text: map[string]string{}, Bars: map[string]float64{}, Pass: map[string]bool{}}
}

func compoundRule(c renovote.Compound) renovote.Rule {
	if len(c.Rule.Tests) == 0 {
		return renovote.DefaultRule()
	}
	return c.Rule
}

func hasSurvey(c renovote.Compound) bool {
	return !c.Survey.Opens.IsZero() || !c.Survey.Closes.IsZero()
}

func orID(name, id string) string {
	if name == "" {
		return id
	}
	return name
}

// percent is num/den as a percentage for drawing only (0 when den is 0, at most 100).
func percent(num, den int64) float64 {
	if den <= 0 || num <= 0 {
		return 0
	}
	p := float64(num) * 100 / float64(den)
	if p > 100 {
		p = 100
	}
	return float64(int64(p*10+0.5)) / 10
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// summary is the compound against its rule; counts is used when it runs a survey.
func summary(l lang, c renovote.Compound, t renovote.Tally, counts renovote.SurveyCounts) compoundView {
	o := compoundRule(c).Evaluate(t)
	v := compoundView{ID: c.ID, Name: orID(c.Name, c.ID), Households: t.Households, Bound: t.Bound, Voted: t.Voted,
		Agree: t.Agree, Disagree: t.Disagree, Pass: o.Pass, HasSurvey: hasSurvey(c)}
	v.Verdict = words["fail"].s(l)
	if o.Pass {
		v.Verdict = words["pass"].s(l)
	}
	for _, r := range o.Results {
		op := "≥"
		if r.Test.Strict {
			op = ">"
		}
		tv := testView{Label: fmt.Sprintf("%s/%s %s %s", quantityName(l, r.Test.Num), quantityName(l, r.Test.Den), op, r.Test.Fraction),
			Pct: renovote.Share{Num: r.Num, Den: r.Den}.String(), Bar: percent(r.Num, r.Den),
			Mark: percent(r.Test.Fraction.P, r.Test.Fraction.Q), Pass: r.Pass, Needed: neededText(l, r)}
		if r.Test.Num.IsArea() {
			tv.Value = fmt.Sprintf("%s / %s m²", renovote.Area(r.Num), renovote.Area(r.Den))
		} else {
			tv.Value = fmt.Sprintf("%d / %d", r.Num, r.Den)
		}
		v.Tests = append(v.Tests, tv)
	}
	if v.HasSurvey {
		v.Survey = fmt.Sprintf("%d / %d (%s)", counts.Respondents, t.Households, renovote.Share{Num: counts.Respondents, Den: t.Households})
	}
	return v
}

// fill adds the compound's live cells to u.
func (v compoundView) fill(u update) {
	p := v.ID + "."
	u.Text[p+"households"] = itoa(v.Households)
	u.Text[p+"bound"] = itoa(v.Bound)
	u.Text[p+"voted"] = itoa(v.Voted)
	u.Text[p+"agree"] = itoa(v.Agree)
	u.Text[p+"disagree"] = itoa(v.Disagree)
	u.Text[p+"verdict"] = v.Verdict
	u.Pass[p+"verdict"] = v.Pass
	for i, t := range v.Tests {
		k := fmt.Sprintf("%st%d", p, i)
		u.Text[k+".value"] = t.Value
		u.Text[k+".pct"] = t.Pct
		u.Text[k+".needed"] = t.Needed
		u.Bars[k] = t.Bar
		u.Pass[k] = t.Pass
	}
	if v.HasSurvey {
		u.Text[p+"survey"] = v.Survey
	}
}

// buildings counts the compound's buildings from its register and votes.
func buildings(hhs []renovote.Household, votes map[string]renovote.HouseholdVote) []buildingView {
	var out []buildingView
	at := map[string]int{}
	for _, h := range hhs {
		if h.Removed {
			continue
		}
		i, ok := at[h.Building]
		if !ok {
			i = len(out)
			at[h.Building] = i
			out = append(out, buildingView{Name: h.Building})
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
	for i := range out {
		out[i].Turnout = renovote.Share{Num: out[i].Voted, Den: out[i].Households}.String()
	}
	return out
}

// fillBuildings adds the buildings' live cells to u, keyed by position.
func fillBuildings(compoundID string, bs []buildingView, u update) {
	for i, b := range bs {
		k := fmt.Sprintf("%s.b%d.", compoundID, i)
		u.Text[k+"households"] = itoa(b.Households)
		u.Text[k+"voted"] = itoa(b.Voted)
		u.Text[k+"agree"] = itoa(b.Agree)
		u.Text[k+"disagree"] = itoa(b.Disagree)
		u.Text[k+"turnout"] = b.Turnout
	}
}

// counters reads the tallies and survey counters of the compounds: in one
// call when the source reads many at once (report.CounterSource; the store
// pipelines them), else compound by compound (the survey's only for a
// compound that runs one).
func counters(ctx context.Context, src Source, cs []renovote.Compound) ([]renovote.Tally, []renovote.SurveyCounts, error) {
	if many, ok := src.(report.CounterSource); ok {
		ids := make([]string, len(cs))
		for i, c := range cs {
			ids[i] = c.ID
		}
		ts, counts, err := many.Counters(ctx, ids)
		if err != nil {
			return nil, nil, err
		}
		if len(ts) != len(cs) || len(counts) != len(cs) {
			return nil, nil, fmt.Errorf("counters of %d compounds for %d asked", min(len(ts), len(counts)), len(cs))
		}
		return ts, counts, nil
	}
	ts := make([]renovote.Tally, len(cs))
	counts := make([]renovote.SurveyCounts, len(cs))
	for i, c := range cs {
		var err error
		if ts[i], err = src.Tally(ctx, c.ID); err != nil {
			return nil, nil, err
		}
		if hasSurvey(c) {
			if counts[i], err = src.SurveyCounts(ctx, c.ID); err != nil {
				return nil, nil, err
			}
		}
	}
	return ts, counts, nil
}

// summaries reads the compounds' counters and makes their summaries.
func summaries(ctx context.Context, src Source, l lang, cs []renovote.Compound) ([]compoundView, []renovote.Tally, error) {
	ts, counts, err := counters(ctx, src, cs)
	if err != nil {
		return nil, nil, err
	}
	out := make([]compoundView, len(cs))
	for i, c := range cs {
		out[i] = summary(l, c, ts[i], counts[i])
	}
	return out, ts, nil
}

// readBuildings reads the compound's register and votes and counts its buildings.
func readBuildings(ctx context.Context, src Source, compoundID string) ([]buildingView, error) {
	hhs, err := src.Households(ctx, compoundID)
	if err != nil {
		return nil, err
	}
	votes, err := src.Votes(ctx, compoundID)
	if err != nil {
		return nil, err
	}
	return buildings(hhs, votes), nil
}

// itemRow is one survey item in the ranking.
type itemRow struct {
	Rank       int
	Item, Part string
	Households int64
	OfResp     string
	OfAll      string
	Score      int64
}

// surveyView is a compound's survey results, ranked.
type surveyView struct {
	Respondents string
	Must        []itemRow
	Upgrades    []itemRow
}

func survey(p renovote.Programme, counts renovote.SurveyCounts) surveyView {
	r := p.SurveyResults(counts)
	parts := map[string]string{}
	for _, part := range p.Menu.Parts {
		parts[part.ID] = orID(part.Name, part.ID)
	}
	v := surveyView{Respondents: fmt.Sprintf("%d / %d (%s)", r.Respondents, r.Households, r.ResponseRate)}
	row := func(i int, it renovote.ItemResult) itemRow {
		return itemRow{Rank: i + 1, Item: orID(it.Item.Name, it.Item.ID), Part: parts[it.Part], Households: it.Households,
			OfResp: it.OfRespondents.String(), OfAll: it.OfAll.String(), Score: it.Score}
	}
	for i, it := range r.Urgent {
		v.Must = append(v.Must, row(i, it))
	}
	for i, it := range r.Upgrades {
		v.Upgrades = append(v.Upgrades, row(i, it))
	}
	return v
}

// noticeRow is one notice with its delivery counts. The text is cut short;
// who sent it is not shown.
type noticeRow struct {
	At                                         string
	Kind                                       string
	Text                                       string
	Status                                     string
	Recipients, Delivered, Unreachable, Failed int64
	Late                                       bool
}

// noticeTextRunes is how much of a notice's text the page shows.
const noticeTextRunes = 80

func noticeRows(l lang, loc *time.Location, ns []renovote.Notice) []noticeRow {
	var out []noticeRow
	for _, n := range ns {
		if n.Kind == renovote.KindDigest {
			continue
		}
		at := n.SendAt
		if at.IsZero() {
			at = n.Created
		}
		text := []rune(n.Text)
		if len(text) > noticeTextRunes {
			text = append(text[:noticeTextRunes], '…')
		}
		kind, status := noticeKinds[n.Kind].s(l), noticeStatus[n.Status].s(l)
		out = append(out, noticeRow{At: at.In(loc).Format("2006-01-02 15:04"), Kind: orID(kind, string(n.Kind)), Text: string(text),
			Status: orID(status, string(n.Status)), Recipients: n.Counts.Recipients, Delivered: n.Counts.Delivered,
			Unreachable: n.Counts.Unreachable, Failed: n.Counts.Failed, Late: n.Late})
	}
	return out
}
