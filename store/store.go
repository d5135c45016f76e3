package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// Options tune a Store. Zero values take the defaults.
type Options struct {
	// Prefix is put before every key, e.g. "rv:" or a random prefix per test.
	// It must not contain '{' or '}'.
	Prefix string
	// OpTTL is how long op ids are kept for replays (votes, survey answers,
	// reports, notices) and an expired staff invitation is kept (7 days).
	OpTTL time.Duration
	// UpdateTTL is how long an update id is remembered as seen or done
	// (FirstSeen, UpdatesDone, FinishUpdate) (1 day).
	UpdateTTL time.Duration
	// ThrottleWindow is how long failed invitation attempts are kept (1 day).
	ThrottleWindow time.Duration
	// BindStale is how old an unfinished bind must be before another household
	// may take the user over (1 minute); younger ones may still be in flight.
	BindStale time.Duration
	// ConfirmReplicas, above 0, is the confirmed mode (confirm.go): after a
	// vote, WAIT until that many replicas acknowledge it, for at most
	// ConfirmTimeout (1s); with fewer the receipt is Pending.
	ConfirmReplicas int
	ConfirmTimeout  time.Duration
	// Batch is how many pipelines of concurrent vote presses (ReadTurn, the
	// vote script, the poller's SeenUpdates and UpdatesDone: batch.go) may
	// be in flight at once; the calls that come meanwhile share the next one
	// (default 1; below 0 each call makes its own round trip).
	Batch int
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
	if o.BindStale <= 0 {
		o.BindStale = time.Minute
	}
	if o.ConfirmTimeout <= 0 {
		o.ConfirmTimeout = defaultConfirmTimeout
	}
	if o.Batch == 0 {
		o.Batch = defaultBatch
	}
	return o
}

// Store keeps a programme's register, invitations, bindings, votes and tallies
// in Redis. It is safe for concurrent use.
type Store struct {
	rdb     redis.UniversalClient
	k       keys
	opts    Options
	onClose []func() error
	pc      programmeCache
	batch   *batcher // vote presses' round trips, shared (batch.go)
	hhs     householdCache

	// The key names of the compounds used so far (compound): built once,
	// not on every vote.
	ckCache  sync.Map // compound id -> *compoundKeys
	ckCached atomic.Int64

	staffReady atomic.Bool // the issue-2 workers were migrated (ensureStaff)
	groupReady atomic.Bool // the outbox's consumer group exists (ensureGroup)
}

// New returns a store on rdb. It panics if opts.Prefix contains a brace, which
// would break the hash tags that keep a compound's keys in one slot.
func New(rdb redis.UniversalClient, opts Options) *Store {
	if !validPrefix(opts.Prefix) {
		panic("store: key prefix must not contain '{' or '}'")
	}
	opts = opts.withDefaults()
	return &Store{rdb: rdb, k: keys{opts.Prefix}, opts: opts, batch: newBatcher(rdb, opts.Batch)}
}

// Open connects to the Redis of a URL (ParseRedisURL: one server, Sentinel or
// Cluster) and pings it. Scripts need no loading: each is sent whole by the
// EVALSHA → EVAL fallback to the node that owns its keys the first time that
// node lacks it (every shard of a Cluster, a replica promoted by a failover).
func Open(ctx context.Context, url string) (*Store, error) { return OpenWith(ctx, url, Options{}) }

// OpenWith is Open with options.
func OpenWith(ctx context.Context, url string, opts Options) (*Store, error) {
	u, err := ParseRedisURL(url)
	if err != nil { // the URL may hold a password: ParseRedisURL does not repeat it
		return nil, fmt.Errorf("open store: %w", err)
	}
	if opts.ConfirmReplicas > 0 {
		u.readTimeoutAtLeast(opts.withDefaults().ConfirmTimeout + 3*time.Second) // WAIT blocks the read
	}
	rdb := u.Client()
	s := New(rdb, opts)
	s.onClose = append(s.onClose, rdb.Close)
	if err := s.Ping(ctx); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	return s, nil
}

// NewMemory runs an in-process miniredis and returns a store on it, for when no
// Redis is configured (development, tests). The returned func (same as Close)
// stops it; the data is lost.
func NewMemory() (*Store, func(), error) {
	mr, err := miniredis.Run()
	if err != nil {
		return nil, nil, fmt.Errorf("memory store: %w", err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	s := New(rdb, Options{})
	s.onClose = append(s.onClose, rdb.Close, func() error { mr.Close(); return nil })
	return s, s.Close, nil
}

// Prefix returns the key prefix of the store (Options.Prefix).
func (s *Store) Prefix() string { return s.k.p }

// Client returns the underlying client (for health checks and tests).
func (s *Store) Client() redis.UniversalClient { return s.rdb }

// Ping checks the connection.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping redis: %w", err)
	}
	return nil
}

// Close releases what Open or NewMemory started. A store made with New leaves
// the client to its owner.
func (s *Store) Close() {
	for _, f := range s.onClose {
		_ = f()
	}
	s.onClose = nil
}

// compound checks a compound id and returns its keys.
func (s *Store) compound(id string) (compoundKeys, error) {
	if ck, ok := s.ckCache.Load(id); ok {
		return *ck.(*compoundKeys), nil
	}
	if !renovote.ValidID(id) {
		return compoundKeys{}, fmt.Errorf("compound id %q: %w", id, renovote.ErrInvalid)
	}
	ck := s.k.compound(id)
	if s.ckCached.Load() < maxCachedCompounds {
		if _, loaded := s.ckCache.LoadOrStore(id, &ck); !loaded {
			s.ckCached.Add(1)
		}
	}
	return ck, nil
}

// maxCachedCompounds bounds the compounds whose key names are kept (a
// province has a few thousand; an id that is valid but unknown is kept too).
const maxCachedCompounds = 20000

// checkRef checks a household reference and returns its compound's keys.
func (s *Store) checkRef(ref renovote.HouseholdRef) (compoundKeys, error) {
	ck, err := s.compound(ref.CompoundID)
	if err != nil {
		return ck, err
	}
	if ref.HouseholdID == "" || len(ref.HouseholdID) > maxIDLen {
		return ck, fmt.Errorf("household id: %w", renovote.ErrInvalid)
	}
	return ck, nil
}

const maxIDLen = 128

// Script statuses: every script returns an array whose first element is one of these.
var statusErrors = map[string]error{
	"NOTFOUND": renovote.ErrNotFound,
	"REMOVED":  renovote.ErrRemoved,
	"NOTOPEN":  renovote.ErrBallotNotOpen,
	"CLOSED":   renovote.ErrBallotClosed,
	"FULL":     renovote.ErrHouseholdFull,
	"INVALID":  renovote.ErrInvalid,

	"CONFLICT": renovote.ErrConflict,

	"SURVEY_NOTOPEN": renovote.ErrSurveyNotOpen,
	"SURVEY_CLOSED":  renovote.ErrSurveyClosed,

	"OBJECTION_NOTOPEN": renovote.ErrObjectionNotOpen,
	"OBJECTION_CLOSED":  renovote.ErrObjectionClosed,
}

// run runs a script and returns its reply after the status, or the domain error
// the status names.
func (s *Store) run(ctx context.Context, sc *redis.Script, keys []string, args ...any) (string, []any, error) {
	return scriptReply(sc.Run(ctx, s.rdb, keys, args...).Slice())
}

// scriptReply reads a script's reply as run returns it.
func scriptReply(res []any, err error) (string, []any, error) {
	if err != nil {
		return "", nil, err
	}
	if len(res) == 0 {
		return "", nil, errors.New("script returned nothing")
	}
	st, _ := res[0].(string)
	if e, ok := statusErrors[st]; ok {
		if len(res) > 1 {
			if what, ok := res[1].(string); ok && what != "" {
				return st, res[1:], fmt.Errorf("%s: %w", what, e)
			}
		}
		return st, res[1:], e
	}
	return st, res[1:], nil
}

// str returns reply element i as a string ("" when absent).
func str(res []any, i int) string {
	if i < len(res) {
		if v, ok := res[i].(string); ok {
			return v
		}
	}
	return ""
}

// strs returns reply element i as a list of strings.
func strs(res []any, i int) []string {
	if i >= len(res) {
		return nil
	}
	l, _ := res[i].([]any)
	out := make([]string, 0, len(l))
	for _, v := range l {
		if x, ok := v.(string); ok {
			out = append(out, x)
		}
	}
	return out
}

func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func isNil(err error) bool { return errors.Is(err, redis.Nil) }

// readHashes reads whole hashes of one compound in one transaction, after
// checking that the compound exists (renovote.ErrNotFound otherwise).
func (s *Store) readHashes(ctx context.Context, ck compoundKeys, keys ...string) ([]map[string]string, error) {
	var exists *redis.IntCmd
	cmds := make([]*redis.MapStringStringCmd, len(keys))
	if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		exists = p.Exists(ctx, ck.meta)
		for i, k := range keys {
			cmds[i] = p.HGetAll(ctx, k)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if exists.Val() == 0 {
		return nil, renovote.ErrNotFound
	}
	out := make([]map[string]string, len(keys))
	for i, c := range cmds {
		out[i] = c.Val()
	}
	return out, nil
}
