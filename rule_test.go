package renovote

import (
	"fmt"
	"testing"
)

// The county rule on the five seed compounds, at the exact boundary: one vote
// below fails and says one household is still needed, the boundary passes.
func TestCountyRuleSeedBoundaries(t *testing.T) {
	rule := DefaultRule()
	for _, tc := range []struct {
		name       string
		households int64
		atLeast    int64 // from DOMAIN.md
	}{
		{"粮贸小区", 55, 37},
		{"老中医院小区", 220, 147},
		{"武装部小区", 107, 72},
		{"老财政局小区", 256, 171},
		{"金融小区", 170, 114},
	} {
		t.Run(tc.name, func(t *testing.T) {
			below := rule.Evaluate(Tally{Households: tc.households, Agree: tc.atLeast - 1})
			if below.Pass {
				t.Errorf("%d of %d agree: pass, want fail", tc.atLeast-1, tc.households)
			}
			if got := below.Results[0].Needed; got != 1 {
				t.Errorf("%d of %d agree: still needs %d, want 1", tc.atLeast-1, tc.households, got)
			}
			at := rule.Evaluate(Tally{Households: tc.households, Agree: tc.atLeast})
			if !at.Pass || at.Results[0].Needed != 0 {
				t.Errorf("%d of %d agree: pass=%v needed=%d, want pass, 0", tc.atLeast, tc.households, at.Pass, at.Results[0].Needed)
			}
			none := rule.Evaluate(Tally{Households: tc.households})
			if got := none.Results[0].Needed; got != tc.atLeast {
				t.Errorf("0 of %d agree: still needs %d, want %d", tc.households, got, tc.atLeast)
			}
		})
	}
}

// The smallest passing count is ceil(2n/3) for every size; compare the integer
// rule against a brute-force search over all counts.
func TestCountyRuleEverySize(t *testing.T) {
	rule := DefaultRule()
	for n := int64(1); n <= 1000; n++ {
		var first int64 = -1
		for a := int64(0); a <= n; a++ {
			if rule.Evaluate(Tally{Households: n, Agree: a}).Pass {
				first = a
				break
			}
		}
		if want := (2*n + 2) / 3; first != want {
			t.Fatalf("n=%d: first passing agree=%d, want %d", n, first, want)
		}
		if need := rule.Evaluate(Tally{Households: n}).Results[0].Needed; need != first {
			t.Fatalf("n=%d: needed from zero = %d, want %d", n, need, first)
		}
	}
}

func TestCivilCode(t *testing.T) {
	major, _ := PresetRule(RuleCivilCodeMajor)
	ordinary, _ := PresetRule(RuleCivilCodeOrdinary)
	// 12 owners of 12 units of 100 m² each.
	base := Tally{Households: 12, Owners: 12, Area: 120000}
	tally := func(agree, disagree int64) Tally {
		t := base
		t.Voted, t.Agree, t.Disagree = agree+disagree, agree, disagree
		t.VotedOwners, t.AgreeOwners = agree+disagree, agree
		t.VotedArea, t.AgreeArea = Area((agree+disagree)*10000), Area(agree*10000)
		return t
	}
	for _, tc := range []struct {
		agree, disagree int64
		major, ordinary bool
		why             string
	}{
		{6, 1, false, false, "7 of 12 take part: below 2/3 participation"},
		{6, 2, true, true, "8 of 12 = 2/3 take part; 6/8 = 3/4 approve"},
		{5, 3, false, true, "5/8 < 3/4 but > 1/2"},
		{4, 4, false, false, "4/8 is not more than half"},
		{12, 0, true, true, "everyone agrees"},
		{0, 0, false, false, "nobody voted: approval has no participants"},
	} {
		t.Run(tc.why, func(t *testing.T) {
			tl := tally(tc.agree, tc.disagree)
			if got := major.Evaluate(tl).Pass; got != tc.major {
				t.Errorf("major: %v, want %v: %+v", got, tc.major, major.Evaluate(tl))
			}
			if got := ordinary.Evaluate(tl).Pass; got != tc.ordinary {
				t.Errorf("ordinary: %v, want %v", got, tc.ordinary)
			}
		})
	}
}

// Needed is exact: adding that many agreeing votes passes, one fewer does not.
func TestNeededIsMinimal(t *testing.T) {
	for _, strict := range []bool{false, true} {
		for _, f := range []Fraction{{1, 2}, {2, 3}, {3, 4}} {
			for den := int64(0); den <= 40; den++ {
				for num := int64(0); num <= den; num++ {
					for _, grows := range []bool{false, true} {
						x := needed(num, den, f.P, f.Q, strict, grows)
						d := int64(0)
						if grows {
							d = 1
						}
						if passes(num, den, f.P, f.Q, strict) || (den == 0 && !grows) {
							continue
						}
						if !passes(num+x, den+d*x, f.P, f.Q, strict) {
							t.Fatalf("%s strict=%v grows=%v %d/%d: +%d still fails", f, strict, grows, num, den, x)
						}
						if x > 0 && passes(num+x-1, den+d*(x-1), f.P, f.Q, strict) {
							t.Fatalf("%s strict=%v grows=%v %d/%d: +%d passes already", f, strict, grows, num, den, x-1)
						}
					}
				}
			}
		}
	}
}

func TestRuleValidate(t *testing.T) {
	bad := Rule{Tests: []Test{{Name: "x", Num: "votes", Den: QArea, Fraction: Fraction{3, 2}}, {Num: QAgree, Den: QArea, Fraction: Fraction{1, 2}}}}
	v := &ValidationError{What: "rule"}
	bad.Validate("rule", v)
	want := []string{
		`rule.tests[0].num: unknown quantity "votes"`,
		`rule.tests[0].fraction: must be p/q with 0 < p < q, got 3/2`,
		`rule.tests[1].name: missing`,
		`rule.tests[1]: numerator and denominator must both be areas or both be counts`,
	}
	if len(v.Problems) != len(want) {
		t.Fatalf("problems %v, want %v", v.Problems, want)
	}
	for i, p := range v.Problems {
		if p.String() != want[i] {
			t.Errorf("problem %d = %q, want %q", i, p, want[i])
		}
	}
}

func ExampleRule_Evaluate() {
	o := DefaultRule().Evaluate(Tally{Households: 55, Agree: 36})
	fmt.Println(o.Pass, o.Results[0].Needed)
	// Output: false 1
}
