package programme_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/programme"
)

func TestSeed(t *testing.T) {
	p := programme.Seed()
	if err := p.Validate(); err != nil {
		t.Fatalf("seed does not validate: %v", err)
	}
	if p.ID != "fenggang_2020" || p.TimeZone != "Asia/Shanghai" || p.Members() != 3 {
		t.Errorf("programme = %q %q members %d", p.ID, p.TimeZone, p.Members())
	}
	want := []struct {
		id, name string
		planned  int64
	}{
		{"liangmao", "粮贸小区", 55},
		{"laozhongyiyuan", "老中医院小区", 220},
		{"wuzhuangbu", "武装部小区", 107},
		{"laocaizhengju", "老财政局小区", 256},
		{"jinrong", "金融小区", 170},
	}
	if len(p.Compounds) != len(want) {
		t.Fatalf("%d compounds, want %d", len(p.Compounds), len(want))
	}
	var total int64
	opens := time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC)    // 08:00 in Shanghai
	closes := time.Date(2020, 5, 20, 16, 0, 0, 0, time.UTC) // 21 May 00:00 in Shanghai
	for i, w := range want {
		c := p.Compounds[i]
		total += c.PlannedHouseholds
		if c.ID != w.id || c.Name != w.name || c.PlannedHouseholds != w.planned {
			t.Errorf("compound %d = %s %s %d, want %s %s %d", i, c.ID, c.Name, c.PlannedHouseholds, w.id, w.name, w.planned)
		}
		if c.Rule.Name != renovote.RuleCounty || len(c.Rule.Tests) != 1 || c.Rule.Tests[0].Fraction != (renovote.Fraction{P: 2, Q: 3}) {
			t.Errorf("%s: rule %+v, want county", c.ID, c.Rule)
		}
		if !c.Ballot.Opens.Equal(opens) || !c.Ballot.Closes.Equal(closes) {
			t.Errorf("%s: ballot %v – %v, want %v – %v", c.ID, c.Ballot.Opens, c.Ballot.Closes, opens, closes)
		}
		if lines := strings.Split(c.Plan, "\n"); len(lines) != 2 {
			t.Errorf("%s: plan has %d lines, want 2", c.ID, len(lines))
		}
		if !c.PublishTally {
			t.Errorf("%s: publish_tally not inherited", c.ID)
		}
	}
	if total != 808 {
		t.Errorf("planned households total %d, want 808", total)
	}
	// The last vote may be cast at 23:59:59 on 20 May, Shanghai time.
	sh, _ := time.LoadLocation("Asia/Shanghai")
	c := p.Compounds[0]
	if s := c.Ballot.State(time.Date(2020, 5, 20, 23, 59, 59, 0, sh)); s != renovote.Open {
		t.Errorf("20 May 23:59:59: state %v, want open", s)
	}
	if s := c.Ballot.State(time.Date(2020, 5, 21, 0, 0, 0, 0, sh)); s != renovote.Closed {
		t.Errorf("21 May 00:00: state %v, want closed", s)
	}
	if s := c.Ballot.State(time.Date(2020, 5, 1, 7, 59, 0, 0, sh)); s != renovote.NotOpen {
		t.Errorf("1 May 07:59: state %v, want not open", s)
	}

	phases := []struct {
		id             string
		starts, endsIn string // ends is the exclusive bound
	}{
		{"survey", "2020-05-01", "2020-06-01"},
		{"approvals", "2020-05-01", "2020-06-01"},
		{"tendering", "2020-05-01", "2020-06-01"},
		{"construction", "2020-06-01", "2021-06-01"},
		{"acceptance", "2021-06-01", "2021-07-01"},
		{"follow_up", "2021-07-01", "2021-08-01"},
	}
	if len(p.Phases) != len(phases) {
		t.Fatalf("%d phases, want %d", len(p.Phases), len(phases))
	}
	for i, w := range phases {
		ph := p.Phases[i]
		if ph.ID != w.id || ph.Starts.In(sh).Format(time.DateTime) != w.starts+" 00:00:00" || ph.Ends.In(sh).Format(time.DateTime) != w.endsIn+" 00:00:00" {
			t.Errorf("phase %d = %s %v – %v, want %s %s – %s", i, ph.ID, ph.Starts, ph.Ends, w.id, w.starts, w.endsIn)
		}
	}

	if len(p.Menu.Classes) != 2 || p.Menu.Classes[0].Name != "必改" || !p.Menu.Classes[0].Required ||
		p.Menu.Classes[1].Name != "提升" || p.Menu.Classes[1].Required {
		t.Errorf("classes = %+v", p.Menu.Classes)
	}
	count := func(part renovote.MenuPart, class string) int {
		n := 0
		for _, it := range part.Items {
			if it.Class == class {
				n++
			}
		}
		return n
	}
	if len(p.Menu.Parts) != 2 {
		t.Fatalf("%d menu parts, want 2", len(p.Menu.Parts))
	}
	b, pub := p.Menu.Parts[0], p.Menu.Parts[1]
	if b.Name != "居民住宅建筑" || b.Goal != "屋顶不漏、底层不堵、楼道不暗、管线不乱" || count(b, "must") != 10 || count(b, "upgrade") != 5 {
		t.Errorf("building part: %s %s must %d upgrade %d", b.Name, b.Goal, count(b, "must"), count(b, "upgrade"))
	}
	if pub.Name != "小区公共区域" || count(pub, "must") != 14 || count(pub, "upgrade") != 6 {
		t.Errorf("public part: %s must %d upgrade %d", pub.Name, count(pub, "must"), count(pub, "upgrade"))
	}
	// The survey runs through the survey phase: 1 May 08:00 to 31 May 24:00.
	surveyOpens := time.Date(2020, 5, 1, 8, 0, 0, 0, sh)
	surveyCloses := time.Date(2020, 6, 1, 0, 0, 0, 0, sh)
	for _, c := range p.Compounds {
		if !c.Survey.Opens.Equal(surveyOpens) || !c.Survey.Closes.Equal(surveyCloses) {
			t.Errorf("%s: survey %v – %v, want %v – %v", c.ID, c.Survey.Opens, c.Survey.Closes, surveyOpens, surveyCloses)
		}
	}
	if s := p.Compounds[0].Survey.State(time.Date(2020, 5, 31, 23, 59, 59, 0, sh)); s != renovote.Open {
		t.Errorf("31 May 23:59:59: survey %v, want open", s)
	}
	if !slices.Equal(p.ContributionBands, []renovote.ContributionBand{
		{ID: "lt500", Name: "500元以下"}, {ID: "500_2000", Name: "500–2000元"}, {ID: "gt2000", Name: "2000元以上"},
	}) {
		t.Errorf("contribution bands %+v", p.ContributionBands)
	}
	for _, name := range []string{"屋面修缮", "房屋结构安全监测设施", "适老性改造", "快递设施"} {
		found := false
		for _, part := range p.Menu.Parts {
			found = found || slices.ContainsFunc(part.Items, func(it renovote.MenuItem) bool { return it.Name == name })
		}
		if !found {
			t.Errorf("menu lacks %s", name)
		}
	}
}

func TestSeedCopyInExamples(t *testing.T) {
	ex, err := os.ReadFile(filepath.Join("..", "examples", "fenggang-2020.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ex, programme.SeedYAML()) {
		t.Fatal("examples/fenggang-2020.yaml differs from programme/seed/fenggang-2020.yaml; copy the seed over it")
	}
	p, err := programme.Load(filepath.Join("..", "examples", "fenggang-2020.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Compounds) != 5 {
		t.Fatalf("%d compounds", len(p.Compounds))
	}
}

func TestSeedYAMLIsACopy(t *testing.T) {
	b := programme.SeedYAML()
	b[0] = 'X'
	if programme.SeedYAML()[0] == 'X' {
		t.Fatal("SeedYAML returns the embedded slice itself")
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := programme.Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want not exist", err)
	}
}

func TestLoadBadFileNamesPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(path, []byte("id: BAD\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := programme.Load(path)
	var v *renovote.ValidationError
	if !errors.As(err, &v) || !errors.Is(err, renovote.ErrInvalid) || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v", err)
	}
}

// minimal is a valid programme the bad cases below start from.
const minimal = `id: demo
name: Demo
ballot:
  opens: 2020-05-01
  closes: 2020-05-20
compounds:
  - id: a
    name: A
menu:
  classes:
    - {id: must, name: 必改, required: true}
  parts:
    - id: building
      name: 居民住宅建筑
      items:
        - {id: roof, name: 屋面修缮, class: must}
`

func TestMinimal(t *testing.T) {
	p, err := programme.Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if p.TimeZone != programme.DefaultTimeZone || p.Compounds[0].Rule.Name != renovote.RuleCounty || p.Compounds[0].PublishTally {
		t.Fatalf("defaults: %+v", p)
	}
}

// want is one expected problem: its path, a piece of its message, and the line
// that must appear in the message (0: none expected).
type want struct {
	path, msg string
	line      int
}

func TestBadFiles(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want []want
	}{
		{
			name: "unknown rule preset",
			yaml: strings.Replace(minimal, "    name: A\n", "    name: A\n    rule: country\n", 1),
			want: []want{{"compounds[0].rule", `unknown rule preset "country"`, 9}},
		},
		{
			name: "bad fractions",
			yaml: strings.Replace(minimal, "    name: A\n", `    name: A
    rule:
      tests:
        - {name: t1, num: agree, den: households, fraction: "0.66"}
        - {name: t2, num: agree, den: households, fraction: 3/2}
        - {name: t3, num: agree, den: households}
        - {name: t4, num: agreed, den: area, fraction: 1/2}
`, 1),
			want: []want{
				{"compounds[0].rule.tests[0].fraction", `want a fraction such as "2/3", got "0.66"`, 11},
				{"compounds[0].rule.tests[1].fraction", "0 < p < q, got 3/2", 12},
				{"compounds[0].rule.tests[2].fraction", "missing", 13},
				{"compounds[0].rule.tests[3].num", `unknown quantity "agreed"`, 14},
			},
		},
		{
			name: "duplicate compound id",
			yaml: strings.Replace(minimal, "    name: A\n", "    name: A\n  - id: a\n    name: B\n", 1),
			want: []want{{"compounds[1].id", `"a" is already used by compounds[0]`, 9}},
		},
		{
			name: "closes before opens",
			yaml: strings.Replace(minimal, "    name: A\n", "    name: A\n    ballot: {opens: 2020-06-01 08:00, closes: 2020-05-31}\n", 1),
			want: []want{{"compounds[0].ballot", "closes must be after opens", 9}},
		},
		{
			name: "programme window closes before opens, inherited by two compounds",
			yaml: strings.Replace(strings.Replace(minimal, "closes: 2020-05-20", "closes: 2020-04-20", 1),
				"    name: A\n", "    name: A\n  - id: b\n    name: B\n", 1),
			want: []want{{"ballot", "closes must be after opens", 3}},
		},
		{
			name: "unknown menu class",
			yaml: strings.Replace(minimal, "class: must}", "class: upgrade}", 1),
			want: []want{{"menu.parts[0].items[0].class", `unknown class "upgrade"`, 16}},
		},
		{
			name: "unknown fields",
			yaml: strings.Replace(minimal, "    name: A\n", "    name: A\n    households: 55\n", 1) + "colour: red\n",
			want: []want{
				{"compounds[0].households", `unknown field "households"`, 9},
				{"colour", `unknown field "colour"`, 18},
			},
		},
		{
			name: "bad time zone",
			yaml: "time_zone: Asia/Fenggang\n" + minimal,
			want: []want{{"time_zone", `unknown time zone "Asia/Fenggang"`, 1}},
		},
		{
			name: "bad dates",
			yaml: strings.Replace(strings.Replace(minimal, "closes: 2020-05-20", "closes: 2020-13-01", 1),
				"    name: A\n", "    name: A\n    ballot: {opens: 1 May 2020}\n", 1),
			want: []want{
				{"ballot.closes", `not a date-time "2020-13-01": month out of range`, 5},
				{"compounds[0].ballot.opens", `not a date-time "1 May 2020"`, 9},
			},
		},
		{
			name: "missing window",
			yaml: strings.Replace(minimal, "ballot:\n  opens: 2020-05-01\n  closes: 2020-05-20\n", "", 1),
			want: []want{
				{"compounds[0].ballot.opens", "missing", 4},
				{"compounds[0].ballot.closes", "missing", 4},
			},
		},
		{
			name: "wrong shapes",
			yaml: strings.Replace(minimal, "    name: A\n", "    name: [A]\n    planned_households: many\n    publish_tally: maybe\n", 1),
			want: []want{
				{"compounds[0].name", "want a string, got a list", 8},
				{"compounds[0].planned_households", `want a whole number, got "many"`, 9},
				{"compounds[0].publish_tally", `want true or false, got "maybe"`, 10},
			},
		},
		{
			name: "duplicate key",
			yaml: strings.Replace(minimal, "name: Demo\n", "name: Demo\nname: Again\n", 1),
			want: []want{{"name", `duplicate key "name", first at line 2`, 3}},
		},
		{
			name: "bad phase",
			yaml: minimal + "phases:\n  - {id: Survey, name: 摸底调查, starts: 2020-06-01, ends: 2020-05-01}\n  - {id: build, name: 施工, starts: 2020-06-01}\n",
			want: []want{
				{"phases[0].id", `"Survey" must be 1-32 of a-z 0-9 _`, 18},
				{"phases[0]", "ends before it starts", 18},
				{"phases[1]", "starts and ends are required", 19},
			},
		},
		{
			name: "everything at once",
			yaml: `time_zone: Nowhere/Else
id: demo
name: Demo
rule: county
ballot: {opens: 2020-05-01, closes: 2020-02-30}
compounds:
  - {id: a, name: A, rule: majority}
  - {id: a, name: B, rule: {tests: [{name: t, num: agree, den: households, fraction: two thirds}]}}
  - {id: c, name: C, ballot: {opens: 2020-06-01, closes: 2020-05-01}, extra: 1}
menu:
  classes: [{id: must, name: 必改}]
  parts: [{id: p, name: P, items: [{id: i, name: I, class: tisheng}]}]
`,
			want: []want{
				{"time_zone", `unknown time zone "Nowhere/Else"`, 1},
				{"ballot.closes", `not a date-time "2020-02-30": day out of range`, 5},
				{"compounds[0].rule", `unknown rule preset "majority"`, 7},
				{"compounds[1].id", `"a" is already used by compounds[0]`, 8},
				{"compounds[1].rule.tests[0].fraction", `got "two thirds"`, 8},
				{"compounds[2].extra", `unknown field "extra"`, 9},
				{"compounds[2].ballot", "closes must be after opens", 9},
				{"menu.parts[0].items[0].class", `unknown class "tisheng"`, 12},
			},
		},
		{
			name: "compound survey closes before opens",
			yaml: strings.Replace(minimal, "    name: A\n", "    name: A\n    survey: {opens: 2020-06-01 08:00, closes: 2020-05-31}\n", 1),
			want: []want{{"compounds[0].survey", "closes must be after opens", 9}},
		},
		{
			name: "programme survey closes before opens, inherited by two compounds",
			yaml: strings.Replace(minimal, "compounds:\n", "survey: {opens: 2020-06-01, closes: 2020-05-01}\ncompounds:\n  - {id: b, name: B}\n", 1),
			want: []want{{"survey", "closes must be after opens", 6}},
		},
		{
			name: "programme survey with one bound, inherited by two compounds",
			yaml: strings.Replace(minimal, "compounds:\n", "survey:\n  closes: 2020-05-31\ncompounds:\n  - {id: b, name: B}\n", 1),
			want: []want{{"survey", "opens and closes are both required", 6}},
		},
		{
			name: "compound survey with one bound and no programme survey",
			yaml: strings.Replace(minimal, "    name: A\n", "    name: A\n    survey: {closes: 2020-05-31}\n", 1),
			want: []want{{"compounds[0].survey", "opens and closes are both required", 9}},
		},
		{
			name: "compound's bound makes the inherited survey window wrong",
			yaml: strings.Replace(strings.Replace(minimal, "    name: A\n", "    name: A\n    survey: {closes: 2020-04-30}\n  - {id: b, name: B}\n", 1),
				"compounds:\n", "survey: {opens: 2020-05-01, closes: 2020-05-31}\ncompounds:\n", 1),
			want: []want{{"compounds[0].survey", "closes must be after opens", 10}},
		},
		{
			name: "bad survey dates and fields",
			yaml: strings.Replace(strings.Replace(minimal, "    name: A\n", "    name: A\n    survey: {opens: 2020-05-32, until: 2020-06-01}\n", 1),
				"compounds:\n", "survey: {opens: 2020-05-01, closes: 31 May}\ncompounds:\n", 1),
			want: []want{
				{"survey.closes", `not a date-time "31 May"`, 6},
				{"compounds[0].survey.opens", `not a date-time "2020-05-32": day out of range`, 10},
				{"compounds[0].survey.until", `unknown field "until" (known: opens, closes)`, 10},
			},
		},
		{
			name: "bad contribution bands",
			yaml: minimal + `contribution_bands:
  - {id: lt500, name: 500元以下}
  - {id: lt500, name: 五百元以下}
  - {id: "500-2000", name: 500–2000元}
  - {id: gt2000}
  - {id: any, name: 愿意, amount: 1}
`,
			want: []want{
				{"contribution_bands[1].id", `"lt500" is used twice`, 19},
				{"contribution_bands[2].id", `"500-2000" must be 1-32 of a-z 0-9 _`, 20},
				{"contribution_bands[3].name", "missing", 21},
				{"contribution_bands[4].amount", `unknown field "amount"`, 22},
			},
		},
		{
			name: "contribution bands not a list",
			yaml: minimal + "contribution_bands: {id: lt500, name: 500元以下}\n",
			want: []want{{"contribution_bands", "want a list, got a mapping", 17}},
		},
		{
			name: "syntax error",
			yaml: "id: demo\nname: [unclosed\n",
			want: []want{{"file", "line", 0}},
		},
		{
			name: "empty file",
			yaml: "# nothing\n",
			want: []want{{"file", "empty programme file", 0}},
		},
		{
			name: "not a mapping",
			yaml: "- id: demo\n",
			want: []want{{"file", "want a mapping of the programme's fields, got a list", 1}},
		},
		{
			name: "two documents",
			yaml: minimal + "---\nid: other\n",
			want: []want{{"file", "more than one YAML document", 0}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := programme.Parse([]byte(tc.yaml))
			var v *renovote.ValidationError
			if !errors.As(err, &v) {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			if !errors.Is(err, renovote.ErrInvalid) {
				t.Error("error does not match ErrInvalid")
			}
			if p.ID != "" || p.Compounds != nil {
				t.Errorf("a programme came back with the error: %+v", p)
			}
			if len(v.Problems) != len(tc.want) {
				t.Errorf("%d problems, want %d:\n%v", len(v.Problems), len(tc.want), err)
			}
			for _, w := range tc.want {
				i := slices.IndexFunc(v.Problems, func(p renovote.Problem) bool {
					return p.Path == w.path && strings.Contains(p.Msg, w.msg)
				})
				if i < 0 {
					t.Errorf("no problem %s: …%s…\n%v", w.path, w.msg, err)
					continue
				}
				if w.line > 0 && !strings.HasSuffix(v.Problems[i].Msg, "(line "+strconv.Itoa(w.line)+")") {
					t.Errorf("%s: message %q lacks (line %d)", w.path, v.Problems[i].Msg, w.line)
				}
			}
		})
	}
}

func TestCustomAndInheritedRules(t *testing.T) {
	y := strings.Replace(minimal, "compounds:\n", `rule: civil_code_major
publish_tally: true
compounds:
  - id: custom
    name: Custom
    publish_tally: false
    rule:
      name: owners_half
      tests:
        - {name: owners, num: agree_owners, den: owners, fraction: " 1 / 2 ", strict: true}
        - name: area
          num: agree_area
          den: area
          fraction: 2/3
  - id: preset_map
    name: PresetMap
    rule: {name: civil_code_ordinary}
`, 1)
	p, err := programme.Parse([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := p.Compound("custom")
	wantTests := []renovote.Test{
		{Name: "owners", Num: renovote.QAgreeOwners, Den: renovote.QOwners, Fraction: renovote.Fraction{P: 1, Q: 2}, Strict: true},
		{Name: "area", Num: renovote.QAgreeArea, Den: renovote.QArea, Fraction: renovote.Fraction{P: 2, Q: 3}},
	}
	if c.Rule.Name != "owners_half" || !slices.Equal(c.Rule.Tests, wantTests) || c.PublishTally {
		t.Errorf("custom: %+v publish %v", c.Rule, c.PublishTally)
	}
	c, _ = p.Compound("preset_map")
	if c.Rule.Name != renovote.RuleCivilCodeOrdinary {
		t.Errorf("preset_map rule = %s", c.Rule.Name)
	}
	c, _ = p.Compound("a")
	major, _ := renovote.PresetRule(renovote.RuleCivilCodeMajor)
	if c.Rule.Name != major.Name || !slices.Equal(c.Rule.Tests, major.Tests) || !c.PublishTally {
		t.Errorf("a: inherited %+v publish %v", c.Rule, c.PublishTally)
	}
}

func TestInheritedRuleProblemReportedOnce(t *testing.T) {
	y := strings.Replace(minimal, "compounds:\n", `rule:
  tests: [{name: t, num: agree, den: area, fraction: 2/3}]
compounds:
  - {id: b, name: B}
`, 1)
	_, err := programme.Parse([]byte(y))
	var v *renovote.ValidationError
	if !errors.As(err, &v) || len(v.Problems) != 1 || v.Problems[0].Path != "rule.tests[0]" ||
		!strings.Contains(v.Problems[0].Msg, "both be areas or both be counts") {
		t.Fatalf("err = %v", err)
	}
}

func TestSurveyWindows(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, sh) }

	// No survey anywhere: no window, and the default bands.
	p, err := programme.Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if c := p.Compounds[0]; !c.Survey.Opens.IsZero() || !c.Survey.Closes.IsZero() {
		t.Errorf("survey %+v, want none", c.Survey)
	}
	if p.ContributionBands != nil || !slices.Equal(p.Bands(), renovote.DefaultContributionBands) {
		t.Errorf("bands %+v / %+v, want the defaults", p.ContributionBands, p.Bands())
	}

	y := strings.Replace(minimal, "compounds:\n", `survey:
  opens: 2020-05-01 08:00
  closes: 2020-05-31
contribution_bands: []
compounds:
  - id: own
    name: Own
    survey: {opens: 2020-05-10, closes: 2020-05-20 18:00}
  - id: half
    name: Half
    survey: {closes: 2020-06-15}
  - id: empty
    name: Empty
    survey: {}
`, 1)
	p, err = programme.Parse([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		id            string
		opens, closes time.Time
	}{
		{"a", at(2020, 5, 1, 8), at(2020, 6, 1, 0)}, // inherited; a date alone closes at the end of the day
		{"own", at(2020, 5, 10, 0), at(2020, 5, 20, 18)},
		{"half", at(2020, 5, 1, 8), at(2020, 6, 16, 0)},
		{"empty", at(2020, 5, 1, 8), at(2020, 6, 1, 0)},
	} {
		c, ok := p.Compound(w.id)
		if !ok || !c.Survey.Opens.Equal(w.opens) || !c.Survey.Closes.Equal(w.closes) {
			t.Errorf("%s: survey %v – %v, want %v – %v", w.id, c.Survey.Opens, c.Survey.Closes, w.opens, w.closes)
		}
	}
	if p.ContributionBands != nil {
		t.Errorf("an empty list of bands gave %+v", p.ContributionBands)
	}

	p, err = programme.Parse([]byte(minimal + "contribution_bands:\n  - {id: none_yet, name: \" 暂不确定 \"}\n  - {id: any, name: 愿意出资}\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []renovote.ContributionBand{{ID: "none_yet", Name: "暂不确定"}, {ID: "any", Name: "愿意出资"}}
	if !slices.Equal(p.ContributionBands, want) || !slices.Equal(p.Bands(), want) {
		t.Errorf("bands %+v", p.ContributionBands)
	}
}

// Another programme changes only its file: the example with the national
// guideline's three classes parses, keeps the seed's compounds, windows,
// phases, bands and items, and only the classes differ.
func TestNationalClassesExample(t *testing.T) {
	p, err := programme.Load(filepath.Join("..", "examples", "national-classes.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	seed := programme.Seed()
	wantClasses := []renovote.MenuClass{
		{ID: "basic", Name: "基础类", Required: true},
		{ID: "improve", Name: "完善类"},
		{ID: "enhance", Name: "提升类"},
	}
	if !slices.Equal(p.Menu.Classes, wantClasses) {
		t.Fatalf("classes %+v", p.Menu.Classes)
	}
	if p.ID == seed.ID {
		t.Errorf("the example has the seed's id %q", p.ID)
	}
	if !reflect.DeepEqual(p.Compounds, seed.Compounds) || !reflect.DeepEqual(p.Phases, seed.Phases) ||
		!reflect.DeepEqual(p.ContributionBands, seed.ContributionBands) || p.TimeZone != seed.TimeZone {
		t.Error("the example differs from the seed beyond its menu")
	}
	perClass := map[string]int{}
	if len(p.Menu.Parts) != len(seed.Menu.Parts) {
		t.Fatalf("%d parts", len(p.Menu.Parts))
	}
	for i, part := range p.Menu.Parts {
		sp := seed.Menu.Parts[i]
		if part.ID != sp.ID || part.Name != sp.Name || len(part.Items) != len(sp.Items) {
			t.Fatalf("part %d: %s %s, %d items", i, part.ID, part.Name, len(part.Items))
		}
		for j, it := range part.Items {
			if it.ID != sp.Items[j].ID || it.Name != sp.Items[j].Name {
				t.Errorf("%s item %d: %+v, seed %+v", part.ID, j, it, sp.Items[j])
			}
			perClass[it.Class]++
		}
	}
	if perClass["basic"] == 0 || perClass["improve"] == 0 || perClass["enhance"] == 0 || len(perClass) != 3 {
		t.Errorf("items per class %v", perClass)
	}
	// The survey follows the classes: basic items are ranked, the others are upgrades.
	ref := renovote.HouseholdRef{CompoundID: "liangmao", HouseholdID: "1-1-101"}
	a := renovote.SurveyAnswer{Ref: ref, Urgent: map[string][]string{"building": {"roof_repair", "security_doors"}},
		Upgrades: []string{"structural_monitoring", "parking"}, Actor: "tg:1", At: p.Compounds[0].Survey.Opens}
	if err := a.Validate(p); err != nil {
		t.Errorf("answer of the national menu: %v", err)
	}
	if err := a.Validate(seed); err == nil {
		t.Error("security_doors ranked urgent in the county menu, where it is an upgrade")
	}
	a.Urgent = map[string][]string{"public": {"parking"}} // 完善类: not ranked
	if err := a.Validate(p); !errors.Is(err, renovote.ErrInvalid) {
		t.Errorf("parking ranked urgent: %v", err)
	}
}

func TestWindowOverridesOneBound(t *testing.T) {
	y := strings.Replace(minimal, "    name: A\n", "    name: A\n    ballot: {closes: 2020-05-25 18:00}\n", 1)
	p, err := programme.Parse([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	w := p.Compounds[0].Ballot
	if !w.Opens.Equal(time.Date(2020, 5, 1, 0, 0, 0, 0, sh)) || !w.Closes.Equal(time.Date(2020, 5, 25, 18, 0, 0, 0, sh)) {
		t.Fatalf("window %v – %v", w.Opens, w.Closes)
	}
}

func TestJSONIsAccepted(t *testing.T) {
	js := `{"id": "demo", "name": "Demo", "time_zone": "Asia/Shanghai",
  "ballot": {"opens": "2020-05-01T08:00:00", "closes": "2020-05-20"},
  "compounds": [{"id": "a", "name": "A", "planned_households": 55, "rule": "county"}],
  "menu": {"classes": [{"id": "must", "name": "必改", "required": true}],
           "parts": [{"id": "p", "name": "P", "items": [{"id": "i", "name": "I", "class": "must"}]}]}}`
	p, err := programme.Parse([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	if p.Compounds[0].PlannedHouseholds != 55 || p.Compounds[0].Ballot.Opens.UTC().Hour() != 0 {
		t.Fatalf("%+v", p.Compounds[0])
	}
}

func TestTimeZone(t *testing.T) {
	// Whatever the machine's zone, times are read in the programme's zone.
	saved := time.Local
	t.Cleanup(func() { time.Local = saved })
	for _, local := range []string{"UTC", "America/New_York", "Asia/Shanghai", "Pacific/Kiritimati"} {
		l, err := time.LoadLocation(local)
		if err != nil {
			t.Fatal(err)
		}
		time.Local = l
		p, err := programme.Parse([]byte(minimal))
		if err != nil {
			t.Fatal(err)
		}
		w := p.Compounds[0].Ballot
		if got, want := w.Opens.UTC(), time.Date(2020, 4, 30, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
			t.Errorf("local %s: opens %v, want %v", local, got, want)
		}
		if got, want := w.Closes.UTC(), time.Date(2020, 5, 20, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
			t.Errorf("local %s: closes %v, want %v", local, got, want)
		}
		if _, off := w.Opens.Zone(); off != 8*3600 {
			t.Errorf("local %s: opens offset %d, want +8h", local, off)
		}
		seed := programme.Seed().Compounds[0].Ballot.Opens
		if got, want := seed.UTC(), time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
			t.Errorf("local %s: seed opens %v, want %v", local, got, want)
		}
	}

	// Another zone, with summer time: Berlin is UTC+2 in May.
	p, err := programme.Parse([]byte("time_zone: Europe/Berlin\n" + strings.Replace(minimal, "opens: 2020-05-01", "opens: 2020-05-01 08:00", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Compounds[0].Ballot.Opens.UTC(), time.Date(2020, 5, 1, 6, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Berlin opens %v, want %v", got, want)
	}
}

func TestParseTime(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	cases := []struct {
		in   string
		end  bool
		want time.Time
		err  string
	}{
		{in: "2020-05-01", want: utc("2020-04-30T16:00:00Z")},
		{in: "2020-05-01", end: true, want: utc("2020-05-01T16:00:00Z")},
		{in: "2020-12-31", end: true, want: utc("2020-12-31T16:00:00Z")}, // 2021-01-01 00:00 +08
		{in: "2020-05-01 08:00", want: utc("2020-05-01T00:00:00Z")},
		{in: "2020-05-01 08:00", end: true, want: utc("2020-05-01T00:00:00Z")}, // a time is exact
		{in: "2020-05-01 08:00:30", want: utc("2020-05-01T00:00:30Z")},
		{in: "2020-05-01T08:00", want: utc("2020-05-01T00:00:00Z")},
		{in: "2020-05-01T08:00:00", want: utc("2020-05-01T00:00:00Z")},
		{in: "2020-05-01T08:00:00+08:00", want: utc("2020-05-01T00:00:00Z")},
		{in: "2020-05-01T08:00:00Z", want: utc("2020-05-01T08:00:00Z")},
		{in: "2020-05-01 08:00:00-04:00", want: utc("2020-05-01T12:00:00Z")},
		{in: "2020-05-01T08:00:00.5+08:00", want: utc("2020-05-01T00:00:00Z").Add(500 * time.Millisecond)},
		{in: " 2020-05-01 ", want: utc("2020-04-30T16:00:00Z")},
		{in: "2020-13-01", err: `not a date-time "2020-13-01": month out of range`},
		{in: "2020-02-30", err: "day out of range"},
		{in: "2020-05-01 25:00", err: "hour out of range"},
		{in: "2020/05/01", err: "want 2020-05-01"},
		{in: "May 1", err: "want 2020-05-01"},
		{in: "", err: "want 2020-05-01"},
		{in: "2020-05-01T08:00:00+8", err: "want 2020-05-01"},
	}
	for _, tc := range cases {
		got, err := programme.ParseTime(tc.in, sh, tc.end)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, renovote.ErrInvalid) {
				t.Errorf("ParseTime(%q) err = %v, want …%s…", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseTime(%q, end=%v) = %v, %v; want %v", tc.in, tc.end, got, err, tc.want)
		}
	}
}

func TestDefaultZoneFromDeployment(t *testing.T) {
	data := []byte(strings.Replace(string(programme.SeedYAML()), "time_zone: Asia/Shanghai\n", "", 1))
	if string(data) == string(programme.SeedYAML()) {
		t.Fatal("seed has no time_zone line to remove")
	}
	p, err := programme.ParseIn(data, "Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	if p.TimeZone != "Europe/Berlin" {
		t.Fatalf("time zone %q, want the deployment's", p.TimeZone)
	}
	if _, off := p.Compounds[0].Ballot.Opens.Zone(); off != 2*3600 {
		t.Fatalf("opens %v not read in Berlin summer time", p.Compounds[0].Ballot.Opens)
	}
	q, err := programme.Parse(data)
	if err != nil || q.TimeZone != programme.DefaultTimeZone {
		t.Fatalf("Parse without time_zone: %q %v", q.TimeZone, err)
	}
}
