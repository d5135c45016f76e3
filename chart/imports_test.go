package chart

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports enforces the package contract (doc.go): no Telegram, no Redis,
// no store, bot or dialogs in non-test code.
func TestImports(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	forbidden := []string{"github.com/go-telegram/", "github.com/redis/", "github.com/renovote/renovote/store",
		"github.com/renovote/renovote/bot", "github.com/renovote/renovote/dialogs"}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbidden {
				if strings.HasPrefix(p, bad) {
					t.Errorf("%s imports %s", f, p)
				}
			}
		}
	}
	if checked < 4 {
		t.Fatalf("checked %d files", checked)
	}
}
