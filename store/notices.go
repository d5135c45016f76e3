package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
)

// Notices (通知) and the outbox. A notice's record, its delivery state and the
// outbox stream share the {outbox} slot, so enqueueing and settling are
// single-slot scripts; each compound lists its notices in its own slot
// ({c:ID}:notices), written after the notice (idempotently, again by a retried
// CreateNotice).
//
// A notice's life: CreateNotice stores it as scheduled when SendAt is after
// Created, else as sending (to be enqueued at once); EnqueueNotice (the
// scheduler at SendAt, see DueNotices, or the sender at once) queues it to its
// recipients and makes it sending; SettleOutbox counts each recipient's
// outcome; when the last enqueue batch ran and every queued chat is settled it
// is done. Only a scheduled notice can be cancelled.

// enqueueBatch is how many chats one enqueue script queues.
const enqueueBatch = 500

// maxDeadLetters caps the dead-letter list (the oldest go first).
const maxDeadLetters = 10000

// CreateNotice validates and stores a notice with a fresh id ("N1", "N2", ...),
// zero counts and status scheduled when n.SendAt is after n.Created, sending
// otherwise (it is then to be enqueued at once; a zero SendAt is Created, a
// zero Created now). n.ID, n.Status and n.Counts are ignored. A creation whose
// opID was applied before (kept for Options.OpTTL) returns that notice as it
// is now and changes nothing (but repairs the compounds' lists).
func (s *Store) CreateNotice(ctx context.Context, n renovote.Notice, opID string) (renovote.Notice, error) {
	wrap := func(err error) error { return fmt.Errorf("create notice: %w", err) }
	if err := n.Validate(); err != nil {
		return renovote.Notice{}, wrap(err)
	}
	v := &renovote.ValidationError{What: "notice"}
	for i, c := range n.Compounds {
		if !renovote.ValidID(c) {
			v.Add(fmt.Sprintf("compounds[%d]", i), "not a compound id")
		}
	}
	for i, b := range n.Buildings {
		if strings.TrimSpace(b) == "" {
			v.Add(fmt.Sprintf("buildings[%d]", i), "empty")
		}
	}
	if err := v.Err(); err != nil {
		return renovote.Notice{}, wrap(err)
	}
	if err := checkOpID(opID); err != nil {
		return renovote.Notice{}, wrap(err)
	}
	n.Created = nowOr(n.Created).UTC()
	if n.SendAt.IsZero() {
		n.SendAt = n.Created
	}
	n.SendAt = n.SendAt.UTC()
	n.Status = renovote.NoticeSending
	if n.SendAt.After(n.Created) {
		n.Status = renovote.NoticeScheduled
	}
	n.Counts = renovote.NoticeCounts{}
	n.Compounds = slices.Clone(n.Compounds)

	// A retry of an applied creation needs no new number.
	id, err := s.rdb.Get(ctx, s.k.noticeOp(opID)).Result()
	if err != nil && !isNil(err) {
		return renovote.Notice{}, wrap(err)
	}
	if isNil(err) {
		seq, err := s.rdb.Incr(ctx, s.k.noticeSeq()).Result()
		if err != nil {
			return renovote.Notice{}, wrap(err)
		}
		n.ID = "N" + strconv.FormatInt(seq, 10)
		js, err := json.Marshal(n)
		if err != nil {
			return renovote.Notice{}, wrap(err)
		}
		nk := s.k.notice(n.ID)
		// A concurrent retry may have won: the script then replays its id
		// (and this number stays unused).
		_, res, err := s.run(ctx, scriptNoticeCreate,
			[]string{s.k.noticeOp(opID), nk.record, nk.state, s.k.notices(), s.k.noticesDue()},
			n.ID, string(js), n.Created.UnixMilli(), string(n.Status), n.SendAt.UnixMilli(),
			s.opts.OpTTL.Milliseconds(), n.ByChat, n.ProgressID)
		if err != nil {
			return renovote.Notice{}, wrap(err)
		}
		id = str(res, 0)
	}
	out, err := s.Notice(ctx, id)
	if err != nil {
		return renovote.Notice{}, wrap(err)
	}
	if out.Kind == renovote.KindDigest { // a staff digest is no compound's notice
		return out, nil
	}
	if err := s.indexNotice(ctx, out); err != nil {
		return renovote.Notice{}, wrap(err)
	}
	return out, nil
}

// indexNotice lists a notice in each of its compounds (idempotent).
func (s *Store) indexNotice(ctx context.Context, n renovote.Notice) error {
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, c := range n.Compounds {
			if renovote.ValidID(c) {
				p.ZAdd(ctx, s.k.compound(c).notices, redis.Z{Score: float64(n.Created.UnixMilli()), Member: n.ID})
			}
		}
		return nil
	})
	return err
}

// Notice returns a notice with its status and counts (renovote.ErrNotFound if none).
func (s *Store) Notice(ctx context.Context, id string) (renovote.Notice, error) {
	wrap := func(err error) error { return fmt.Errorf("notice %s: %w", id, err) }
	if !validNoticeID(id) {
		return renovote.Notice{}, wrap(renovote.ErrNotFound)
	}
	ns, err := s.notices(ctx, []string{id})
	if err != nil {
		return renovote.Notice{}, wrap(err)
	}
	if len(ns) == 0 {
		return renovote.Notice{}, wrap(renovote.ErrNotFound)
	}
	return ns[0], nil
}

// notices reads notices by id, leaving out unknown ones, in the given order.
func (s *Store) notices(ctx context.Context, ids []string) ([]renovote.Notice, error) {
	type cmds struct {
		rec   *redis.StringCmd
		state *redis.MapStringStringCmd
	}
	cs := make([]cmds, len(ids))
	// One slot: a transaction on a cluster too.
	if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			nk := s.k.notice(id)
			cs[i] = cmds{p.Get(ctx, nk.record), p.HGetAll(ctx, nk.state)}
		}
		return nil
	}); err != nil && !isNil(err) {
		return nil, err
	}
	out := make([]renovote.Notice, 0, len(ids))
	for _, c := range cs {
		if c.rec.Err() != nil {
			continue
		}
		n, err := assembleNotice(c.rec.Val(), c.state.Val())
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// assembleNotice decodes a notice record and lays its state over it.
func assembleNotice(js string, state map[string]string) (renovote.Notice, error) {
	var n renovote.Notice
	if err := json.Unmarshal([]byte(js), &n); err != nil {
		return n, fmt.Errorf("decode notice: %w", err)
	}
	i64 := func(f string) int64 { v, _ := strconv.ParseInt(state[f], 10, 64); return v }
	if st := state["status"]; st != "" {
		n.Status = renovote.NoticeStatus(st)
	}
	n.Counts = renovote.NoticeCounts{Recipients: i64("recipients"), Delivered: i64("delivered"),
		Unreachable: i64("unreachable"), Failed: i64("failed")}
	n.Late = state["late"] == "1"
	if _, ok := state["by_chat"]; ok {
		n.ByChat = i64("by_chat")
		n.ProgressID = int(i64("progress_id"))
	}
	return n, nil
}

// noticeNumber is n of "N<n>" (0 for anything else).
func noticeNumber(id string) int64 { return seqNumber("N", id) }

func validNoticeID(id string) bool { return noticeNumber(id) > 0 && len(id) <= 21 }

// sortNoticesNewest orders notices newest first: by creation, then by number.
func sortNoticesNewest(ns []renovote.Notice) {
	slices.SortStableFunc(ns, func(a, b renovote.Notice) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return cmpInt(noticeNumber(b.ID), noticeNumber(a.ID))
	})
}

// SetNoticeProgress records the message in the sender's chat that shows the
// notice's progress (renovote.ErrNotFound for an unknown notice).
func (s *Store) SetNoticeProgress(ctx context.Context, id string, chatID int64, messageID int) error {
	wrap := func(err error) error { return fmt.Errorf("set notice progress %s: %w", id, err) }
	if !validNoticeID(id) {
		return wrap(renovote.ErrNotFound)
	}
	if _, _, err := s.run(ctx, scriptNoticeProgress, []string{s.k.notice(id).state}, chatID, messageID); err != nil {
		return wrap(err)
	}
	return nil
}

// NoticeRecipients lists, sorted and unique, the chats a notice would reach:
// the bound members of the households (not removed) of the compounds, less
// the unreachable chats (IsUnreachable). Buildings, when given, narrow every
// compound to the households whose building is one of them: a building
// matches a household when it equals Household.Building, or when both name the
// same building once normalised as in renovote.HouseholdID ("3", "3栋" and
// "３号楼" are one building), or when it equals the building part of the
// household's id (before its first "-", as in "3-2-301"). With onlyNonVoters,
// only households without a current vote count. An unknown compound is
// renovote.ErrNotFound.
func (s *Store) NoticeRecipients(ctx context.Context, compounds, buildings []string, onlyNonVoters bool) ([]int64, error) {
	wrap := func(err error) error { return fmt.Errorf("notice recipients: %w", err) }
	if len(compounds) == 0 {
		return nil, wrap(fmt.Errorf("no compound: %w", renovote.ErrInvalid))
	}
	want := map[string]bool{}
	for _, b := range buildings {
		if b = strings.TrimSpace(b); b != "" {
			want[b] = true
			want[buildingKey(b)] = true
		}
	}
	seen := map[int64]bool{}
	for _, c := range slices.Compact(slices.Sorted(slices.Values(compounds))) {
		ck, err := s.compound(c)
		if err != nil {
			return nil, wrap(err)
		}
		h, err := s.readHashes(ctx, ck, ck.hh, ck.members, ck.choice)
		if err != nil {
			return nil, wrap(fmt.Errorf("compound %s: %w", c, err))
		}
		hh, members, choice := h[0], h[1], h[2]
		for hid, list := range members {
			js, ok := hh[hid]
			if !ok {
				continue
			}
			if _, voted := choice[hid]; voted && onlyNonVoters {
				continue
			}
			hs, err := decodeHousehold(js)
			if err != nil {
				return nil, wrap(err)
			}
			if hs.Removed || (len(want) > 0 && !inBuildings(hs, want)) {
				continue
			}
			for _, id := range parseMembers(list) {
				seen[id] = true
			}
		}
	}
	ids := make([]int64, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := ids[:0]
	for chunk := range slices.Chunk(slices.Clone(ids), 1000) {
		ms := make([]any, len(chunk))
		for i, id := range chunk {
			ms[i] = strconv.FormatInt(id, 10)
		}
		gone, err := s.rdb.SMIsMember(ctx, s.k.unreachable(), ms...).Result()
		if err != nil {
			return nil, wrap(err)
		}
		for i, id := range chunk {
			if !gone[i] {
				out = append(out, id)
			}
		}
	}
	return out, nil
}

// buildingKey is the canonical building part of a household id.
func buildingKey(b string) string { return strings.TrimSuffix(renovote.HouseholdID(b, "", ""), "--") }

func inBuildings(h renovote.Household, want map[string]bool) bool {
	part, _, _ := strings.Cut(h.ID, "-")
	return want[h.Building] || want[buildingKey(h.Building)] || want[part]
}

// EnqueueNotice queues the notice to each recipient (sorted, made unique, 0
// left out) once: in scripts of up to 500 chats, a chat is added to the outbox
// stream only when new to the notice, so a retried or resumed enqueue adds no
// duplicate. The notice becomes sending with Counts.Recipients the number of
// chats queued so far, and done once the last batch ran and every queued chat
// is settled (at once for no recipients). A scheduled notice is enqueued when
// the caller says so (see DueNotices). renovote.ErrNotFound for an unknown
// notice, renovote.ErrConflict for a cancelled one.
func (s *Store) EnqueueNotice(ctx context.Context, id string, recipients []int64) (renovote.Notice, error) {
	wrap := func(err error) error { return fmt.Errorf("enqueue notice %s: %w", id, err) }
	n, err := s.Notice(ctx, id)
	if err != nil {
		return renovote.Notice{}, wrap(err)
	}
	if n.Status == renovote.NoticeCancelled {
		return n, wrap(fmt.Errorf("notice cancelled: %w", renovote.ErrConflict))
	}
	chats := slices.DeleteFunc(slices.Clone(recipients), func(c int64) bool { return c == 0 })
	slices.Sort(chats)
	chats = slices.Compact(chats)
	nk := s.k.notice(id)
	keys := []string{nk.state, nk.queued, s.k.outbox(), s.k.noticesDue()}
	for i := 0; i == 0 || i < len(chats); i += enqueueBatch {
		batch := chats[i:min(i+enqueueBatch, len(chats))]
		last := i+enqueueBatch >= len(chats)
		args := make([]any, 0, 5+len(batch))
		args = append(args, id, boolStr(last), n.Text, n.Photo, n.Document)
		for _, c := range batch {
			args = append(args, strconv.FormatInt(c, 10))
		}
		if _, _, err := s.run(ctx, scriptNoticeEnqueue, keys, args...); err != nil {
			return renovote.Notice{}, wrap(err)
		}
	}
	out, err := s.Notice(ctx, id)
	if err != nil {
		return renovote.Notice{}, wrap(err)
	}
	return out, nil
}

// CancelNotice cancels a scheduled notice; renovote.ErrConflict for a notice
// in any other status (also one cancelled already), renovote.ErrNotFound for
// an unknown one. Who and when are kept in the notice's state.
func (s *Store) CancelNotice(ctx context.Context, id, by string, at time.Time) error {
	wrap := func(err error) error { return fmt.Errorf("cancel notice %s: %w", id, err) }
	if !validNoticeID(id) {
		return wrap(renovote.ErrNotFound)
	}
	if _, _, err := s.run(ctx, scriptNoticeCancel, []string{s.k.notice(id).state, s.k.noticesDue()},
		id, by, fmtTime(nowOr(at))); err != nil {
		return wrap(err)
	}
	return nil
}

// Notices lists the compound's latest n notices (all when n ≤ 0), newest first.
func (s *Store) Notices(ctx context.Context, compoundID string, n int) ([]renovote.Notice, error) {
	wrap := func(err error) error { return fmt.Errorf("notices %s: %w", compoundID, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return nil, wrap(err)
	}
	out, err := s.latestNotices(ctx, ck.notices, n)
	if err != nil {
		return nil, wrap(err)
	}
	return out, nil
}

// AllNotices lists the latest n notices of every compound (all when n ≤ 0),
// newest first.
func (s *Store) AllNotices(ctx context.Context, n int) ([]renovote.Notice, error) {
	out, err := s.latestNotices(ctx, s.k.notices(), n)
	if err != nil {
		return nil, fmt.Errorf("all notices: %w", err)
	}
	return out, nil
}

func (s *Store) latestNotices(ctx context.Context, index string, n int) ([]renovote.Notice, error) {
	stop := int64(n) - 1
	if n <= 0 {
		stop = -1
	}
	ids, err := s.rdb.ZRevRange(ctx, index, 0, stop).Result()
	if err != nil {
		return nil, err
	}
	ids = slices.DeleteFunc(ids, func(id string) bool { return !validNoticeID(id) })
	out, err := s.notices(ctx, ids)
	if err != nil {
		return nil, err
	}
	sortNoticesNewest(out)
	return out, nil
}

// DueNotices lists up to n (all when n ≤ 0) scheduled notices whose SendAt is
// not after at, the earliest first: what a scheduler enqueues.
func (s *Store) DueNotices(ctx context.Context, at time.Time, n int) ([]renovote.Notice, error) {
	wrap := func(err error) error { return fmt.Errorf("due notices: %w", err) }
	by := &redis.ZRangeBy{Min: "-inf", Max: strconv.FormatInt(at.UnixMilli(), 10)}
	if n > 0 {
		by.Count = int64(n)
	}
	ids, err := s.rdb.ZRangeByScore(ctx, s.k.noticesDue(), by).Result()
	if err != nil {
		return nil, wrap(err)
	}
	ids = slices.DeleteFunc(ids, func(id string) bool { return !validNoticeID(id) })
	ns, err := s.notices(ctx, ids)
	if err != nil {
		return nil, wrap(err)
	}
	return slices.DeleteFunc(ns, func(x renovote.Notice) bool {
		return x.Status != renovote.NoticeScheduled || x.SendAt.After(at)
	}), nil
}

// DeadLetters lists up to n (all kept when n ≤ 0) outbox messages given up on,
// newest first. The list keeps the latest 10,000.
func (s *Store) DeadLetters(ctx context.Context, n int) ([]renovote.DeadLetter, error) {
	wrap := func(err error) error { return fmt.Errorf("dead letters: %w", err) }
	stop := int64(n) - 1
	if n <= 0 {
		stop = -1
	}
	l, err := s.rdb.LRange(ctx, s.k.deadLetters(), 0, stop).Result()
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]renovote.DeadLetter, 0, len(l))
	for _, js := range l {
		var d renovote.DeadLetter
		if err := json.Unmarshal([]byte(js), &d); err != nil {
			return nil, wrap(fmt.Errorf("decode dead letter: %w", err))
		}
		out = append(out, d)
	}
	return out, nil
}

// IsUnreachable reports whether a chat is in the unreachable set: it answered
// 403 (blocked the bot, deleted the account) to an outbox message, and no
// message has been delivered to it since. NoticeRecipients leaves these out.
func (s *Store) IsUnreachable(ctx context.Context, chatID int64) (bool, error) {
	ok, err := s.rdb.SIsMember(ctx, s.k.unreachable(), strconv.FormatInt(chatID, 10)).Result()
	if err != nil {
		return false, fmt.Errorf("is unreachable: %w", err)
	}
	return ok, nil
}

// MarkReachable takes a chat out of the unreachable set, e.g. when its user
// writes to the bot again after unblocking it.
func (s *Store) MarkReachable(ctx context.Context, chatID int64) error {
	if err := s.rdb.SRem(ctx, s.k.unreachable(), strconv.FormatInt(chatID, 10)).Err(); err != nil {
		return fmt.Errorf("mark reachable: %w", err)
	}
	return nil
}

// NonVoters lists the compound's households that are not removed and have no
// current vote, in register order (SortHouseholds); renovote.ErrNotFound for
// an unknown compound.
func (s *Store) NonVoters(ctx context.Context, compoundID string) ([]renovote.Household, error) {
	wrap := func(err error) error { return fmt.Errorf("non-voters %s: %w", compoundID, err) }
	ck, err := s.compound(compoundID)
	if err != nil {
		return nil, wrap(err)
	}
	h, err := s.readHashes(ctx, ck, ck.hh, ck.choice)
	if err != nil {
		return nil, wrap(err)
	}
	all, err := decodeHouseholds(h[0])
	if err != nil {
		return nil, wrap(err)
	}
	return slices.DeleteFunc(all, func(x renovote.Household) bool {
		_, voted := h[1][x.ID]
		return x.Removed || voted
	}), nil
}
