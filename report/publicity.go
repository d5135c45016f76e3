package report

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"time"

	"github.com/renovote/renovote"
)

// The public notice (公示) of one compound's ballot, for the bulletin board: a
// self-contained A4 HTML page (inline CSS, no scripts, fonts or images from
// elsewhere) that prints well from any browser. It holds the counts of the
// ballot, every test of the compound's rule with its numbers, exact ratio,
// verdict and what is still needed, the ballot's dates, the publicity window
// (公示期) with how to object, when it was made, and boxes for the residents'
// committee's stamp and the residents' representatives' signatures. It holds
// no personal data: no names, phones or rooms, only the compound's counters.

// PublicitySource is what BuildPublicity reads; store.Store satisfies it.
type PublicitySource interface {
	Tally(ctx context.Context, compoundID string) (renovote.Tally, error)
}

// Publicity is the public notice of one compound's ballot at a moment.
type Publicity struct {
	ProgrammeID string
	Programme   string
	CompoundID  string
	Compound    string
	Rule        renovote.Rule
	Tally       renovote.Tally
	Outcome     renovote.Outcome
	Ballot      renovote.Window
	// Window is the publicity window (公示期); zero when the compound has
	// none (the notice then has blanks to fill in by hand).
	Window    renovote.Window
	Generated time.Time
	Location  *time.Location
}

// BuildPublicity reads the compound's tally and returns its public notice as
// of now, in the programme's time zone. renovote.ErrNotFound when the
// programme has no such compound.
func BuildPublicity(ctx context.Context, src PublicitySource, p renovote.Programme, compoundID string, now time.Time) (Publicity, error) {
	c, ok := p.CompoundByName(compoundID)
	if !ok {
		return Publicity{}, fmt.Errorf("publicity %s: compound: %w", compoundID, renovote.ErrNotFound)
	}
	loc, err := p.Location()
	if err != nil {
		loc = time.UTC
	}
	t, err := src.Tally(ctx, c.ID)
	if err != nil {
		return Publicity{}, fmt.Errorf("publicity %s: %w", c.ID, err)
	}
	rule := c.Rule
	if len(rule.Tests) == 0 {
		rule = renovote.DefaultRule()
	}
	return Publicity{
		ProgrammeID: p.ID, Programme: orID(p.Name, p.ID), CompoundID: c.ID, Compound: orID(c.Name, c.ID),
		Rule: rule, Tally: t, Outcome: rule.Evaluate(t), Ballot: c.Ballot, Window: c.Publicity,
		Generated: now, Location: loc,
	}, nil
}

// FileName names the notice's file: "fenggang_2020-liangmao-公示-20200521-0800.html".
func (pub Publicity) FileName() string {
	return fmt.Sprintf("%s-%s-公示-%s.html", pub.ProgrammeID, pub.CompoundID, pub.Generated.In(pub.loc()).Format("20060102-1504"))
}

func (pub Publicity) loc() *time.Location {
	if pub.Location == nil {
		return time.UTC
	}
	return pub.Location
}

//go:embed publicity.html.tmpl
var publicityTemplate string

var publicityTmpl = template.Must(template.New("publicity").Parse(publicityTemplate))

// PublicityHTML writes the notice as a self-contained A4 HTML page.
func PublicityHTML(w io.Writer, pub Publicity) error {
	var b bytes.Buffer // whole or nothing: a failed template writes nothing
	if err := publicityTmpl.Execute(&b, pub.view()); err != nil {
		return fmt.Errorf("publicity %s: %w", pub.CompoundID, err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("publicity %s: %w", pub.CompoundID, err)
	}
	return nil
}

// publicityView is the notice as the template shows it: every value a string
// ready to print.
type publicityView struct {
	Title, Programme, Compound       string
	BallotOpens, BallotCloses        string
	BallotState                      string // "open", "closed", "not_open"
	Households, Voted, Agree         int64
	Disagree, NotVoted               int64
	Turnout, AgreeShare              string
	RuleName                         string
	Tests                            []publicityTestView
	Pass                             bool
	Verdict                          string
	HasWindow                        bool
	WindowOpens, WindowCloses        string
	WindowDays                       int
	Generated, TimeZone, ProgrammeID string
	ExtraCounts                      []publicityCount // area and owners, when a test needs them
	SnapshotNote, CompoundID         string
}

type publicityTestView struct {
	Label, Num, Den, Ratio, Require, Needed string
	Pass                                    bool
}

type publicityCount struct{ Label, Value string }

func (pub Publicity) view() publicityView {
	loc := pub.loc()
	t := pub.Tally
	v := publicityView{
		Title:       pub.Compound + " 城镇老旧小区改造居民意愿表决结果公示",
		Programme:   pub.Programme,
		Compound:    pub.Compound,
		CompoundID:  pub.CompoundID,
		ProgrammeID: pub.ProgrammeID,
		BallotOpens: pubTime(loc, pub.Ballot.Opens), BallotCloses: pubEnd(loc, pub.Ballot.Closes),
		Households: t.Households, Voted: t.Voted, Agree: t.Agree, Disagree: t.Disagree,
		NotVoted:   max(t.Households-t.Voted, 0),
		Turnout:    pubShare(t.Voted, t.Households),
		AgreeShare: pubShare(t.Agree, t.Households),
		RuleName:   pubRuleName(pub.Rule),
		Pass:       pub.Outcome.Pass,
		Generated:  pubTime(loc, pub.Generated),
		TimeZone:   loc.String(),
	}
	var area, owners bool
	for _, r := range pub.Outcome.Results {
		area = area || r.Test.Num.IsArea()
		owners = owners || pubIsOwners(r.Test.Num) || pubIsOwners(r.Test.Den)
		v.Tests = append(v.Tests, pubTestView(r))
	}
	if area {
		v.ExtraCounts = append(v.ExtraCounts,
			publicityCount{"专有部分总面积（m²）", t.Area.String()},
			publicityCount{"参与表决面积（m²）", t.VotedArea.String()},
			publicityCount{"同意面积（m²）", t.AgreeArea.String()})
	}
	if owners {
		v.ExtraCounts = append(v.ExtraCounts,
			publicityCount{"业主总人数", fmt.Sprint(t.Owners)},
			publicityCount{"参与表决业主", fmt.Sprint(t.VotedOwners)},
			publicityCount{"同意业主", fmt.Sprint(t.AgreeOwners)})
	}
	switch pub.Ballot.State(pub.Generated) {
	case renovote.NotOpen:
		v.BallotState = "not_open"
		v.SnapshotNote = "表决尚未开始，以下为截至 " + v.Generated + " 的统计。"
	case renovote.Open:
		v.BallotState = "open"
		v.SnapshotNote = "表决尚未结束，以下为截至 " + v.Generated + " 的统计，最终结果以表决截止后的公示为准。"
	default:
		v.BallotState = "closed"
	}
	switch {
	case v.BallotState == "closed" && v.Pass:
		v.Verdict = "表决结果：本小区已达到上述规则的全部要求，居民同意实施改造。"
	case v.BallotState == "closed":
		v.Verdict = "表决结果：本小区未达到上述规则的要求。"
	case v.Pass:
		v.Verdict = "截至目前：已达到上述规则的全部要求（表决尚未结束）。"
	default:
		v.Verdict = "截至目前：尚未达到上述规则的要求（表决尚未结束）。"
	}
	if w := pub.Window; !w.Opens.IsZero() && !w.Closes.IsZero() {
		v.HasWindow = true
		v.WindowOpens, v.WindowCloses = pubTime(loc, w.Opens), pubEnd(loc, w.Closes)
		v.WindowDays = pubDays(loc, w)
	}
	return v
}

func pubTestView(r renovote.TestResult) publicityTestView {
	op, kind := "≥", "（含本数）"
	if r.Test.Strict {
		op, kind = ">", "（不含本数）"
	}
	num, den := fmt.Sprint(r.Num), fmt.Sprint(r.Den)
	if r.Test.Num.IsArea() {
		num, den = renovote.Area(r.Num).String()+" m²", renovote.Area(r.Den).String()+" m²"
	}
	tv := publicityTestView{
		Label:   orID(quantityNames[r.Test.Num], string(r.Test.Num)) + " / " + orID(quantityNames[r.Test.Den], string(r.Test.Den)),
		Num:     num,
		Den:     den,
		Ratio:   pubShare(r.Num, r.Den),
		Require: op + " " + r.Test.Fraction.String() + kind,
		Pass:    r.Pass,
		Needed:  "—",
	}
	if !r.Pass {
		tv.Needed = pubNeeded(r)
	}
	return tv
}

// pubNeeded says what a failed test still needs: "还需 7 户同意".
func pubNeeded(r renovote.TestResult) string {
	q := r.Test.Num
	voted := q == renovote.QVoted || q == renovote.QVotedArea || q == renovote.QVotedOwners
	what := "同意"
	if voted {
		what = "参与表决"
	}
	switch {
	case q.IsArea():
		return fmt.Sprintf("还需 %s m² %s", renovote.Area(r.Needed), what)
	case pubIsOwners(q):
		return fmt.Sprintf("还需 %d 位业主%s", r.Needed, what)
	}
	return fmt.Sprintf("还需 %d 户%s", r.Needed, what)
}

func pubIsOwners(q renovote.Quantity) bool {
	return q == renovote.QOwners || q == renovote.QVotedOwners || q == renovote.QAgreeOwners
}

// pubRuleName names a rule for residents.
func pubRuleName(r renovote.Rule) string {
	switch r.Name {
	case renovote.RuleCounty:
		return "本县规则：同意改造的户数达到登记总户数的 2/3 以上"
	case renovote.RuleCivilCodeMajor:
		return "《民法典》第二百七十八条（重大事项）：参与表决的专有部分面积和业主人数均达 2/3 以上，且经参与表决面积和人数的 3/4 以上同意"
	case renovote.RuleCivilCodeOrdinary:
		return "《民法典》第二百七十八条（一般事项）：参与表决的专有部分面积和业主人数均达 2/3 以上，且经参与表决面积和人数的过半数同意"
	}
	return "本小区规则（" + r.Name + "）：须同时满足下表各项"
}

// pubShare is num/den as a percentage with one decimal, "—" when den is 0.
func pubShare(num, den int64) string {
	if den <= 0 {
		return "—"
	}
	return renovote.Share{Num: num, Den: den}.String()
}

// pubTime: "2020年5月1日 08:00".
func pubTime(loc *time.Location, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(loc)
	return fmt.Sprintf("%d年%d月%d日 %02d:%02d", t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute())
}

// pubEnd shows the end of a window; a close at midnight is 24:00 of the day
// before ("2020年5月20日 24:00"), which is how people read "until the 20th".
func pubEnd(loc *time.Location, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	lt := t.In(loc)
	if lt.Hour() != 0 || lt.Minute() != 0 || lt.Second() != 0 || lt.Nanosecond() != 0 {
		return pubTime(loc, t)
	}
	d := lt.AddDate(0, 0, -1)
	return fmt.Sprintf("%d年%d月%d日 24:00", d.Year(), int(d.Month()), d.Day())
}

// pubDays counts the local dates the window touches.
func pubDays(loc *time.Location, w renovote.Window) int {
	first := w.Opens.In(loc)
	last := w.Closes.Add(-time.Nanosecond).In(loc)
	a := time.Date(first.Year(), first.Month(), first.Day(), 12, 0, 0, 0, time.UTC)
	b := time.Date(last.Year(), last.Month(), last.Day(), 12, 0, 0, 0, time.UTC)
	return int(b.Sub(a)/(24*time.Hour)) + 1
}
