package store

import (
	_ "embed"

	"github.com/redis/go-redis/v9"
)

// Every script is its own file under scripts/, embedded here and run with
// Script.Run (EVALSHA, falling back to EVAL). Scripts get every key in KEYS.

var (
	//go:embed scripts/recompute.lua
	luaRecompute string
	//go:embed scripts/import.lua
	luaImport string
	//go:embed scripts/rebuild.lua
	luaRebuild string
	//go:embed scripts/vote.lua
	luaVote string
	//go:embed scripts/user_claim.lua
	luaUserClaim string
	//go:embed scripts/user_cas.lua
	luaUserCAS string
	//go:embed scripts/bind_add.lua
	luaBindAdd string
	//go:embed scripts/bind_remove.lua
	luaBindRemove string
	//go:embed scripts/invite_set.lua
	luaInviteSet string
	//go:embed scripts/invite_ensure.lua
	luaInviteEnsure string
	//go:embed scripts/invite_revoke.lua
	luaInviteRevoke string
	//go:embed scripts/first_seen.lua
	luaFirstSeen string
	//go:embed scripts/staff.lua
	luaStaff string
)

var (
	scriptImport       = redis.NewScript(luaRecompute + "\n" + luaImport)
	scriptRebuild      = redis.NewScript(luaRecompute + "\n" + luaRebuild)
	scriptVote         = redis.NewScript(luaVote)
	scriptUserClaim    = redis.NewScript(luaUserClaim)
	scriptUserCAS      = redis.NewScript(luaUserCAS)
	scriptBindAdd      = redis.NewScript(luaBindAdd)
	scriptBindRemove   = redis.NewScript(luaBindRemove)
	scriptInviteSet    = redis.NewScript(luaInviteSet)
	scriptInviteEnsure = redis.NewScript(luaInviteEnsure)
	scriptInviteRevoke = redis.NewScript(luaInviteRevoke)
	scriptFirstSeen    = redis.NewScript(luaFirstSeen)
	scriptStaff        = redis.NewScript(luaStaff)
)
