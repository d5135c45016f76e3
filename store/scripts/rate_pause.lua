-- Pause every replica's calls to Telegram (a 429's retry_after), never
-- shortening a pause already on. Time is Redis's (TIME) unless passed (tests).
-- KEYS: 1 pause
-- ARGV: 1 pause in µs, 2 now in µs ('' : Redis TIME)
-- Returns {'OK', until µs}.
local now
if ARGV[2] ~= '' then
  now = tonumber(ARGV[2])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local want = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if want > cur then
  redis.call('SET', KEYS[1], string.format('%.0f', want), 'PX', math.ceil(tonumber(ARGV[1]) / 1000) + 1)
  cur = want
end
return {'OK', string.format('%.0f', cur)}
