package store

import (
	"strconv"
	"strings"
	"time"

	"github.com/renovote/renovote"
)

// keys builds every key name the store uses; no other file (and no Lua script)
// makes up a key name. Keys of one compound share the hash tag {c:<compoundID>},
// so every script of a compound runs in one Redis Cluster slot. Global keys
// (programme, users, invitation codes, sessions, updates, throttles) are touched
// one key per command or script. Staff keys share the tag {staff}, so a staff
// change, its audit entry and a staff invitation's use are one script. The
// outbox and every notice's delivery bookkeeping share the tag {outbox}, so
// enqueueing and settling are single-slot scripts; only a compound's notice
// index lives in the compound's slot, written apart (idempotently).
//
// Layout, with P the configured prefix:
//
//	P programme                 string  programme JSON
//	P programme:rev             string  hash of the programme JSON (cache validation)
//	P compounds                 set     every compound id ever applied
//	P{c:ID}:meta                hash    active, name, rule (JSON), publish, opens/closes (unix ms), exact s/ns;
//	                                    survey_opens/survey_closes (unix ms) and exact survey_*_s/ns
//	                                    when the compound has a survey window; publicity_opens_s/ns and
//	                                    publicity_closes_s/ns when it has a publicity window (公示期)
//	P{c:ID}:hh                  hash    household id -> household JSON (with owner_key)
//	P{c:ID}:choice              hash    household id -> agree|disagree (current choice)
//	P{c:ID}:votes               hash    household id -> renovote.HouseholdVote JSON
//	P{c:ID}:tally               hash    counters, fields named as renovote.Tally's JSON
//	P{c:ID}:own:units           hash    owner key -> units on the register (not removed)
//	P{c:ID}:own:agree           hash    owner key -> voted units choosing agree
//	P{c:ID}:own:disagree        hash    owner key -> voted units choosing disagree
//	P{c:ID}:members             hash    household id -> "uid,uid,..." bound users
//	P{c:ID}:inv                 hash    household id -> current invitation JSON
//	P{c:ID}:audit               stream  one entry per accepted vote command
//	P{c:ID}:regaudit            stream  one entry per register import
//	P{c:ID}:op:<OpID>           string  "<previous>|<receipt JSON>", TTL Options.OpTTL
//	P{c:ID}:survey              hash    household id -> renovote.SurveyAnswer JSON (current answer)
//	P{c:ID}:survey:counts       hash    survey counters: respondents, urg:<item>:<rank>, up:<item>,
//	                                    contribute, band:<id>, comments, photos (zeros deleted)
//	P{c:ID}:survey:audit        stream  one entry per accepted survey submission
//	P{c:ID}:survey:op:<opID>    string  household id, TTL Options.OpTTL
//	P{c:ID}:reports             hash    report id ("R<n>") -> renovote.Report JSON
//	P{c:ID}:reports:seq         string  last report number (INCR)
//	P{c:ID}:reports:open        zset    ids of reports not resolved (score: created, unix ms)
//	P{c:ID}:reports:op:<opID>   string  id of the report filed (FileReport), TTL Options.OpTTL
//	P{c:ID}:reports:mv:<opID>   string  id of the report moved (MoveReport), TTL Options.OpTTL
//	P{c:ID}:supervisors         set     user ids of the compound's resident supervisors (监理员)
//	P{c:ID}:objections          hash    objection id ("O<n>") -> renovote.Objection JSON
//	P{c:ID}:objections:seq      string  last objection number (INCR)
//	P{c:ID}:objections:open     zset    ids of objections not answered (score: created, unix ms)
//	P{c:ID}:objections:audit    stream  one entry per objection filed or answered: op (file|answer),
//	                                    id, household, user, actor, at, op id
//	P{c:ID}:objections:op:<opID> string id of the objection filed (FileObjection), TTL Options.OpTTL
//	P{c:ID}:objections:ans:<opID> string id of the objection answered (AnswerObjection), TTL Options.OpTTL
//	P{c:ID}:staff:audit         stream  supervisor changes
//	P invite:<code>             hash    c, h, issued, revoked
//	P user:<userID>             hash    c, h, s (p pending | d done), t (unix ms)
//	P upd:<updateID>            string  token (FirstSeen), TTL Options.UpdateTTL; "done|poll" once handled
//	                                    by a lone poller and not journaled (UpdatesDone, updates_log.go), TTL UpdateTTL; through the
//	                                    webhook (updates_claim.go): "run|<token>|<attempt>" with the lease as
//	                                    TTL while handled, then "fail|<attempt>" or "done|<token>", TTL UpdateTTL
//	P updjournal                hash    update id -> "<unix ms>|<raw update JSON>": taken by a lone poller
//	                                    from Telegram, not handled yet (JournalUpdates, updates_journal.go);
//	                                    "through" -> "<unix ms>|<update id>": every update taken up to it
//	                                    was journaled; JournalDone and UpdatesDone delete the ids they mark
//	P throttle:invite:<userID>  zset    failed code attempts (score unix ms)
//	P session:<key>             string  opaque session bytes, TTL by caller
//	P{c:ID}:notices             zset    ids of notices to the compound (score: created, unix ms)
//	P{c:ID}:remind:ballot       hash    household id -> reminders of the ballot queued (TakeReminders)
//	P{c:ID}:remind:survey       hash    household id -> reminders of the survey queued
//	P{c:ID}:remind:op:<opID>    string  households counted by one TakeReminders, TTL Options.OpTTL
//	P announced                 set     announcements made for good ("phase:<id>")
//	P{staff}:members            hash    user id -> renovote.StaffMember JSON
//	P{staff}:audit              stream  staff changes: op (add|change|remove|redeem|migrate), user,
//	                                    role, compounds, by, at
//	P{staff}:inv:<code>         string  renovote.StaffInvite JSON, TTL until Expires + Options.OpTTL
//	P{staff}:workers            set     legacy (issue 2): user ids of community workers, moved into
//	                                    {staff}:members on first use and deleted
//	P{outbox}:stream            stream  one entry per (notice, chat): notice, chat, text, photo,
//	                                    document; consumer group "senders"
//	P{outbox}:notice:<id>       string  renovote.Notice JSON as created (status and counts not kept up)
//	P{outbox}:notice:<id>:state hash    status, recipients, delivered, unreachable, failed, enqueued
//	                                    (1 once the last enqueue batch ran), by_chat, progress_id,
//	                                    cancelled_by, cancelled_at
//	P{outbox}:notice:<id>:queued  set   chat ids queued (each added to the stream once)
//	P{outbox}:notice:<id>:settled set   chat ids with an outcome (each counted once)
//	P{outbox}:notices           zset    every notice id (score: created, unix ms)
//	P{outbox}:notices:seq       string  last notice number (INCR)
//	P{outbox}:notices:due       zset    ids of scheduled notices (score: send at, unix ms)
//	P{outbox}:notices:op:<opID> string  id of the notice created (CreateNotice), TTL Options.OpTTL
//	P{outbox}:unreachable       set     chat ids that answered 403 (blocked the bot)
//	P{outbox}:dead              list    renovote.DeadLetter JSON, newest first, capped (maxDeadLetters)
//	P{run:JOB}:<tick>           string  claim of one run of a scheduled job (tick: UTC, runTickFormat):
//	                                    "run|<owner>" with a TTL (the lease) while it runs, then
//	                                    "done|<RunRecord JSON>", kept runKeep
//	P{run:JOB}:history          list    RunRecord JSON of the job's finished runs, newest first, capped
//	P{poll}:leader              string  token of the replica that long-polls (replicas.go), TTL the lease
//	P{poll}:offset              string  the next getUpdates offset: every update below it was handed over
//	P{poll}:updates             stream  updates handed over by the poller: id, chat, prev, u (the JSON);
//	                                    consumer group "replicas"
//	P{poll}:chat:<chatID>       string  the chat's last update id handed over, TTL pollChatTTL
//	P{rate}:bucket              hash    tokens, at (µs of Redis TIME): the replicas' shared token bucket
//	P{rate}:pause               string  µs of Redis TIME until which every replica pauses (429), TTL the pause
//	P{rate}:chat:<chatID>       string  "1" while a message to the chat is under a second old, TTL the gap
//
// The notice state hash also holds late (1) and late_at (RFC 3339) once the
// scheduler queued the notice more than scheduler.LateAfter after its time.
type keys struct{ p string }

func (k keys) programme() string    { return k.p + "programme" }
func (k keys) programmeRev() string { return k.p + "programme:rev" }
func (k keys) compounds() string    { return k.p + "compounds" }
func (k keys) announced() string    { return k.p + "announced" }

func (k keys) invite(code string) string { return k.p + "invite:" + code }
func (k keys) user(id int64) string      { return k.p + "user:" + strconv.FormatInt(id, 10) }
func (k keys) update(id int64) string    { return k.p + "upd:" + strconv.FormatInt(id, 10) }
func (k keys) journal() string           { return k.p + "updjournal" }
func (k keys) throttle(userID int64) string {
	return k.p + "throttle:invite:" + strconv.FormatInt(userID, 10)
}
func (k keys) session(key string) string { return k.p + "session:" + key }
func (k keys) workers() string           { return k.p + "{staff}:workers" } // legacy, see migrateStaff
func (k keys) staffMembers() string      { return k.p + "{staff}:members" }
func (k keys) staffAudit() string        { return k.p + "{staff}:audit" }

// staffInvite is the key of a staff invitation. The code is checked with
// renovote.ValidInviteCode first (no braces).
func (k keys) staffInvite(code string) string { return k.p + "{staff}:inv:" + code }

// The outbox's keys, all in the {outbox} slot.
func (k keys) outbox() string            { return k.p + "{outbox}:stream" }
func (k keys) notices() string           { return k.p + "{outbox}:notices" }
func (k keys) noticeSeq() string         { return k.p + "{outbox}:notices:seq" }
func (k keys) noticesDue() string        { return k.p + "{outbox}:notices:due" }
func (k keys) noticeOp(op string) string { return k.p + "{outbox}:notices:op:" + op }
func (k keys) unreachable() string       { return k.p + "{outbox}:unreachable" }
func (k keys) deadLetters() string       { return k.p + "{outbox}:dead" }

// noticeKeys are the keys of one notice, in the {outbox} slot.
type noticeKeys struct{ record, state, queued, settled string }

// notice returns the keys of notice id, which must be validNoticeID.
func (k keys) notice(id string) noticeKeys {
	t := k.p + "{outbox}:notice:" + id
	return noticeKeys{record: t, state: t + ":state", queued: t + ":queued", settled: t + ":settled"}
}

// run is the claim key of one run of a scheduled job; job is validJobName (no
// braces) and tick is in UTC. A job's keys share the tag {run:JOB}.
func (k keys) run(job string, tick time.Time) string {
	return k.p + "{run:" + job + "}:" + tick.UTC().Format(runTickFormat)
}

// runHistory lists a job's finished runs.
func (k keys) runHistory(job string) string { return k.p + "{run:" + job + "}:history" }

// The elected poller's keys (replicas.go), all in the {poll} slot: the
// leader's lease, the offset and the hand-off stream move in one script.
func (k keys) pollLeader() string  { return k.p + "{poll}:leader" }
func (k keys) pollOffset() string  { return k.p + "{poll}:offset" }
func (k keys) pollUpdates() string { return k.p + "{poll}:updates" }
func (k keys) pollChat(chat int64) string {
	return k.p + "{poll}:chat:" + strconv.FormatInt(chat, 10)
}

// The shared rate limit's keys (ratelimit.go), all in the {rate} slot.
func (k keys) rateBucket() string { return k.p + "{rate}:bucket" }
func (k keys) ratePause() string  { return k.p + "{rate}:pause" }
func (k keys) rateChat(chat int64) string {
	return k.p + "{rate}:chat:" + strconv.FormatInt(chat, 10)
}

// replicaGroup is the consumer group of the replicas on the hand-off stream.
const replicaGroup = "replicas"

// runTickFormat names a run's tick in its key (cron ticks are whole seconds).
const runTickFormat = "20060102T150405Z"

// outboxGroup is the consumer group of the bot processes that send the outbox.
const outboxGroup = "senders"

// compoundKeys are the keys of one compound, all in the compound's slot.
type compoundKeys struct {
	tag                               string // P{c:ID}:
	meta, hh, choice, votes, tally    string
	ownUnits, ownAgree, ownDisagree   string
	members, inv, audit, regAudit     string
	survey, surveyCounts, surveyAudit string
	reports, reportSeq, reportsOpen   string
	supervisors, staffAudit           string
	notices                           string
	objections, objectionSeq          string
	objectionsOpen, objectionAudit    string
}

// compound returns the keys of compound id. The id must be renovote.ValidID
// (no braces), which callers check first.
func (k keys) compound(id string) compoundKeys {
	t := k.p + "{c:" + id + "}:"
	return compoundKeys{
		tag: t, meta: t + "meta", hh: t + "hh", choice: t + "choice", votes: t + "votes",
		tally: t + "tally", ownUnits: t + "own:units", ownAgree: t + "own:agree",
		ownDisagree: t + "own:disagree", members: t + "members", inv: t + "inv",
		audit: t + "audit", regAudit: t + "regaudit",
		survey: t + "survey", surveyCounts: t + "survey:counts", surveyAudit: t + "survey:audit",
		reports: t + "reports", reportSeq: t + "reports:seq", reportsOpen: t + "reports:open",
		supervisors: t + "supervisors", staffAudit: t + "staff:audit",
		notices: t + "notices",

		objections: t + "objections", objectionSeq: t + "objections:seq",
		objectionsOpen: t + "objections:open", objectionAudit: t + "objections:audit",
	}
}

// reminders counts the reminders of the compound's ballot or survey.
func (ck compoundKeys) reminders(kind renovote.WindowKind) string {
	return ck.tag + "remind:" + string(kind)
}

// remindOp is the idempotency key of a TakeReminders.
func (ck compoundKeys) remindOp(opID string) string { return ck.tag + "remind:op:" + opID }

// op is the idempotency key of a vote command, in the compound's slot.
func (ck compoundKeys) op(opID string) string { return ck.tag + "op:" + opID }

// surveyOp is the idempotency key of a survey submission. Its namespace is
// apart from the vote commands' ("op:"), so equal op ids never collide.
func (ck compoundKeys) surveyOp(opID string) string { return ck.tag + "survey:op:" + opID }

// reportOp is the idempotency key of a report filing.
func (ck compoundKeys) reportOp(opID string) string { return ck.tag + "reports:op:" + opID }

// moveOp is the idempotency key of a report's status change.
func (ck compoundKeys) moveOp(opID string) string { return ck.tag + "reports:mv:" + opID }

// objectionOp is the idempotency key of an objection's filing.
func (ck compoundKeys) objectionOp(opID string) string { return ck.tag + "objections:op:" + opID }

// objectionAnswerOp is the idempotency key of an objection's answer.
func (ck compoundKeys) objectionAnswerOp(opID string) string {
	return ck.tag + "objections:ans:" + opID
}

// validPrefix reports whether p can prefix keys without breaking hash tags.
func validPrefix(p string) bool { return !strings.ContainsAny(p, "{}") }
