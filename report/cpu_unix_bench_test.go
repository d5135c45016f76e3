//go:build unix

package report_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user and system, every thread) the process has
// used: a benchmark figure that other programs on a busy machine do not
// inflate, unlike the wall time of ns/op.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
