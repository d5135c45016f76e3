-- Revoke a household's current invitation: the record stays, with no code, so
-- that EnsureInvites does not hand the household a new one until it is
-- reissued (IssueInvite).
-- KEYS: 1 hh, 2 inv
-- ARGV: 1 household id, 2 revoked record JSON
-- Returns {'OK', previous invitation JSON or ''}.
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return {'NOTFOUND', 'household'} end
local old = redis.call('HGET', KEYS[2], ARGV[1]) or ''
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return {'OK', old}
