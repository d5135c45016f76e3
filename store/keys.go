package store

import (
	"strconv"
	"strings"
)

// keys builds every key name the store uses; no other file (and no Lua script)
// makes up a key name. Keys of one compound share the hash tag {c:<compoundID>},
// so every script of a compound runs in one Redis Cluster slot. Global keys
// (programme, users, invitation codes, sessions, updates, throttles) are touched
// one key per command or script. Staff keys share the tag {staff}.
//
// Layout, with P the configured prefix:
//
//	P programme                 string  programme JSON
//	P compounds                 set     every compound id ever applied
//	P{c:ID}:meta                hash    active, name, rule (JSON), publish, opens/closes (unix ms), exact s/ns
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
//	P invite:<code>             hash    c, h, issued, revoked
//	P user:<userID>             hash    c, h, s (p pending | d done), t (unix ms)
//	P upd:<updateID>            string  token, TTL Options.UpdateTTL
//	P throttle:invite:<userID>  zset    failed code attempts (score unix ms)
//	P session:<key>             string  opaque session bytes, TTL by caller
//	P{staff}:workers            set     user ids of community workers
//	P{staff}:audit              stream  staff changes
type keys struct{ p string }

func (k keys) programme() string { return k.p + "programme" }
func (k keys) compounds() string { return k.p + "compounds" }

func (k keys) invite(code string) string { return k.p + "invite:" + code }
func (k keys) user(id int64) string      { return k.p + "user:" + strconv.FormatInt(id, 10) }
func (k keys) update(id int64) string    { return k.p + "upd:" + strconv.FormatInt(id, 10) }
func (k keys) throttle(userID int64) string {
	return k.p + "throttle:invite:" + strconv.FormatInt(userID, 10)
}
func (k keys) session(key string) string { return k.p + "session:" + key }
func (k keys) workers() string           { return k.p + "{staff}:workers" }
func (k keys) staffAudit() string        { return k.p + "{staff}:audit" }

// compoundKeys are the keys of one compound, all in the compound's slot.
type compoundKeys struct {
	tag                             string // P{c:ID}:
	meta, hh, choice, votes, tally  string
	ownUnits, ownAgree, ownDisagree string
	members, inv, audit, regAudit   string
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
	}
}

// op is the idempotency key of a vote command, in the compound's slot.
func (ck compoundKeys) op(opID string) string { return ck.tag + "op:" + opID }

// validPrefix reports whether p can prefix keys without breaking hash tags.
func validPrefix(p string) bool { return !strings.ContainsAny(p, "{}") }
