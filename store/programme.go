package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// ApplyProgramme validates and stores the programme and, per compound, the meta
// hash the scripts read (ballot, survey and publicity windows, rule, name,
// publish flag).
// It is idempotent; compounds of earlier programmes that p no longer lists are
// marked inactive (their data stays; votes, survey answers, reports and imports
// are refused). A compound without a survey window loses the one an earlier
// programme gave it.
func (s *Store) ApplyProgramme(ctx context.Context, p renovote.Programme) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("apply programme: %w", err)
	}
	js, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("apply programme: %w", err)
	}
	// The compound set first, so a crash never leaves a meta hash that a later
	// run cannot find and retire.
	ids := make([]any, 0, len(p.Compounds))
	for _, c := range p.Compounds {
		ids = append(ids, c.ID)
	}
	if err := s.rdb.SAdd(ctx, s.k.compounds(), ids...).Err(); err != nil {
		return fmt.Errorf("apply programme: %w", err)
	}
	current := map[string]bool{}
	for _, c := range p.Compounds {
		current[c.ID] = true
		rule, err := json.Marshal(c.Rule)
		if err != nil {
			return fmt.Errorf("apply programme: compound %s: %w", c.ID, err)
		}
		o, cl := c.Ballot.Opens, c.Ballot.Closes
		meta := s.k.compound(c.ID).meta
		if _, err := s.rdb.TxPipelined(ctx, func(tx redis.Pipeliner) error {
			tx.HSet(ctx, meta,
				"active", "1",
				"programme", p.ID,
				"name", c.Name,
				"rule", string(rule),
				"publish", boolStr(c.PublishTally),
				"planned", strconv.FormatInt(c.PlannedHouseholds, 10),
				"opens", strconv.FormatInt(o.UnixMilli(), 10),
				"closes", strconv.FormatInt(cl.UnixMilli(), 10),
				"opens_s", strconv.FormatInt(o.Unix(), 10),
				"opens_ns", strconv.Itoa(o.Nanosecond()),
				"closes_s", strconv.FormatInt(cl.Unix(), 10),
				"closes_ns", strconv.Itoa(cl.Nanosecond()),
			)
			if sv := c.Survey; sv.Opens.IsZero() || sv.Closes.IsZero() {
				tx.HDel(ctx, meta, surveyMetaFields...)
			} else {
				tx.HSet(ctx, meta,
					"survey_opens", strconv.FormatInt(sv.Opens.UnixMilli(), 10),
					"survey_closes", strconv.FormatInt(sv.Closes.UnixMilli(), 10),
					"survey_opens_s", strconv.FormatInt(sv.Opens.Unix(), 10),
					"survey_opens_ns", strconv.Itoa(sv.Opens.Nanosecond()),
					"survey_closes_s", strconv.FormatInt(sv.Closes.Unix(), 10),
					"survey_closes_ns", strconv.Itoa(sv.Closes.Nanosecond()),
				)
			}
			setPublicityMeta(ctx, tx, meta, c)
			return nil
		}); err != nil {
			return fmt.Errorf("apply programme: compound %s: %w", c.ID, err)
		}
	}
	all, err := s.rdb.SMembers(ctx, s.k.compounds()).Result()
	if err != nil {
		return fmt.Errorf("apply programme: %w", err)
	}
	for _, id := range all {
		if current[id] || !renovote.ValidID(id) {
			continue
		}
		if err := s.rdb.HSet(ctx, s.k.compound(id).meta, "active", "0").Err(); err != nil {
			return fmt.Errorf("apply programme: retire compound %s: %w", id, err)
		}
	}
	// Two global keys, so two commands (no transaction across slots): the
	// programme first, then its revision, which readers compare with the
	// revision of the programme they cached (see cachedProgramme).
	if err := s.rdb.Set(ctx, s.k.programme(), js, 0).Err(); err != nil {
		return fmt.Errorf("apply programme: %w", err)
	}
	if err := s.rdb.Set(ctx, s.k.programmeRev(), programmeRev(js), 0).Err(); err != nil {
		return fmt.Errorf("apply programme: %w", err)
	}
	return nil
}

// programmeRev is the revision of a stored programme: a hash of its JSON.
func programmeRev(js []byte) string {
	sum := sha256.Sum256(js)
	return hex.EncodeToString(sum[:16])
}

// surveyMetaFields are the fields of a compound's survey window in its meta hash.
var surveyMetaFields = []string{"survey_opens", "survey_closes",
	"survey_opens_s", "survey_opens_ns", "survey_closes_s", "survey_closes_ns"}

// programmeCache keeps the last programme read with the revision of the very
// bytes read (not of the revision key), so the cached programme always is the
// programme of its revision.
type programmeCache struct {
	mu  sync.Mutex
	rev string
	p   renovote.Programme
}

// cachedProgramme returns the applied programme: the cached one while the
// stored revision is the cached one, otherwise the stored one, then cached.
// It costs one small GET when the programme has not changed. While a
// programme is being applied (programme written, revision not yet), it may
// return the previous one for that moment. The result is shared: callers must
// not modify it.
func (s *Store) cachedProgramme(ctx context.Context) (renovote.Programme, error) {
	rev, err := s.rdb.Get(ctx, s.k.programmeRev()).Result()
	if err != nil && !isNil(err) {
		return renovote.Programme{}, fmt.Errorf("programme: %w", err)
	}
	return s.programmeAt(ctx, rev)
}

// programmeAt is the programme at the stored revision rev: the cached one
// when it is that revision, else read and cached. It is shared with the
// cache: the caller must not change it.
func (s *Store) programmeAt(ctx context.Context, rev string) (renovote.Programme, error) {
	if rev != "" {
		s.pc.mu.Lock()
		p, hit := s.pc.p, s.pc.rev == rev
		s.pc.mu.Unlock()
		if hit {
			return p, nil
		}
	}
	js, err := s.rdb.Get(ctx, s.k.programme()).Bytes()
	if isNil(err) {
		return renovote.Programme{}, fmt.Errorf("programme: %w", renovote.ErrNotFound)
	}
	if err != nil {
		return renovote.Programme{}, fmt.Errorf("programme: %w", err)
	}
	var p renovote.Programme
	if err := json.Unmarshal(js, &p); err != nil {
		return p, fmt.Errorf("programme: decode: %w", err)
	}
	s.pc.mu.Lock()
	s.pc.rev, s.pc.p = programmeRev(js), p
	s.pc.mu.Unlock()
	return p, nil
}

// Programme returns the applied programme, renovote.ErrNotFound if none.
// While the stored revision is the one cached, it costs one small GET and a
// copy instead of reading and decoding the whole programme: every vote
// press reads it. The copy is the caller's to change.
func (s *Store) Programme(ctx context.Context) (renovote.Programme, error) {
	p, err := s.cachedProgramme(ctx)
	if err != nil {
		return renovote.Programme{}, err
	}
	return cloneProgramme(p), nil
}

// compoundExists reports whether the compound was ever applied (active or not).
func (s *Store) compoundExists(ctx context.Context, ck compoundKeys) (bool, error) {
	n, err := s.rdb.Exists(ctx, ck.meta).Result()
	return n == 1, err
}

func boolStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
