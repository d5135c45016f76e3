-- Claim a user for a household (first step of a bind). Single global key.
-- KEYS: 1 user
-- ARGV: 1 compound id, 2 household id, 3 now unix ms
-- Returns {'CLAIMED'} after writing a pending claim, or {'EXISTS', c, h, s, t}.
local v = redis.call('HMGET', KEYS[1], 'c', 'h', 's', 't')
if not v[1] then
  redis.call('HSET', KEYS[1], 'c', ARGV[1], 'h', ARGV[2], 's', 'p', 't', ARGV[3])
  return {'CLAIMED'}
end
return {'EXISTS', v[1], v[2] or '', v[3] or '', v[4] or ''}
