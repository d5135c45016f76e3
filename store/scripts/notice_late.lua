-- Mark a scheduled notice as sent late (its time passed while no scheduler ran).
-- KEYS: 1 state
-- ARGV: 1 at (RFC 3339)
-- Returns {'OK', 1} when marked, {'OK', 0} for a notice no longer scheduled,
-- {'NOTFOUND', ...} for an unknown one.
local st = redis.call('HGET', KEYS[1], 'status')
if not st then return {'NOTFOUND', 'notice'} end
if st ~= 'scheduled' then return {'OK', 0} end
redis.call('HSET', KEYS[1], 'late', 1, 'late_at', ARGV[1])
return {'OK', 1}
