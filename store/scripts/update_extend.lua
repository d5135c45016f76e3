-- Extend the lease of a claim on an update that its holder is still handling.
-- KEYS: 1 update
-- ARGV: 1 token, 2 lease ms
-- Returns {'OK', 1} when extended, {'OK', 0} when the claim is not the
-- token's any more (expired and taken, done, released).
local v = redis.call('GET', KEYS[1])
if not v then return {'OK', 0} end
local kind, tok = string.match(v, '^(%a+)|([^|]*)|')
if kind ~= 'run' or tok ~= ARGV[1] then return {'OK', 0} end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {'OK', 1}
