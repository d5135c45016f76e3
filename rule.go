package renovote

import "fmt"

// Fraction is an exact ratio P/Q with 0 < P < Q.
type Fraction struct {
	P int64 `json:"p" yaml:"p"`
	Q int64 `json:"q" yaml:"q"`
}

func (f Fraction) String() string { return fmt.Sprintf("%d/%d", f.P, f.Q) }

// Test is one condition of a consent rule: Num/Den >= P/Q ("以上", inclusive), or
// Num/Den > P/Q when Strict ("过半数"). A test whose denominator is zero fails.
type Test struct {
	Name     string   `json:"name" yaml:"name"`
	Num      Quantity `json:"num" yaml:"num"`
	Den      Quantity `json:"den" yaml:"den"`
	Fraction Fraction `json:"fraction" yaml:"fraction"`
	Strict   bool     `json:"strict,omitempty" yaml:"strict,omitempty"`
}

// Rule is a compound's consent rule: it passes when every test passes.
type Rule struct {
	Name  string `json:"name" yaml:"name"`
	Tests []Test `json:"tests" yaml:"tests"`
}

// Preset rule names.
const (
	RuleCounty            = "county"              // agree households >= 2/3 of all households
	RuleCivilCodeMajor    = "civil_code_major"    // art. 278 (funds, rebuilding, change of use)
	RuleCivilCodeOrdinary = "civil_code_ordinary" // art. 278, other matters
)

var (
	twoThirds     = Fraction{2, 3}
	threeQuarters = Fraction{3, 4}
	oneHalf       = Fraction{1, 2}
)

// PresetRule returns a named preset rule.
func PresetRule(name string) (Rule, bool) {
	participation := []Test{
		{Name: "participation_area", Num: QVotedArea, Den: QArea, Fraction: twoThirds},
		{Name: "participation_owners", Num: QVotedOwners, Den: QOwners, Fraction: twoThirds},
	}
	switch name {
	case RuleCounty:
		return Rule{Name: name, Tests: []Test{{Name: "households", Num: QAgree, Den: QHouseholds, Fraction: twoThirds}}}, true
	case RuleCivilCodeMajor:
		return Rule{Name: name, Tests: append(participation,
			Test{Name: "approval_area", Num: QAgreeArea, Den: QVotedArea, Fraction: threeQuarters},
			Test{Name: "approval_owners", Num: QAgreeOwners, Den: QVotedOwners, Fraction: threeQuarters},
		)}, true
	case RuleCivilCodeOrdinary:
		return Rule{Name: name, Tests: append(participation,
			Test{Name: "approval_area", Num: QAgreeArea, Den: QVotedArea, Fraction: oneHalf, Strict: true},
			Test{Name: "approval_owners", Num: QAgreeOwners, Den: QVotedOwners, Fraction: oneHalf, Strict: true},
		)}, true
	}
	return Rule{}, false
}

// DefaultRule is the county rule.
func DefaultRule() Rule { r, _ := PresetRule(RuleCounty); return r }

// Validate reports the problems of a rule, with paths under prefix.
func (r Rule) Validate(prefix string, v *ValidationError) {
	if len(r.Tests) == 0 {
		v.Add(prefix+".tests", "a rule needs at least one test")
	}
	known := map[Quantity]bool{}
	for _, q := range Quantities {
		known[q] = true
	}
	for i, t := range r.Tests {
		p := fmt.Sprintf("%s.tests[%d]", prefix, i)
		if t.Name == "" {
			v.Add(p+".name", "missing")
		}
		if !known[t.Num] {
			v.Add(p+".num", fmt.Sprintf("unknown quantity %q", t.Num))
		}
		if !known[t.Den] {
			v.Add(p+".den", fmt.Sprintf("unknown quantity %q", t.Den))
		}
		if known[t.Num] && known[t.Den] && t.Num.IsArea() != t.Den.IsArea() {
			v.Add(p, "numerator and denominator must both be areas or both be counts")
		}
		if t.Fraction.P <= 0 || t.Fraction.Q <= 0 || t.Fraction.P >= t.Fraction.Q {
			v.Add(p+".fraction", fmt.Sprintf("must be p/q with 0 < p < q, got %s", t.Fraction))
		}
	}
}

// TestResult is the outcome of one test on a tally.
type TestResult struct {
	Test Test  `json:"test"`
	Num  int64 `json:"num"`
	Den  int64 `json:"den"`
	Pass bool  `json:"pass"`
	// Needed is how many more agreeing votes (households, owners, or Area units
	// for area tests) would make the test pass if nothing else changed; 0 when it
	// passes. For participation tests it counts any new vote.
	Needed int64 `json:"needed"`
}

// Outcome is a rule evaluated on a tally.
type Outcome struct {
	Rule    string       `json:"rule"`
	Pass    bool         `json:"pass"`
	Results []TestResult `json:"tests"`
}

// Evaluate applies the rule to the tally in exact integer arithmetic.
func (r Rule) Evaluate(t Tally) Outcome {
	o := Outcome{Rule: r.Name, Pass: len(r.Tests) > 0}
	for _, test := range r.Tests {
		res := test.Evaluate(t)
		o.Pass = o.Pass && res.Pass
		o.Results = append(o.Results, res)
	}
	return o
}

// Evaluate applies one test to the tally.
func (test Test) Evaluate(t Tally) TestResult {
	num, _ := t.Value(test.Num)
	den, _ := t.Value(test.Den)
	p, q := test.Fraction.P, test.Fraction.Q
	res := TestResult{Test: test, Num: num, Den: den, Pass: passes(num, den, p, q, test.Strict)}
	if !res.Pass {
		res.Needed = needed(num, den, p, q, test.Strict, test.Den.isParticipation())
	}
	return res
}

// passes decides num/den >= p/q (or > when strict) as q*num >= p*den; den 0 fails.
func passes(num, den, p, q int64, strict bool) bool {
	if den <= 0 {
		return false
	}
	if strict {
		return q*num > p*den
	}
	return q*num >= p*den
}

// needed is the smallest x >= 0 such that adding x to num (and to den as well when
// the denominator counts participants) passes the test.
func needed(num, den, p, q int64, strict, denGrows bool) int64 {
	var d int64
	if denGrows {
		d = 1
	}
	step := q - p*d // > 0 since p < q
	gap := p*den - q*num
	var x int64
	if strict {
		if gap >= 0 {
			x = gap/step + 1
		}
	} else if gap > 0 {
		x = (gap + step - 1) / step
	}
	if d == 1 && den+x <= 0 {
		x = 1 // a share of no participants fails: someone must take part
	}
	return x
}
