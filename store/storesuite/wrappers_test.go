package storesuite

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWrappersComplete checks that every test and benchmark of the suite is
// wrapped, under its own name, in each store's tests: none is silently left
// out of a backend.
func TestWrappersComplete(t *testing.T) {
	want := suiteFuncs(t, ".", false)
	if len(want) < 50 {
		t.Fatalf("only %d suite tests found", len(want))
	}
	for _, file := range []string{"../suite_test.go", "../../sqlstore/suite_test.go"} {
		got := suiteFuncs(t, file, true)
		for name := range want {
			if !got[name] {
				t.Errorf("%s does not run %s: go run ./store/storesuite/genwrappers", file, name)
			}
		}
	}
}

// suiteFuncs lists the Test and Benchmark funcs of a directory's non-test
// files, or of one file.
func suiteFuncs(t *testing.T, path string, oneFile bool) map[string]bool {
	t.Helper()
	files := []string{path}
	if !oneFile {
		all, err := filepath.Glob(filepath.Join(path, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		files = nil
		for _, f := range all {
			if !strings.HasSuffix(f, "_test.go") {
				files = append(files, f)
			}
		}
	}
	out := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		af, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil {
				continue
			}
			name := fd.Name.Name
			if (strings.HasPrefix(name, "Test") || strings.HasPrefix(name, "Benchmark")) && name != "TestWrappersComplete" {
				out[name] = true
			}
		}
	}
	return out
}
