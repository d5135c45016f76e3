package loadtest

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// machineCPU is the CPU time all processors of the machine have spent
// busy so far (every /proc/stat state but idle and iowait), 0 where there
// is no /proc/stat. Against the presses it counts what the process and the
// store's server do not: the kernel's threads, and a child the server forks
// (an AOF rewrite).
func machineCPU() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return 0
	}
	var busy int64
	for i, v := range f[1:] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0
		}
		busy += n
	}
	const ticksPerSecond = 100 // USER_HZ
	return time.Duration(busy) * time.Second / ticksPerSecond
}
