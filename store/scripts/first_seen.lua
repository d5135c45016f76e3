-- Remember an update id. A retry carrying the same token still sees "first".
-- KEYS: 1 update
-- ARGV: 1 token, 2 TTL ms
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {'OK', 1}
end
if v == ARGV[1] then return {'OK', 1} end
return {'OK', 0}
