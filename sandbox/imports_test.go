package sandbox

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The package's contract (doc.go): its code imports the standard library,
// the domain and the fake Telegram only, so it never reaches go-telegram,
// go-redis, the store, the bot, the dialogs or the scheduler.
func TestImports(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	allowed := map[string]bool{"github.com/renovote/renovote": true, "github.com/renovote/renovote/bot/bottest": true}
	for _, f := range files {
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
			if strings.Contains(first, ".") && !allowed[p] {
				t.Errorf("%s imports %s", f, p)
			}
		}
	}
}
