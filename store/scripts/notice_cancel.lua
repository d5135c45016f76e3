-- Cancel a scheduled notice.
-- KEYS: 1 state, 2 {outbox}:notices:due
-- ARGV: 1 notice id, 2 by, 3 at (RFC 3339)
-- Returns {'OK'}, {'NOTFOUND', ...} or {'CONFLICT', ...} unless scheduled.
local st = redis.call('HGET', KEYS[1], 'status')
if not st then return {'NOTFOUND', 'notice'} end
if st ~= 'scheduled' then return {'CONFLICT', 'notice is ' .. st} end
redis.call('HSET', KEYS[1], 'status', 'cancelled', 'cancelled_by', ARGV[2], 'cancelled_at', ARGV[3])
redis.call('ZREM', KEYS[2], ARGV[1])
return {'OK'}
