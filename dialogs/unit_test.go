package dialogs

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote"
)

// The package imports the standard library and the domain package only.
func TestImportsStayChannelAgnostic(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(p, "/")
			if p != "github.com/renovote/renovote" && strings.Contains(first, ".") {
				t.Errorf("%s imports %s: dialogs may import the standard library and the domain only", f, p)
			}
		}
	}
}

// Every message has both languages, with the same format verbs in the same order.
func TestCatalogComplete(t *testing.T) {
	src, err := os.ReadFile("messages.go")
	if err != nil {
		t.Fatal(err)
	}
	af, err := parser.ParseFile(token.NewFileSet(), "messages.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	verbs := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)
	n := 0
	ast.Inspect(af, func(node ast.Node) bool {
		cl, ok := node.(*ast.CompositeLit)
		if !ok || len(cl.Elts) != 2 {
			return true
		}
		if id, ok := cl.Type.(*ast.Ident); cl.Type != nil && (!ok || id.Name != "msg") {
			return true
		}
		var s [2]string
		for i, e := range cl.Elts {
			bl, ok := e.(*ast.BasicLit)
			if !ok || bl.Kind != token.STRING {
				return true
			}
			s[i], _ = strconv.Unquote(bl.Value)
		}
		n++
		if strings.TrimSpace(s[0]) == "" || strings.TrimSpace(s[1]) == "" {
			t.Errorf("empty message: %q / %q", s[0], s[1])
		}
		if a, b := verbs.FindAllString(s[0], -1), verbs.FindAllString(s[1], -1); !slices.Equal(a, b) {
			t.Errorf("verbs differ: %q %v / %q %v", s[0], a, s[1], b)
		}
		return true
	})
	if n < 80 {
		t.Errorf("found only %d messages; is the catalog parsed?", n)
	}
}

func TestLangOf(t *testing.T) {
	for code, want := range map[string]lang{"": zh, "zh": zh, "zh-hans": zh, "ZH-Hant": zh, "en": en, "en-US": en, "ru": en} {
		if got := langOf(code); got != want {
			t.Errorf("langOf(%q) = %v, want %v", code, got, want)
		}
	}
}

func TestFmtTime(t *testing.T) {
	tm := time.Date(2020, 5, 20, 10, 0, 0, 0, time.UTC) // 18:00 in Beijing
	if got := fmtTime(zh, shanghai, tm); got != "5月20日 18:00" {
		t.Errorf("zh: %q", got)
	}
	if got := fmtTime(en, shanghai, tm); got != "20 May 18:00" {
		t.Errorf("en: %q", got)
	}
	if got := location(renovote.Programme{TimeZone: "Nowhere/Special"}); got != chinaTime {
		t.Errorf("fallback location = %v", got)
	}
}

func TestWaitMinutes(t *testing.T) {
	oldest := time.Date(2020, 5, 21, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		now  time.Duration
		want int
	}{{5 * time.Minute, 55}, {5*time.Minute + time.Second, 55}, {59*time.Minute + 59*time.Second, 1}, {time.Hour, 1}, {0, 60}} {
		if got := waitMinutes(oldest, oldest.Add(c.now)); got != c.want {
			t.Errorf("after %v: %d, want %d", c.now, got, c.want)
		}
	}
}

func TestVoteToken(t *testing.T) {
	a, b := voteToken(ref("liangmao", "3-2-301")), voteToken(ref("liangmao", "3-2-302"))
	if len(a) != tokenLen || a == b || a != voteToken(ref("liangmao", "3-2-301")) {
		t.Errorf("tokens %q %q", a, b)
	}
	// Compound and household are separated: no ambiguity by concatenation.
	if voteToken(ref("a", "b-c")) == voteToken(ref("ab", "-c")) {
		t.Error("ambiguous token")
	}
	if c, tok, ok := parseVoteData("v:d:" + a); !ok || c != renovote.ChoiceDisagree || tok != a {
		t.Errorf("parse: %v %v %v", c, tok, ok)
	}
}

func TestAddresses(t *testing.T) {
	h := renovote.Household{Building: "3", Unit: "2", Room: "301"}
	h2 := renovote.Household{Building: "1号楼", Unit: "1单元", Room: "101"}
	h3 := renovote.Household{Building: "5", Room: "101"}
	h4 := renovote.Household{Building: "A座", Unit: "2", Room: "1201"}
	for _, c := range []struct {
		typed string
		h     renovote.Household
		want  bool
	}{
		{"3-2-301", h, true}, {"3 2 301", h, true}, {"3栋2单元301", h, true}, {"3号楼2单元301室", h, true},
		{"３－２－３０１", h, true}, {" 3/2/301 ", h, true}, {"3-2-302", h, false}, {"3-301", h, false}, {"32301", h, false},
		{"1-1-101", h2, true}, {"1号楼1单元101", h2, true}, {"1-101", h2, false},
		{"5-101", h3, true}, {"5栋101", h3, true}, {"5-0-101", h3, false},
		{"a-2-1201", h4, true}, {"A座2单元1201", h4, true},
	} {
		if got := matchAddress(addressParts(c.typed), c.h); got != c.want {
			t.Errorf("%q vs %+v: %v, want %v", c.typed, c.h, got, c.want)
		}
	}
	for _, c := range []struct {
		h      renovote.Household
		zh, en string
	}{
		{h, "3栋 2单元 301", "Bldg 3, Unit 2, Room 301"},
		{h2, "1号楼 1单元 101", "Bldg 1, Unit 1, Room 101"},
		{h3, "5栋 101", "Bldg 5, Room 101"},
		{h4, "A座 2单元 1201", "Bldg A, Unit 2, Room 1201"},
	} {
		if got := householdLabel(zh, c.h); got != c.zh {
			t.Errorf("zh label %q, want %q", got, c.zh)
		}
		if got := householdLabel(en, c.h); got != c.en {
			t.Errorf("en label %q, want %q", got, c.en)
		}
	}
}
