package programme

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/renovote/renovote"
)

//go:embed seed/fenggang-2020.yaml
var seedYAML []byte

// SeedYAML returns a copy of the seed programme file (Fenggang County 2020).
func SeedYAML() []byte { return bytes.Clone(seedYAML) }

// Seed returns the seed programme, Fenggang County 2020. It panics if the
// embedded file is invalid, which the package's tests rule out.
func Seed() renovote.Programme {
	p, err := Parse(seedYAML)
	if err != nil {
		panic("programme: embedded seed: " + err.Error())
	}
	return p
}

// Load reads and parses the programme file at path.
func Load(path string) (renovote.Programme, error) { return LoadIn(path, DefaultTimeZone) }

// LoadIn is Load with the time zone used when the file names none (the
// deployment's RENOVOTE_TZ).
func LoadIn(path, defaultZone string) (renovote.Programme, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return renovote.Programme{}, fmt.Errorf("load programme: %w", err)
	}
	p, err := ParseIn(data, defaultZone)
	if err != nil {
		return renovote.Programme{}, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// The file structs mirror the file format; see the package documentation.
type (
	fileProgramme struct {
		ID           string         `yaml:"id"`
		Name         string         `yaml:"name"`
		TimeZone     string         `yaml:"time_zone"`
		MaxMembers   int            `yaml:"max_members"`
		PublishTally *bool          `yaml:"publish_tally"`
		Rule         *fileRule      `yaml:"rule"`
		Ballot       *fileWindow    `yaml:"ballot"`
		Survey       *fileWindow    `yaml:"survey"`
		Publicity    *fileWindow    `yaml:"publicity"`
		Compounds    []fileCompound `yaml:"compounds"`
		Phases       []filePhase    `yaml:"phases"`
		Menu         fileMenu       `yaml:"menu"`
		Bands        []fileBand     `yaml:"contribution_bands"`
		Reminders    *fileReminders `yaml:"reminders"`
		Digest       string         `yaml:"digest"`
	}
	fileReminders struct {
		Specs              []string `yaml:"specs"`
		LastDayBeforeClose *bool    `yaml:"last_day_before_close"`
		QuietHours         string   `yaml:"quiet_hours"`
		Cap                int      `yaml:"cap"`
		Enabled            *bool    `yaml:"enabled"`
	}
	fileCompound struct {
		ID                string      `yaml:"id"`
		Name              string      `yaml:"name"`
		PlannedHouseholds int64       `yaml:"planned_households"`
		Plan              string      `yaml:"plan"`
		PublishTally      *bool       `yaml:"publish_tally"`
		Rule              *fileRule   `yaml:"rule"`
		Ballot            *fileWindow `yaml:"ballot"`
		Survey            *fileWindow `yaml:"survey"`
		Publicity         *fileWindow `yaml:"publicity"`
	}
	fileWindow struct {
		Opens  string `yaml:"opens"`
		Closes string `yaml:"closes"`
	}
	fileRuleBody struct {
		Name  string     `yaml:"name"`
		Tests []fileTest `yaml:"tests"`
	}
	fileTest struct {
		Name     string `yaml:"name"`
		Num      string `yaml:"num"`
		Den      string `yaml:"den"`
		Fraction string `yaml:"fraction"`
		Strict   bool   `yaml:"strict"`
	}
	filePhase struct {
		ID          string `yaml:"id"`
		Name        string `yaml:"name"`
		Starts      string `yaml:"starts"`
		Ends        string `yaml:"ends"`
		Description string `yaml:"description"`
		Residents   string `yaml:"residents"`
	}
	fileMenu struct {
		Classes []fileClass `yaml:"classes"`
		Parts   []filePart  `yaml:"parts"`
	}
	fileClass struct {
		ID       string `yaml:"id"`
		Name     string `yaml:"name"`
		Required bool   `yaml:"required"`
	}
	filePart struct {
		ID    string     `yaml:"id"`
		Name  string     `yaml:"name"`
		Goal  string     `yaml:"goal"`
		Items []fileItem `yaml:"items"`
	}
	fileItem struct {
		ID    string `yaml:"id"`
		Name  string `yaml:"name"`
		Class string `yaml:"class"`
	}
	fileBand struct {
		ID   string `yaml:"id"`
		Name string `yaml:"name"`
	}
)

// fileRule is a preset name ("county") or a mapping with a name and tests.
type fileRule struct {
	Preset string
	Body   fileRuleBody
}

func (r *fileRule) decodeNode(w *walker, n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.ScalarNode:
		r.Preset = strings.TrimSpace(n.Value)
		if r.Preset == "" {
			w.add(path, n.Line, "empty rule: want a preset name or a list of tests")
		}
	case yaml.MappingNode:
		w.decodeStruct(n, path, reflectValue(&r.Body))
	default:
		w.add(path, n.Line, "want a preset name ("+presetList+") or a mapping with tests, got "+kindName(n))
	}
}

var presets = []string{renovote.RuleCounty, renovote.RuleCivilCodeMajor, renovote.RuleCivilCodeOrdinary}

var presetList = strings.Join(presets, ", ")

// Parse reads a programme file (YAML, or JSON) and validates the programme. On
// any problem it returns a *renovote.ValidationError listing all of them.
func Parse(data []byte) (renovote.Programme, error) { return ParseIn(data, DefaultTimeZone) }

// ParseIn is Parse with the time zone used when the file names none.
func ParseIn(data []byte, defaultZone string) (renovote.Programme, error) {
	w := newWalker()
	var fp fileProgramme
	if err := decodeFile(data, w, &fp); err != nil {
		return renovote.Programme{}, err
	}
	if defaultZone == "" {
		defaultZone = DefaultTimeZone
	}
	c := converter{w: w, defaultZone: defaultZone}
	p := c.programme(&fp)
	c.validate(p)
	if len(w.problems) > 0 {
		slices.SortStableFunc(w.problems, func(a, b problem) int {
			switch {
			case a.line == b.line:
				return 0
			case a.line == 0:
				return 1
			case b.line == 0:
				return -1
			}
			return a.line - b.line
		})
		v := &renovote.ValidationError{What: "programme"}
		for _, pr := range w.problems {
			msg := pr.msg
			if pr.line > 0 {
				msg += " (line " + strconv.Itoa(pr.line) + ")"
			}
			v.Add(pr.path, msg)
		}
		return renovote.Programme{}, v
	}
	return p, nil
}

// decodeFile parses the YAML and walks it into fp. A syntax error ends the
// parse at once: it is returned as a ValidationError with the path "file".
func decodeFile(data []byte, w *walker, fp *fileProgramme) error {
	fileErr := func(msg string) error {
		return &renovote.ValidationError{What: "programme", Problems: []renovote.Problem{{Path: "file", Msg: msg}}}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return fileErr("empty programme file")
		}
		return fileErr(strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		if err != nil {
			return fileErr(strings.TrimPrefix(err.Error(), "yaml: "))
		}
		return fileErr(fmt.Sprintf("more than one YAML document (second at line %d)", more.Line))
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if isNull(root) {
		return fileErr("empty programme file")
	}
	if root.Kind != yaml.MappingNode {
		return fileErr(fmt.Sprintf("want a mapping of the programme's fields, got %s (line %d)", kindName(root), root.Line))
	}
	// Aliases may repeat what the file holds, not blow it up: at most ten
	// times the file's own values (and 10,000 more for small files).
	w.limit = 10*countNodes(root) + 10_000
	w.decode(root, "", reflectValue(fp))
	if w.overflow {
		return fileErr(fmt.Sprintf("the file's aliases (*name) expand to more than %d values: write the values out, or repeat fewer of them", w.limit))
	}
	return nil
}

// converter turns the file structs into a renovote.Programme, recording
// problems, and remembers which compound values are inherited from the
// programme so that validation problems of those are reported once.
type converter struct {
	w   *walker
	loc *time.Location
	// defaultZone is the time zone of a file without time_zone.
	defaultZone string
	// inherited[i] holds the fields compound i takes from the programme:
	// "ballot.opens", "ballot.closes", "rule", "survey" and "publicity" (the
	// whole window).
	inherited []map[string]bool
}

func (c *converter) programme(fp *fileProgramme) renovote.Programme {
	p := renovote.Programme{
		ID:         strings.TrimSpace(fp.ID),
		Name:       strings.TrimSpace(fp.Name),
		TimeZone:   strings.TrimSpace(fp.TimeZone),
		MaxMembers: fp.MaxMembers,
	}
	if p.TimeZone == "" {
		p.TimeZone = c.defaultZone
	}
	loc, err := p.Location()
	if err != nil {
		c.w.add("time_zone", c.w.lineOf("time_zone"), fmt.Sprintf("unknown time zone %q (want an IANA name such as %s)", p.TimeZone, DefaultTimeZone))
		// Go on in the default zone to check the rest of the file.
		loc, _ = time.LoadLocation(DefaultTimeZone)
	}
	c.loc = loc

	defRule := renovote.DefaultRule()
	if fp.Rule != nil {
		defRule = c.rule(fp.Rule, "rule")
	}
	var defWin fileWindow
	if fp.Ballot != nil {
		defWin = *fp.Ballot
	}
	defOpens := c.time(defWin.Opens, "ballot.opens", false)
	defCloses := c.time(defWin.Closes, "ballot.closes", true)
	if !defOpens.IsZero() && !defCloses.IsZero() && !defCloses.After(defOpens) {
		c.w.add("ballot", c.w.lineOf("ballot"), "closes must be after opens")
	}
	var defSurvey fileWindow
	if fp.Survey != nil {
		defSurvey = *fp.Survey
	}
	defSurveyOpens := c.time(defSurvey.Opens, "survey.opens", false)
	defSurveyCloses := c.time(defSurvey.Closes, "survey.closes", true)
	if !defSurveyOpens.IsZero() && !defSurveyCloses.IsZero() && !defSurveyCloses.After(defSurveyOpens) {
		c.w.add("survey", c.w.lineOf("survey"), "closes must be after opens")
	}
	var defPublicity fileWindow
	if fp.Publicity != nil {
		defPublicity = *fp.Publicity
	}
	defPublicityOpens := c.time(defPublicity.Opens, "publicity.opens", false)
	defPublicityCloses := c.time(defPublicity.Closes, "publicity.closes", true)
	if !defPublicityOpens.IsZero() && !defPublicityCloses.IsZero() && !defPublicityCloses.After(defPublicityOpens) {
		c.w.add("publicity", c.w.lineOf("publicity"), "closes must be after opens")
	}

	for i, fc := range fp.Compounds {
		path := index("compounds", i)
		inh := map[string]bool{}
		cp := renovote.Compound{
			ID:                strings.TrimSpace(fc.ID),
			Name:              strings.TrimSpace(fc.Name),
			Plan:              strings.TrimSpace(fc.Plan),
			PlannedHouseholds: fc.PlannedHouseholds,
		}
		switch {
		case fc.Rule != nil:
			cp.Rule = c.rule(fc.Rule, path+".rule")
		default:
			cp.Rule = copyRule(defRule)
			inh["rule"] = fp.Rule != nil
		}
		var win fileWindow
		if fc.Ballot != nil {
			win = *fc.Ballot
		}
		if win.Opens == "" {
			cp.Ballot.Opens = defOpens
			inh["ballot.opens"] = defWin.Opens != ""
		} else {
			cp.Ballot.Opens = c.time(win.Opens, path+".ballot.opens", false)
		}
		if win.Closes == "" {
			cp.Ballot.Closes = defCloses
			inh["ballot.closes"] = defWin.Closes != ""
		} else {
			cp.Ballot.Closes = c.time(win.Closes, path+".ballot.closes", true)
		}
		// The survey window: each bound the compound leaves empty is the
		// programme's; none at all means no survey.
		var sw fileWindow
		if fc.Survey != nil {
			sw = *fc.Survey
		}
		if sw.Opens == "" {
			cp.Survey.Opens = defSurveyOpens
		} else {
			cp.Survey.Opens = c.time(sw.Opens, path+".survey.opens", false)
		}
		if sw.Closes == "" {
			cp.Survey.Closes = defSurveyCloses
		} else {
			cp.Survey.Closes = c.time(sw.Closes, path+".survey.closes", true)
		}
		inh["survey"] = fp.Survey != nil && (fc.Survey == nil || sw.Opens == "" && sw.Closes == "")
		// The publicity window (公示期), inherited bound by bound like the survey's.
		var pw fileWindow
		if fc.Publicity != nil {
			pw = *fc.Publicity
		}
		if pw.Opens == "" {
			cp.Publicity.Opens = defPublicityOpens
		} else {
			cp.Publicity.Opens = c.time(pw.Opens, path+".publicity.opens", false)
		}
		if pw.Closes == "" {
			cp.Publicity.Closes = defPublicityCloses
		} else {
			cp.Publicity.Closes = c.time(pw.Closes, path+".publicity.closes", true)
		}
		inh["publicity"] = fp.Publicity != nil && (fc.Publicity == nil || pw.Opens == "" && pw.Closes == "")
		switch {
		case fc.PublishTally != nil:
			cp.PublishTally = *fc.PublishTally
		case fp.PublishTally != nil:
			cp.PublishTally = *fp.PublishTally
		}
		p.Compounds = append(p.Compounds, cp)
		c.inherited = append(c.inherited, inh)
	}

	for i, fph := range fp.Phases {
		path := index("phases", i)
		p.Phases = append(p.Phases, renovote.Phase{
			ID:          strings.TrimSpace(fph.ID),
			Name:        strings.TrimSpace(fph.Name),
			Starts:      c.time(fph.Starts, path+".starts", false),
			Ends:        c.time(fph.Ends, path+".ends", true),
			Description: strings.TrimSpace(fph.Description),
			Residents:   strings.TrimSpace(fph.Residents),
		})
	}

	for _, cl := range fp.Menu.Classes {
		p.Menu.Classes = append(p.Menu.Classes, renovote.MenuClass{
			ID: strings.TrimSpace(cl.ID), Name: strings.TrimSpace(cl.Name), Required: cl.Required,
		})
	}
	for _, part := range fp.Menu.Parts {
		mp := renovote.MenuPart{ID: strings.TrimSpace(part.ID), Name: strings.TrimSpace(part.Name), Goal: strings.TrimSpace(part.Goal)}
		for _, it := range part.Items {
			mp.Items = append(mp.Items, renovote.MenuItem{
				ID: strings.TrimSpace(it.ID), Name: strings.TrimSpace(it.Name), Class: strings.TrimSpace(it.Class),
			})
		}
		p.Menu.Parts = append(p.Menu.Parts, mp)
	}

	p.Reminders, p.DigestSpec = c.calendar(fp)

	for _, b := range fp.Bands {
		p.ContributionBands = append(p.ContributionBands, renovote.ContributionBand{
			ID: strings.TrimSpace(b.ID), Name: strings.TrimSpace(b.Name),
		})
	}
	return p
}

// time parses a date-time of the file; empty is the zero time (a missing value
// is reported by validation).
func (c *converter) time(s, path string, end bool) time.Time {
	if strings.TrimSpace(s) == "" {
		return time.Time{}
	}
	t, err := ParseTime(s, c.loc, end)
	if err != nil {
		c.w.add(path, c.w.lineOf(path), err.Error())
		return time.Time{}
	}
	return t
}

func (c *converter) rule(fr *fileRule, path string) renovote.Rule {
	if fr.Preset != "" {
		r, ok := renovote.PresetRule(fr.Preset)
		if !ok {
			c.w.add(path, c.w.lineOf(path), fmt.Sprintf("unknown rule preset %q (want %s, or a mapping with tests)", fr.Preset, presetList))
		}
		return r
	}
	name := strings.TrimSpace(fr.Body.Name)
	if len(fr.Body.Tests) == 0 {
		if r, ok := renovote.PresetRule(name); ok {
			return r
		}
	}
	if name == "" {
		name = "custom"
	}
	r := renovote.Rule{Name: name}
	for j, ft := range fr.Body.Tests {
		tp := index(path+".tests", j)
		t := renovote.Test{
			Name:   strings.TrimSpace(ft.Name),
			Num:    renovote.Quantity(strings.TrimSpace(ft.Num)),
			Den:    renovote.Quantity(strings.TrimSpace(ft.Den)),
			Strict: ft.Strict,
		}
		if f, ok := parseFraction(ft.Fraction); ok {
			t.Fraction = f
		} else if strings.TrimSpace(ft.Fraction) == "" {
			c.w.add(tp+".fraction", c.w.lineOf(tp+".fraction"), `missing (want a fraction such as "2/3")`)
		} else {
			c.w.add(tp+".fraction", c.w.lineOf(tp+".fraction"), fmt.Sprintf(`want a fraction such as "2/3", got %q`, ft.Fraction))
		}
		r.Tests = append(r.Tests, t)
	}
	return r
}

// parseFraction reads "p/q" with p and q positive whole numbers. Whether p < q
// is left to validation.
func parseFraction(s string) (renovote.Fraction, bool) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return renovote.Fraction{}, false
	}
	p, err1 := strconv.ParseInt(strings.TrimSpace(a), 10, 64)
	q, err2 := strconv.ParseInt(strings.TrimSpace(b), 10, 64)
	if err1 != nil || err2 != nil || p <= 0 || q <= 0 {
		return renovote.Fraction{}, false
	}
	return renovote.Fraction{P: p, Q: q}, true
}

func copyRule(r renovote.Rule) renovote.Rule {
	r.Tests = slices.Clone(r.Tests)
	return r
}

// validate runs the domain validation on the converted programme and adds its
// problems, except those already explained by a problem of the file (a bad
// date is not also "missing"); a problem of a value a compound inherits from
// the programme is reported once, at the programme's path.
func (c *converter) validate(p renovote.Programme) {
	err := p.Validate()
	var v *renovote.ValidationError
	if !errors.As(err, &v) {
		return
	}
	fileProblems := slices.Clone(c.w.problems)
	seen := map[string]bool{}
	for _, pr := range v.Problems {
		path := c.remap(pr.Path)
		if slices.ContainsFunc(fileProblems, func(fp problem) bool { return related(fp.path, path) }) {
			continue
		}
		key := path + "\x00" + pr.Msg
		if seen[key] {
			continue
		}
		seen[key] = true
		c.w.add(path, c.w.lineOf(path), pr.Msg)
	}
}

// remap turns the path of a compound's inherited value into the programme's.
func (c *converter) remap(path string) string {
	var i int
	if _, err := fmt.Sscanf(path, "compounds[%d]", &i); err != nil || i < 0 || i >= len(c.inherited) {
		return path
	}
	prefix := index("compounds", i) + "."
	rest, ok := strings.CutPrefix(path, prefix)
	if !ok {
		return path
	}
	inh := c.inherited[i]
	switch {
	case rest == "ballot.opens" && inh["ballot.opens"],
		rest == "ballot.closes" && inh["ballot.closes"],
		rest == "ballot" && inh["ballot.opens"] && inh["ballot.closes"],
		(rest == "rule" || under(rest, "rule")) && inh["rule"],
		(rest == "survey" || under(rest, "survey")) && inh["survey"],
		(rest == "publicity" || under(rest, "publicity")) && inh["publicity"]:
		return rest
	}
	return path
}

// related reports whether one path is the other or lies under it.
func related(a, b string) bool { return a == b || under(a, b) || under(b, a) }

// under reports whether path lies strictly under parent.
func under(path, parent string) bool {
	return len(path) > len(parent) && strings.HasPrefix(path, parent) &&
		(path[len(parent)] == '.' || path[len(parent)] == '[')
}
