-- Give the poller's lease up, if the token still holds it.
-- KEYS: 1 lease
-- ARGV: 1 token
-- Returns {'OK', 1} when released, {'OK', 0} when the token did not hold it.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return {'OK', 1}
end
return {'OK', 0}
