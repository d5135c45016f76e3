package redistest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Env turns on the tests that start Redis servers: RENOVOTE_FAILURE_TESTS=1.
const Env = "RENOVOTE_FAILURE_TESTS"

// StartTimeout bounds the start of one server, sentinel or cluster.
const StartTimeout = 30 * time.Second

// envChild is set in the children of RunSelf: they run the tests on what
// their parent started, and start nothing themselves.
const envChild = "RENOVOTE_REDISTEST_CHILD"

// Require skips the test unless Env is set (and in a RunSelf child), and
// fails it when the Redis binaries it needs are missing.
func Require(t testing.TB) {
	t.Helper()
	if os.Getenv(Env) == "" {
		t.Skipf("starts Redis servers: set %s=1 to run it", Env)
	}
	if os.Getenv(envChild) != "" {
		t.Skip("starts Redis servers: not in a child of RunSelf")
	}
	for _, bin := range []string{"redis-server", "redis-cli"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("%s=1 but %s is not installed (apt-get install redis-server): %v", Env, bin, err)
		}
	}
}

// Server is one redis-server process (a master, a replica, a cluster node or
// a sentinel).
type Server struct {
	Addr string // 127.0.0.1:port
	Port int
	Dir  string // its working directory: config, log, data

	cmd  *exec.Cmd
	done chan struct{}
	once sync.Once
}

// freePort asks the kernel for a free loopback port.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("redistest: free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// StartServer starts a redis-server on a free loopback port, without
// persistence unless args say otherwise (args are redis-server options such
// as "--replicaof", "127.0.0.1 6400" or "--appendonly", "yes"), and waits
// until it answers PING. It is killed at the test's cleanup.
func StartServer(t testing.TB, args ...string) *Server {
	t.Helper()
	return start(t, "", args...)
}

func start(t testing.TB, conf string, args ...string) *Server {
	t.Helper()
	port := freePort(t)
	dir := filepath.Join(t.TempDir(), "redis-"+strconv.Itoa(port))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: "127.0.0.1:" + strconv.Itoa(port), Port: port, Dir: dir, done: make(chan struct{})}
	var argv []string
	if conf != "" { // a sentinel: its config file first, its port in the file
		path := filepath.Join(dir, "sentinel.conf")
		conf = fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nlogfile %s\n", port, dir, filepath.Join(dir, "redis.log")) + conf
		if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		argv = append([]string{path}, args...)
	} else {
		argv = append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
			"--logfile", filepath.Join(dir, "redis.log"), "--save", "", "--appendonly", "no",
			"--protected-mode", "no"}, args...)
	}
	s.cmd = exec.Command("redis-server", argv...)
	s.cmd.Dir = dir
	s.cmd.SysProcAttr = sysProcAttr()
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("redistest: start redis-server: %v", err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	t.Cleanup(s.Kill)
	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	defer cancel()
	c := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: -1, DialTimeout: time.Second})
	defer c.Close()
	for {
		if err := c.Ping(ctx).Err(); err == nil {
			return s
		}
		select {
		case <-s.done:
			t.Fatalf("redistest: redis-server %s exited at start:\n%s", s.Addr, s.LogTail(20))
		case <-ctx.Done():
			t.Fatalf("redistest: redis-server %s does not answer:\n%s", s.Addr, s.LogTail(20))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Kill kills the server with SIGKILL (kill -9) and waits for it to exit. It
// may be called more than once.
func (s *Server) Kill() {
	s.once.Do(func() {
		if s.cmd.Process != nil {
			_ = s.cmd.Process.Kill()
		}
		<-s.done
	})
}

// Client returns a client of this server alone, closed at the test's cleanup.
func (s *Server) Client(t testing.TB) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: s.Addr})
	t.Cleanup(func() { c.Close() })
	return c
}

// LogTail is the last n lines of the server's log, for failure messages.
func (s *Server) LogTail(n int) string {
	f, err := os.Open(filepath.Join(s.Dir, "redis.log"))
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}

// Eventually calls cond every 20ms until it returns nil, and fails the test
// with its last error after d.
func Eventually(t testing.TB, d time.Duration, what string, cond func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var err error
	for {
		if err = cond(ctx); err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("redistest: %s: not within %s: %v", what, d, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// info reads one field of an INFO section.
func info(ctx context.Context, c *redis.Client, section, field string) (string, error) {
	s, err := c.Info(ctx, section).Result()
	if err != nil {
		return "", err
	}
	for _, l := range strings.Split(s, "\r\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			return v, nil
		}
	}
	return "", errors.New(field + " not in INFO " + section)
}
