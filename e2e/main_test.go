package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// The bot binary (cmd/renovote), built once for every test that starts bot
// processes, in a directory removed when the tests end.
var botBinary struct {
	once sync.Once
	dir  string
	path string
	err  error
	out  []byte
}

func TestMain(m *testing.M) {
	code := m.Run()
	if botBinary.dir != "" {
		os.RemoveAll(botBinary.dir)
	}
	os.Exit(code)
}

// builtBot builds cmd/renovote the first time a test asks, and returns its path.
func builtBot(t *testing.T) string {
	t.Helper()
	b := &botBinary
	b.once.Do(func() {
		if b.dir, b.err = os.MkdirTemp("", "renovote-e2e-"); b.err != nil {
			return
		}
		b.path = filepath.Join(b.dir, "renovote")
		b.out, b.err = exec.Command("go", "build", "-o", b.path, "../cmd/renovote").CombinedOutput()
	})
	if b.err != nil {
		t.Fatalf("build: %v\n%s", b.err, b.out)
	}
	return b.path
}
