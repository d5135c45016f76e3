package bottest

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/renovote/renovote/bot/bottest/apispec"
)

// TestStdlibOnly enforces the package contract: non-test code imports only
// the standard library and its own apispec subpackage, never renovote code.
func TestStdlibOnly(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	more, _ := filepath.Glob("apispec/*.go")
	for _, f := range append(files, more...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(p, "/")
			if p == "github.com/renovote/renovote/bot/bottest/apispec" {
				continue
			}
			if strings.Contains(first, ".") {
				t.Errorf("%s imports %s: only the standard library is allowed", f, p)
			}
		}
	}
}

func TestSpec(t *testing.T) {
	s := apispec.Load()
	if s.Version != "Bot API 10.1" {
		t.Errorf("version = %q", s.Version)
	}
	m, ok := s.Method("SENDMESSAGE")
	if !ok || m.Name != "sendMessage" {
		t.Fatalf("lookup = %v %v", m, ok)
	}
	if f, ok := m.Field("text"); !ok || !f.Required {
		t.Errorf("sendMessage.text = %+v", f)
	}
	// Every method with a dedicated handler exists in the spec.
	for name := range handlers {
		if _, ok := s.Method(name); !ok {
			t.Errorf("handler for %s, which is not in the spec", name)
		}
	}
}
