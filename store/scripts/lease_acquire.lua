-- Acquire the poller's lease: the key is set to the token, with the lease as
-- TTL, when nobody holds it; a retry by the holder (its reply lost) keeps it.
-- KEYS: 1 lease
-- ARGV: 1 token, 2 lease ms
-- Returns {'OK', 1} when the token holds the lease, {'OK', 0} otherwise.
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {'OK', 1}
end
if v == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {'OK', 1}
end
return {'OK', 0}
