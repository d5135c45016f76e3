-- Drop a household's current invitation.
-- KEYS: 1 hh, 2 inv
-- ARGV: 1 household id
-- Returns {'OK', previous invitation JSON or ''}.
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return {'NOTFOUND', 'household'} end
local old = redis.call('HGET', KEYS[2], ARGV[1]) or ''
redis.call('HDEL', KEYS[2], ARGV[1])
return {'OK', old}
