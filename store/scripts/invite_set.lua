-- Make a code the household's current invitation.
-- KEYS: 1 hh, 2 inv
-- ARGV: 1 household id, 2 invitation JSON
-- Returns {'OK', previous invitation JSON or ''}.
local hjs = redis.call('HGET', KEYS[1], ARGV[1])
if not hjs then return {'NOTFOUND', 'household'} end
if cjson.decode(hjs).removed then return {'REMOVED'} end
local old = redis.call('HGET', KEYS[2], ARGV[1]) or ''
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return {'OK', old}
