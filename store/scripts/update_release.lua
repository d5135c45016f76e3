-- Release a claim on an update whose handling failed, remembering the attempt.
-- KEYS: 1 update
-- ARGV: 1 token, 2 TTL ms of the failure record
-- Returns {'OK', 1} when released, {'OK', 0} when the claim is not the
-- token's (expired and taken by another process, or done).
local v = redis.call('GET', KEYS[1])
if not v then return {'OK', 0} end
local kind, tok, attempt = string.match(v, '^(%a+)|([^|]*)|(.*)$')
if kind ~= 'run' or tok ~= ARGV[1] then return {'OK', 0} end
redis.call('SET', KEYS[1], 'fail|' .. attempt, 'PX', ARGV[2])
return {'OK', 1}
