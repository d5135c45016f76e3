package store

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// Objections (异议) filed in a compound's publicity window (公示期). Like
// problem reports they get short per-compound ids ("O1", "O2", ...) from a
// counter in the filing script, are listed as open until answered, and every
// filing and answer is appended to the compound's objection audit stream in
// the same script. The window is checked inside the filing script at the
// objection's time, against the publicity fields of the compound's meta hash
// (written by ApplyProgramme).

var (
	//go:embed scripts/objection_file.lua
	luaObjectionFile string
	//go:embed scripts/objection_answer.lua
	luaObjectionAnswer string

	scriptObjectionFile   = redis.NewScript(luaObjectionFile)
	scriptObjectionAnswer = redis.NewScript(luaObjectionAnswer)
)

// publicityMetaFields are the fields of a compound's publicity window in its
// meta hash.
var publicityMetaFields = []string{"publicity_opens_s", "publicity_opens_ns", "publicity_closes_s", "publicity_closes_ns"}

// setPublicityMeta writes the compound's publicity window into its meta hash,
// or removes the one an earlier programme gave it.
func setPublicityMeta(ctx context.Context, tx redis.Pipeliner, meta string, c renovote.Compound) {
	if !c.HasPublicity() {
		tx.HDel(ctx, meta, publicityMetaFields...)
		return
	}
	o, cl := c.Publicity.Opens, c.Publicity.Closes
	tx.HSet(ctx, meta,
		"publicity_opens_s", strconv.FormatInt(o.Unix(), 10),
		"publicity_opens_ns", strconv.Itoa(o.Nanosecond()),
		"publicity_closes_s", strconv.FormatInt(cl.Unix(), 10),
		"publicity_closes_ns", strconv.Itoa(cl.Nanosecond()),
	)
}

// FileObjection stores a new objection in one script in the compound's slot:
// a filing whose opID was applied before returns that objection and changes
// nothing; otherwise the household must be on the register
// (renovote.ErrNotFound, renovote.ErrRemoved), the compound active, and
// o.Created inside the compound's publicity window [opens, closes)
// (renovote.ErrObjectionNotOpen, also when the compound has none;
// renovote.ErrObjectionClosed). The objection gets the next id of the
// compound, status open, is listed among the open ones and is audited. o.ID,
// o.Status and the answer's fields are ignored; a zero o.Created is now. The
// opID is kept for Options.OpTTL.
func (s *Store) FileObjection(ctx context.Context, o renovote.Objection, opID string) (renovote.Objection, error) {
	wrap := func(err error) error { return fmt.Errorf("file objection %s: %w", o.Household, err) }
	o.ID, o.Status = "", renovote.ObjectionOpen // the script relies on `{"id":""` leading the JSON
	o.AnsweredBy, o.Answered, o.Note = "", time.Time{}, ""
	if err := o.Validate(); err != nil {
		return renovote.Objection{}, wrap(err)
	}
	ck, err := s.checkRef(o.Household)
	if err != nil {
		return renovote.Objection{}, wrap(err)
	}
	if err := checkOpID(opID); err != nil {
		return renovote.Objection{}, wrap(err)
	}
	o.Created = nowOr(o.Created).UTC()
	js, err := json.Marshal(o)
	if err != nil {
		return renovote.Objection{}, wrap(err)
	}
	_, res, err := s.run(ctx, scriptObjectionFile,
		[]string{ck.meta, ck.hh, ck.objections, ck.objectionSeq, ck.objectionsOpen, ck.objectionAudit, ck.objectionOp(opID)},
		o.Household.HouseholdID, string(js), strconv.FormatInt(o.Created.UnixMilli(), 10),
		strconv.FormatInt(o.Created.Unix(), 10), strconv.Itoa(o.Created.Nanosecond()),
		strconv.FormatInt(o.UserID, 10), fmtTime(o.Created), opID, s.opts.OpTTL.Milliseconds())
	if err != nil {
		return renovote.Objection{}, wrap(err)
	}
	out, err := decodeObjection(str(res, 0))
	if err != nil {
		return renovote.Objection{}, wrap(err)
	}
	return out, nil
}

// maxAnswerAttempts bounds the compare-and-set loop of AnswerObjection.
const maxAnswerAttempts = 32

// AnswerObjection marks an open objection answered by actor at at, with an
// optional note for the resident (renovote.Objection.Answer), takes it off the
// open list and audits it. An objection already answered is returned as it
// is with an error matching renovote.ErrConflict, and nothing changes. The
// change is a compare-and-set against the objection as read, so concurrent
// answers are applied one after the other (the second finds it answered). An
// answer whose opID was applied before returns the objection as it is now and
// changes nothing. A zero at is now.
func (s *Store) AnswerObjection(ctx context.Context, compoundID, id, actor, note string, at time.Time, opID string) (renovote.Objection, error) {
	wrap := func(err error) error { return fmt.Errorf("answer objection %s/%s: %w", compoundID, id, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return renovote.Objection{}, wrap(err)
	}
	if !validObjectionID(id) {
		return renovote.Objection{}, wrap(fmt.Errorf("objection id: %w", renovote.ErrInvalid))
	}
	if err := checkOpID(opID); err != nil {
		return renovote.Objection{}, wrap(err)
	}
	at = nowOr(at).UTC()

	var op, cur *redis.StringCmd
	if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		op = p.Get(ctx, ck.objectionAnswerOp(opID))
		cur = p.HGet(ctx, ck.objections, id)
		return nil
	}); err != nil && !isNil(err) {
		return renovote.Objection{}, wrap(err)
	}
	if op.Err() == nil { // a retry of an applied answer
		o, err := s.Objection(ctx, compoundID, op.Val())
		if err != nil {
			return renovote.Objection{}, wrap(err)
		}
		return o, nil
	}
	if isNil(cur.Err()) {
		return renovote.Objection{}, wrap(renovote.ErrNotFound)
	}
	curJS := cur.Val()
	for range maxAnswerAttempts {
		o, err := decodeObjection(curJS)
		if err != nil {
			return renovote.Objection{}, wrap(err)
		}
		next, err := o.Answer(actor, note, at)
		if errors.Is(err, renovote.ErrConflict) {
			return o, wrap(err)
		}
		if err != nil {
			return renovote.Objection{}, wrap(err)
		}
		nextJS, err := json.Marshal(next)
		if err != nil {
			return renovote.Objection{}, wrap(err)
		}
		st, res, err := s.run(ctx, scriptObjectionAnswer,
			[]string{ck.objections, ck.objectionsOpen, ck.objectionAudit, ck.objectionAnswerOp(opID)},
			id, curJS, string(nextJS), o.Household.HouseholdID, strconv.FormatInt(o.UserID, 10),
			actor, fmtTime(at), opID, s.opts.OpTTL.Milliseconds())
		if err != nil {
			return renovote.Objection{}, wrap(err)
		}
		if st == "STALE" { // changed since read: answer it again as it is now
			curJS = str(res, 0)
			continue
		}
		out, err := decodeObjection(str(res, 0))
		if err != nil {
			return renovote.Objection{}, wrap(err)
		}
		return out, nil
	}
	return renovote.Objection{}, wrap(fmt.Errorf("objection keeps changing: %w", renovote.ErrConflict))
}

// Objection returns one objection of the compound (renovote.ErrNotFound if none).
func (s *Store) Objection(ctx context.Context, compoundID, id string) (renovote.Objection, error) {
	wrap := func(err error) error { return fmt.Errorf("objection %s/%s: %w", compoundID, id, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return renovote.Objection{}, wrap(err)
	}
	if !validObjectionID(id) {
		return renovote.Objection{}, wrap(renovote.ErrNotFound)
	}
	js, err := s.rdb.HGet(ctx, ck.objections, id).Result()
	if isNil(err) {
		return renovote.Objection{}, wrap(renovote.ErrNotFound)
	}
	if err != nil {
		return renovote.Objection{}, wrap(err)
	}
	o, err := decodeObjection(js)
	if err != nil {
		return renovote.Objection{}, wrap(err)
	}
	return o, nil
}

// Objections lists every objection of the compound, oldest first (by
// creation, then by number); renovote.ErrNotFound for an unknown compound.
func (s *Store) Objections(ctx context.Context, compoundID string) ([]renovote.Objection, error) {
	wrap := func(err error) error { return fmt.Errorf("objections %s: %w", compoundID, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return nil, wrap(err)
	}
	h, err := s.readHashes(ctx, ck, ck.objections)
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]renovote.Objection, 0, len(h[0]))
	for _, js := range h[0] {
		o, err := decodeObjection(js)
		if err != nil {
			return nil, wrap(err)
		}
		out = append(out, o)
	}
	sortObjections(out)
	return out, nil
}

// OpenObjections lists the compound's objections not answered, oldest first.
func (s *Store) OpenObjections(ctx context.Context, compoundID string) ([]renovote.Objection, error) {
	wrap := func(err error) error { return fmt.Errorf("open objections %s: %w", compoundID, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return nil, wrap(err)
	}
	var exists *redis.IntCmd
	var zr *redis.StringSliceCmd
	if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		exists = p.Exists(ctx, ck.meta)
		zr = p.ZRange(ctx, ck.objectionsOpen, 0, -1)
		return nil
	}); err != nil {
		return nil, wrap(err)
	}
	if exists.Val() == 0 {
		return nil, wrap(renovote.ErrNotFound)
	}
	ids := zr.Val()
	if len(ids) == 0 {
		return []renovote.Objection{}, nil
	}
	// One answered between the two reads is filtered out below.
	vals, err := s.rdb.HMGet(ctx, ck.objections, ids...).Result()
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]renovote.Objection, 0, len(vals))
	for _, v := range vals {
		js, ok := v.(string)
		if !ok {
			continue
		}
		o, err := decodeObjection(js)
		if err != nil {
			return nil, wrap(err)
		}
		if o.Status == renovote.ObjectionOpen {
			out = append(out, o)
		}
	}
	sortObjections(out)
	return out, nil
}

// ObjectionChange is one entry of a compound's objection audit stream.
type ObjectionChange struct {
	StreamID  string                `json:"stream_id"`
	Op        string                `json:"op"` // file | answer
	ID        string                `json:"id"`
	Household renovote.HouseholdRef `json:"household"`
	UserID    int64                 `json:"user"` // who filed the objection
	Actor     string                `json:"actor"`
	At        time.Time             `json:"at"`
	OpID      string                `json:"op_id"`
}

// ObjectionAudit returns the compound's objection audit stream, oldest first.
func (s *Store) ObjectionAudit(ctx context.Context, compoundID string) ([]ObjectionChange, error) {
	wrap := func(err error) error { return fmt.Errorf("objection audit %s: %w", compoundID, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return nil, wrap(err)
	}
	msgs, err := s.rdb.XRange(ctx, ck.objectionAudit, "-", "+").Result()
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]ObjectionChange, 0, len(msgs))
	for _, m := range msgs {
		f := func(k string) string { v, _ := m.Values[k].(string); return v }
		uid, _ := strconv.ParseInt(f("user"), 10, 64)
		out = append(out, ObjectionChange{
			StreamID: m.ID, Op: f("op"), ID: f("id"),
			Household: renovote.HouseholdRef{CompoundID: compoundID, HouseholdID: f("household")},
			UserID:    uid, Actor: f("actor"), At: parseTime(f("at")), OpID: f("opid"),
		})
	}
	return out, nil
}

func decodeObjection(js string) (renovote.Objection, error) {
	var o renovote.Objection
	if js == "" {
		return o, errors.New("objection missing")
	}
	if err := json.Unmarshal([]byte(js), &o); err != nil {
		return o, fmt.Errorf("decode objection: %w", err)
	}
	return o, nil
}

// objectionNumber is n of "O<n>" (0 for anything else).
func objectionNumber(id string) int64 { return seqNumber("O", id) }

func validObjectionID(id string) bool { return objectionNumber(id) > 0 && len(id) <= 21 }

// sortObjections orders objections oldest first: by creation, then by number.
func sortObjections(os []renovote.Objection) {
	slices.SortStableFunc(os, func(a, b renovote.Objection) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return cmpInt(objectionNumber(a.ID), objectionNumber(b.ID))
	})
}
