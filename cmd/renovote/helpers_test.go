package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/programme"
	"github.com/renovote/renovote/register"
	"github.com/renovote/renovote/store"
)

// The seed programme and register, as staff would pass them.
const (
	seedProgramme = "../../examples/fenggang-2020.yaml"
	seedRegister  = "../../examples/fenggang-2020-register.csv"
)

// ownDB is the Redis database these tests use when REDIS_URL is set. The CLI
// opens its store from a URL and has no key prefix setting, so the tests take
// a database of their own (never the one of REDIS_URL, which other packages'
// tests share by prefix) and empty only that one. The tests of this package
// therefore never run in parallel.
const ownDB = 12

// seedCompounds are the five compounds of the seed, in programme order, with
// their register sizes and the 2/3 thresholds.
var seedCompounds = []struct {
	id, name   string
	households int64
	needed     int64
}{
	{"liangmao", "粮贸小区", 55, 37},
	{"laozhongyiyuan", "老中医院小区", 220, 147},
	{"wuzhuangbu", "武装部小区", 107, 72},
	{"laocaizhengju", "老财政局小区", 256, 171},
	{"jinrong", "金融小区", 170, 114},
}

// inWindow is a moment inside the seed's ballot (2020-05-01 08:00 to the end of
// 2020-05-20, Asia/Shanghai); afterWindow is past it.
var (
	shanghai    = mustLoc("Asia/Shanghai")
	inWindow    = time.Date(2020, 5, 10, 10, 0, 0, 0, shanghai)
	afterWindow = time.Date(2020, 5, 21, 0, 0, 1, 0, shanghai)
)

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// storeURL returns a redis:// URL for the commands of one test: a fresh
// miniredis, or, when REDIS_URL is set, that server's database ownDB, emptied
// before and after the test.
func storeURL(t *testing.T) string {
	t.Helper()
	raw := os.Getenv("REDIS_URL")
	if raw == "" {
		return "redis://" + miniredis.RunT(t).Addr()
	}
	o, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatalf("REDIS_URL: %v", err)
	}
	db := ownDB
	if o.DB == db { // never the shared one
		db++
	}
	o.DB = db
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("REDIS_URL: %v", err)
	}
	u.Path = "/" + strconv.Itoa(db)
	q := u.Query()
	q.Del("db")
	u.RawQuery = q.Encode()

	rdb := redis.NewClient(o)
	flush := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := rdb.FlushDB(ctx).Err(); err != nil { // database ownDB only
			t.Errorf("flush db %d: %v", db, err)
		}
	}
	flush()
	t.Cleanup(func() { flush(); rdb.Close() })
	return u.String()
}

// setNow sets the commands' clock for the test.
func setNow(t *testing.T, at time.Time) {
	t.Helper()
	old := nowFunc
	nowFunc = func() time.Time { return at }
	t.Cleanup(func() { nowFunc = old })
}

// staff is a staff member at a terminal: a set of environment variables and
// the commands typed.
type staff struct {
	t   *testing.T
	env map[string]string
	url string
}

// newStaff returns a session on a store of the test's own, with REDIS_URL set.
func newStaff(t *testing.T) *staff {
	t.Helper()
	u := storeURL(t)
	return &staff{t: t, url: u, env: map[string]string{"REDIS_URL": u}}
}

func (s *staff) getenv(k string) string { return s.env[k] }

// run runs one command line and returns its standard output and error.
func (s *staff) run(args ...string) (stdout, stderr string, err error) {
	s.t.Helper()
	var out, errOut bytes.Buffer
	err = dispatch(context.Background(), args, s.getenv, &out, &errOut)
	return out.String(), errOut.String(), err
}

// ok runs a command that must succeed and returns its standard output.
func (s *staff) ok(args ...string) string {
	s.t.Helper()
	out, errOut, err := s.run(args...)
	if err != nil {
		s.t.Fatalf("renovote %s: %v\nstderr:\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

// fails runs a command that must fail and returns its error.
func (s *staff) fails(args ...string) error {
	s.t.Helper()
	out, _, err := s.run(args...)
	if err == nil {
		s.t.Fatalf("renovote %s: succeeded, want an error; stdout:\n%s", strings.Join(args, " "), out)
	}
	return err
}

// seed applies the seed programme and imports the seed register.
func (s *staff) seed() {
	s.t.Helper()
	s.ok("programme", "apply", seedProgramme)
	s.ok("register", "import", seedRegister)
}

// store opens the store the commands use, for checks the CLI cannot make.
func (s *staff) store() *store.Store {
	s.t.Helper()
	st, err := store.Open(context.Background(), s.url)
	if err != nil {
		s.t.Fatalf("open store: %v", err)
	}
	s.t.Cleanup(st.Close)
	return st
}

// tallyJSON is what tally -json prints.
type tallyJSON struct {
	Programme string `json:"programme"`
	Compounds []struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		Tally struct {
			Households int64 `json:"households"`
			Bound      int64 `json:"bound"`
			Voted      int64 `json:"voted"`
			Agree      int64 `json:"agree"`
			Disagree   int64 `json:"disagree"`
		} `json:"tally"`
		Outcome struct {
			Rule  string `json:"rule"`
			Pass  bool   `json:"pass"`
			Tests []struct {
				Num    int64 `json:"num"`
				Den    int64 `json:"den"`
				Pass   bool  `json:"pass"`
				Needed int64 `json:"needed"`
			} `json:"tests"`
		} `json:"outcome"`
	} `json:"compounds"`
}

// tally runs tally -json and returns the compounds by id.
func (s *staff) tally() map[string]compoundTally {
	s.t.Helper()
	out := s.ok("tally", "-json")
	var tj tallyJSON
	if err := json.Unmarshal([]byte(out), &tj); err != nil {
		s.t.Fatalf("tally -json: %v\n%s", err, out)
	}
	m := map[string]compoundTally{}
	for _, c := range tj.Compounds {
		m[c.ID] = compoundTally{c.Tally.Households, c.Tally.Bound, c.Tally.Voted, c.Tally.Agree, c.Tally.Disagree, c.Outcome.Pass}
	}
	return m
}

type compoundTally struct {
	households, bound, voted, agree, disagree int64
	pass                                      bool
}

// seedHouseholds returns the seed register's households of a compound, in
// file order.
func seedHouseholds(t *testing.T, compoundID string) []renovote.Household {
	t.Helper()
	p, err := programme.Load(seedProgramme)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(seedRegister)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	hhs, err := register.Read(seedRegister, f, p)
	if err != nil {
		t.Fatal(err)
	}
	var out []renovote.Household
	for _, h := range hhs {
		if h.CompoundID == compoundID {
			out = append(out, h)
		}
	}
	return out
}

// invitation is one row of the invitation sheet.
type invitation struct {
	key  string // compound building unit room
	link string
	code string
}

// readInvites parses an invitation sheet: the header, then one row per household.
func readInvites(t *testing.T, data string) []invitation {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(data, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("invitation sheet: %v", err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != strings.Join(register.InviteHeader, ",") {
		t.Fatalf("invitation sheet: header %q, want %q", recs[0], register.InviteHeader)
	}
	var out []invitation
	for _, r := range recs[1:] {
		link := r[len(r)-1]
		_, code, _ := strings.Cut(link, "?start=")
		out = append(out, invitation{key: strings.Join(r[:len(r)-1], " "), link: link, code: code})
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for a command's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func wantContains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}
