package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/renovote/renovote"
)

// ErrLocked: the data directory is held by another Store (another process).
var ErrLocked = errors.New("data directory in use by another renovote process")

// File names inside the data directory.
const (
	DBFile   = "renovote.db"
	LockFile = "renovote.lock"
)

// Options tune a Store. Zero values take the defaults.
type Options struct {
	// OpTTL is how long op ids are kept for replays (votes, survey answers,
	// reports, notices, reminders) and an expired staff invitation is kept (7 days).
	OpTTL time.Duration
	// UpdateTTL is how long an update id is remembered as seen or done
	// (FirstSeen, UpdatesDone, FinishUpdate) (1 day).
	UpdateTTL time.Duration
	// ThrottleWindow is how long failed invitation attempts are kept (1 day).
	ThrottleWindow time.Duration
	// BusyTimeout is how long a statement waits for a lock (5 s).
	BusyTimeout time.Duration
	// Now is the clock of expiries and leases (op ids, sessions, update ids,
	// staff invitations, job runs, outbox claims); time.Now by default.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.OpTTL <= 0 {
		o.OpTTL = 7 * 24 * time.Hour
	}
	if o.UpdateTTL <= 0 {
		o.UpdateTTL = 24 * time.Hour
	}
	if o.ThrottleWindow <= 0 {
		o.ThrottleWindow = 24 * time.Hour
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Store keeps renovote's data in one SQLite file. It is safe for concurrent
// use by the goroutines of one process; a second process cannot open the
// same directory.
type Store struct {
	dir  string
	w    *sql.DB // one connection: every write transaction, one at a time
	r    *sql.DB // readers (WAL: they never wait for the writer)
	lock *os.File
	opts Options

	pmu  sync.Mutex
	prog *renovote.Programme // the applied programme, cached (this process is the only writer)

	omu    sync.Mutex
	queued chan struct{} // closed when outbox rows are added (ClaimOutbox's wait)

	closeOnce sync.Once
}

//go:embed schema/*.sql
var schemaFS embed.FS

// Open opens (creating it if need be) the store in directory dir: it takes
// the directory's lock (ErrLocked, naming the directory, when another process
// holds it), opens DIR/renovote.db with WAL and synchronous=FULL, and applies
// the schema migrations the file does not have yet.
func Open(ctx context.Context, dir string, opts Options) (*Store, error) {
	wrap := func(err error) error { return fmt.Errorf("open store in %s: %w", dir, err) }
	if dir == "" {
		return nil, wrap(fmt.Errorf("no data directory: %w", renovote.ErrInvalid))
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, wrap(err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, wrap(err)
	}
	s := &Store{dir: dir, lock: lock, opts: opts.withDefaults(), queued: make(chan struct{})}
	if err := s.openDB(ctx); err != nil {
		s.Close()
		return nil, wrap(err)
	}
	return s, nil
}

func (s *Store) openDB(ctx context.Context) error {
	path := filepath.Join(s.dir, DBFile)
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(s.opts.BusyTimeout.Milliseconds(), 10)+")")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	dsn := "file:" + path + "?" + q.Encode()
	w, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s.w = w
	if err := w.PingContext(ctx); err != nil {
		return err
	}
	if err := s.migrate(ctx); err != nil {
		return err
	}
	r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		return err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	s.r = r
	return r.PingContext(ctx)
}

// Dir returns the data directory.
func (s *Store) Dir() string { return s.dir }

// migrate applies the embedded schema files whose version the database lacks.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	var have int
	if err := s.w.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&have); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	files, err := schemaFiles()
	if err != nil {
		return err
	}
	latest := 0
	if len(files) > 0 {
		latest = files[len(files)-1].version
	}
	if have > latest {
		return fmt.Errorf("schema version %d is newer than this program's %d: %w", have, latest, renovote.ErrConflict)
	}
	for _, f := range files {
		if f.version <= have {
			continue
		}
		if err := s.write(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, f.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, name, applied) VALUES (?, ?, ?)`,
				f.version, f.name, fmtTime(time.Now()))
			return err
		}); err != nil {
			return fmt.Errorf("schema %s: %w", f.name, err)
		}
	}
	return nil
}

type schemaFile struct {
	version   int
	name, sql string
}

// schemaFiles lists schema/NNNN_name.sql in version order.
func schemaFiles() ([]schemaFile, error) {
	names, err := fs.Glob(schemaFS, "schema/*.sql")
	if err != nil {
		return nil, err
	}
	var out []schemaFile
	for _, n := range names {
		base := filepath.Base(n)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("schema file %s: want NNNN_name.sql", base)
		}
		b, err := schemaFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, schemaFile{v, base, string(b)})
	}
	slices.SortFunc(out, func(a, b schemaFile) int { return a.version - b.version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("schema files %s and %s share a version", out[i-1].name, out[i].name)
		}
	}
	return out, nil
}

// SchemaVersion returns the database's schema version.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v)
	return v, err
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.r.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("ping sqlite: %w", err)
	}
	return nil
}

// Close closes the database and releases the directory's lock.
func (s *Store) Close() {
	s.closeOnce.Do(func() {
		if s.r != nil {
			s.r.Close()
		}
		if s.w != nil {
			// Fold the WAL back into the file so the directory is one file at rest.
			_, _ = s.w.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
			s.w.Close()
		}
		if s.lock != nil {
			unlockDir(s.lock)
		}
	})
}

// keepErr is an error a write returns after committing what it did (the
// outbox's acknowledgement of a message whose notice is gone, ...).
type keepErr struct{ err error }

func (k keepErr) Error() string { return k.err.Error() }
func (k keepErr) Unwrap() error { return k.err }

// write runs f in one transaction on the writer connection and commits it,
// unless f fails (a keepErr commits and then returns its error).
func (s *Store) write(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	ferr := f(tx)
	var k keepErr
	if ferr != nil && !errors.As(ferr, &k) {
		_ = tx.Rollback()
		return ferr
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if ferr != nil {
		return k.err
	}
	return nil
}

// read runs f in one read transaction: one consistent snapshot.
func (s *Store) read(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // read only
	return f(tx)
}

// now is the store's clock.
func (s *Store) now() time.Time { return s.opts.Now() }

// fail is a refusal as the Redis store words it: "what: kind".
func fail(what string, kind error) error {
	if what == "" {
		return kind
	}
	return fmt.Errorf("%s: %w", what, kind)
}

const maxIDLen = 128

func checkCompound(id string) error {
	if !renovote.ValidID(id) {
		return fmt.Errorf("compound id %q: %w", id, renovote.ErrInvalid)
	}
	return nil
}

func checkRef(ref renovote.HouseholdRef) error {
	if err := checkCompound(ref.CompoundID); err != nil {
		return err
	}
	if ref.HouseholdID == "" || len(ref.HouseholdID) > maxIDLen {
		return fmt.Errorf("household id: %w", renovote.ErrInvalid)
	}
	return nil
}

// checkOpID checks the idempotency key of a command.
func checkOpID(opID string) error {
	if opID == "" || len(opID) > maxIDLen*2 {
		return fmt.Errorf("op id missing or too long: %w", renovote.ErrInvalid)
	}
	return nil
}

func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func nowOr(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

// unixNano is t in unix nanoseconds, clamped to int64 (the zero time is the
// smallest).
func unixNano(t time.Time) int64 {
	switch {
	case t.Before(minNano):
		return math.MinInt64
	case t.After(maxNano):
		return math.MaxInt64
	}
	return t.UnixNano()
}

var (
	minNano = time.Unix(0, math.MinInt64)
	maxNano = time.Unix(0, math.MaxInt64)
)

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// querier is a transaction or a pool.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// compoundState is a compound's row as the writes check it.
type compoundState struct {
	exists, active            bool
	opens, closes             int64
	hasSurvey                 bool
	surveyOpens, surveyCloses int64
	hasPublicity              bool
	publicOpens, publicCloses int64
}

func getCompound(ctx context.Context, q querier, id string) (compoundState, error) {
	var c compoundState
	var so, sc, po, pc sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT active, opens_ns, closes_ns, survey_opens_ns, survey_closes_ns,
		publicity_opens_ns, publicity_closes_ns FROM compounds WHERE id = ?`, id).
		Scan(&c.active, &c.opens, &c.closes, &so, &sc, &po, &pc)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	c.exists = true
	c.hasSurvey = so.Valid && sc.Valid
	c.surveyOpens, c.surveyCloses = so.Int64, sc.Int64
	c.hasPublicity = po.Valid && pc.Valid
	c.publicOpens, c.publicCloses = po.Int64, pc.Int64
	return c, nil
}

// compoundExists fails with renovote.ErrNotFound for a compound never applied.
func compoundExists(ctx context.Context, q querier, id string) error {
	c, err := getCompound(ctx, q, id)
	if err != nil {
		return err
	}
	if !c.exists {
		return renovote.ErrNotFound
	}
	return nil
}

// getOp returns the value kept for an op id that has not expired.
func getOp(ctx context.Context, q querier, kind, scope, op string, now time.Time) (string, bool, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM ops WHERE kind = ? AND scope = ? AND op = ? AND expires_ns > ?`,
		kind, scope, op, now.UnixNano()).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return v, err == nil, err
}

// putOp keeps an op id for ttl; expired op ids are dropped now and then.
func putOp(ctx context.Context, tx *sql.Tx, kind, scope, op, value string, now time.Time, ttl time.Duration) error {
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO ops (kind, scope, op, value, expires_ns) VALUES (?, ?, ?, ?, ?)`,
		kind, scope, op, value, now.Add(ttl).UnixNano()); err != nil {
		return err
	}
	if now.UnixNano()%64 == 0 { // prune about once every 64 writes
		_, err := tx.ExecContext(ctx, `DELETE FROM ops WHERE expires_ns <= ?`, now.UnixNano())
		return err
	}
	return nil
}

// Op kinds (namespaces of the ops table).
const (
	opVote     = "vote"
	opSurvey   = "survey"
	opReport   = "report"
	opMove     = "move"
	opRemind   = "remind"
	opNotice   = "notice"
	opObject   = "objection"
	opAnswer   = "answer"
	globalSlot = ""
)

// seqID formats an audit or outbox row number as the Redis store formats
// stream ids ("<n>-0"), and parseSeqID reads it back.
func seqID(n int64) string { return strconv.FormatInt(n, 10) + "-0" }

func parseSeqID(id string) (int64, bool) {
	a, b, _ := strings.Cut(id, "-")
	n, err := strconv.ParseInt(a, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	if b != "" {
		if _, err := strconv.ParseUint(b, 10, 64); err != nil {
			return 0, false
		}
	}
	return n, true
}
