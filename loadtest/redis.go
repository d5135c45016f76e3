package loadtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// errNoRedisServer: redis-server is not installed.
var errNoRedisServer = errors.New("redis-server not found (install it, e.g. apt-get install redis-server)")

// Redis is a redis-server of the run's own (StartRedis).
type Redis struct {
	URL  string // redis://127.0.0.1:<port>/0
	Addr string
	Dir  string // its working directory: the append-only file, its log

	cmd  *exec.Cmd
	done chan error
}

// StartRedis starts redis-server (binary, or "redis-server" from PATH) on a
// free port of 127.0.0.1, in a new temporary directory under dir ("" is the
// system's), with the append-only file on and fsynced after every write
// (appendfsync always: a vote acknowledged is on disk) and no RDB
// snapshots, and waits until it answers with that configuration. config
// adds directives, each a name and its value ("hash-max-listpack-entries",
// "16"). Close stops it and removes the directory.
func StartRedis(ctx context.Context, binary, dir string, config ...string) (*Redis, error) {
	if len(config)%2 != 0 {
		return nil, fmt.Errorf("loadtest: redis-server configuration %q: a name without a value", config)
	}
	if binary == "" {
		binary = "redis-server"
	}
	path, err := exec.LookPath(binary)
	if err != nil {
		return nil, fmt.Errorf("loadtest: %w: %w", errNoRedisServer, err)
	}
	var lastErr error
	for range 3 { // a free port may be taken between the probe and the start
		r, err := startRedisOnce(ctx, path, dir, config)
		if err == nil {
			return r, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

func startRedisOnce(ctx context.Context, path, dir string, config []string) (*Redis, error) {
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("loadtest: redis-server: free port: %w", err)
	}
	work, err := os.MkdirTemp(dir, "renovote-load-redis-")
	if err != nil {
		return nil, fmt.Errorf("loadtest: redis-server: %w", err)
	}
	logFile := filepath.Join(work, "redis.log")
	args := []string{"--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--protected-mode", "yes",
		"--dir", work, "--logfile", logFile, "--daemonize", "no",
		"--appendonly", "yes", "--appendfsync", "always", "--save", ""}
	for i := 0; i+1 < len(config); i += 2 {
		args = append(args, "--"+config[i], config[i+1])
	}
	cmd := exec.Command(path, args...)
	if err := cmd.Start(); err != nil {
		os.RemoveAll(work)
		return nil, fmt.Errorf("loadtest: start redis-server: %w", err)
	}
	r := &Redis{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Dir: work, cmd: cmd, done: make(chan error, 1)}
	r.URL = "redis://" + r.Addr + "/0"
	go func() { r.done <- cmd.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		fsync, err := r.query("CONFIG", "GET", "appendfsync")
		if err == nil {
			if len(fsync) != 2 || fsync[1] != "always" {
				r.Close()
				return nil, fmt.Errorf("loadtest: redis-server runs with appendfsync %v, not always", fsync)
			}
			return r, nil
		}
		select {
		case werr := <-r.done:
			r.done <- werr
			log, _ := os.ReadFile(logFile)
			r.Close()
			return nil, fmt.Errorf("loadtest: redis-server exited (%v): %s", werr, lastLines(string(log), 5))
		case <-ctx.Done():
			r.Close()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			r.Close()
			return nil, fmt.Errorf("loadtest: redis-server does not answer on %s: %w", r.Addr, err)
		}
	}
}

// CPU is the CPU time the server has used so far (user and system), from
// /proc; 0 where that cannot be read.
func (r *Redis) CPU() time.Duration {
	if r.cmd == nil || r.cmd.Process == nil {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", r.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The fields after the command name (in parentheses, may hold spaces):
	// state is the 3rd field of the line, utime and stime the 14th and 15th.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	const ticksPerSecond = 100 // USER_HZ, 100 on Linux
	return time.Duration(utime+stime) * time.Second / ticksPerSecond
}

// Close stops the server (SIGTERM, then SIGKILL after 10s) and removes its
// directory.
func (r *Redis) Close() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			_ = r.cmd.Process.Kill()
			<-r.done
		}
		r.cmd = nil
	}
	if r.Dir != "" {
		_ = os.RemoveAll(r.Dir)
		r.Dir = ""
	}
}

// query sends one command in RESP and reads a reply of simple strings, bulk
// strings or an array of them.
func (r *Redis) query(args ...string) ([]string, error) {
	conn, err := net.DialTimeout("tcp", r.Addr, time.Second)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := conn.Write([]byte(b.String())); err != nil {
		return nil, err
	}
	return readReply(bufio.NewReader(conn))
}

// readReply reads one reply, flattening arrays.
func readReply(rd *bufio.Reader) ([]string, error) {
	line, err := readLine(rd)
	if err != nil {
		return nil, err
	}
	if line == "" {
		return nil, errors.New("empty reply")
	}
	switch line[0] {
	case '+', ':':
		return []string{line[1:]}, nil
	case '-':
		return nil, errors.New(line[1:])
	case '$':
		size, err := strconv.Atoi(line[1:])
		if err != nil {
			return nil, fmt.Errorf("bad reply %q", line)
		}
		if size < 0 {
			return []string{""}, nil
		}
		buf := make([]byte, size+2)
		if _, err := io.ReadFull(rd, buf); err != nil {
			return nil, err
		}
		return []string{string(buf[:size])}, nil
	case '*':
		n, err := strconv.Atoi(line[1:])
		if err != nil {
			return nil, fmt.Errorf("bad reply %q", line)
		}
		var out []string
		for range n {
			sub, err := readReply(rd)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected reply %q", line)
}

func readLine(rd *bufio.Reader) (string, error) {
	line, err := rd.ReadString('\n')
	return strings.TrimRight(line, "\r\n"), err
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
