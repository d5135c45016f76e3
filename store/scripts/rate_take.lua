-- Take a token for one call to Telegram from the token bucket every replica
-- shares, unless the replicas are paused (a 429) or the chat got a message
-- too recently. Time is Redis's (TIME), one clock for every replica, unless
-- the caller passes one (tests).
-- KEYS: 1 bucket (hash: tokens, at µs), 2 pause (µs), 3 chat key
-- ARGV: 1 tokens per second, 2 burst, 3 reserve (tokens left for others:
--       bulk messages leave 1 for replies), 4 '1' to wait until the chat key
--       has expired, 5 ms for which this send holds the chat key (0: none),
--       6 now in µs ('' : Redis TIME)
-- Returns {'OK', 0} when a token was taken, else {'OK', µs to wait} (nothing
-- taken).
local now
if ARGV[6] ~= '' then
  now = tonumber(ARGV[6])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local pause = tonumber(redis.call('GET', KEYS[2]) or '0')
if pause > now then return {'OK', pause - now} end
if ARGV[4] == '1' then
  local ttl = redis.call('PTTL', KEYS[3])
  if ttl > 0 then return {'OK', ttl * 1000} end
end
local rate, burst, reserve = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(b[1]), tonumber(b[2])
if not tokens or not at then tokens, at = burst, now end
if now > at then
  tokens = math.min(burst, tokens + (now - at) * rate / 1000000)
  at = now
end
if tokens < 1 + reserve then
  return {'OK', math.max(1, math.ceil((1 + reserve - tokens) * 1000000 / rate))}
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens - 1), 'at', string.format('%.0f', at))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
if tonumber(ARGV[5]) > 0 then redis.call('SET', KEYS[3], '1', 'PX', ARGV[5]) end
return {'OK', 0}
