package redistest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Outcome counts the tests of a RunSelf child by result, subtests included.
type Outcome struct {
	Pass, Fail, Skip int
	Failed           []string // names of the failed tests
	Output           string   // the child's whole output (-test.v)
}

var resultLine = regexp.MustCompile(`(?m)^\s*--- (PASS|FAIL|SKIP): (\S+)`)

// RunSelf runs the tests of the current test binary whose names match
// pattern in a child process (the same binary, -test.v, -test.count=1)
// with env added to this process's environment, within timeout, and
// returns what they did. The test fails if the child fails or cannot run;
// the failed tests' names and the end of the output are logged.
func RunSelf(t testing.TB, pattern string, timeout time.Duration, env ...string) Outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout+10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run", pattern, "-test.count=1", "-test.v",
		"-test.timeout", timeout.String())
	cmd.Env = append(append(os.Environ(), envChild+"=1"), env...)
	cmd.SysProcAttr = sysProcAttr()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	o := Outcome{Output: out.String()}
	for _, m := range resultLine.FindAllStringSubmatch(o.Output, -1) {
		switch m[1] {
		case "PASS":
			o.Pass++
		case "FAIL":
			o.Fail++
			o.Failed = append(o.Failed, m[2])
		case "SKIP":
			o.Skip++
		}
	}
	if err != nil || o.Fail > 0 {
		t.Errorf("redistest: %s %s: %v; failed: %s\n%s", os.Args[0], pattern, err,
			strings.Join(o.Failed, " "), tail(o.Output, 150))
	}
	if o.Pass == 0 {
		t.Errorf("redistest: no test of %q passed:\n%s", pattern, tail(o.Output, 40))
	}
	return o
}

// String sums the outcome up.
func (o Outcome) String() string {
	return fmt.Sprintf("%d passed, %d failed, %d skipped (subtests included)", o.Pass, o.Fail, o.Skip)
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
