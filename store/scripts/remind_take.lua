-- Count one reminder for each household below the cap, once per op id.
-- KEYS: 1 the window's reminder counters (household -> count), 2 the op key
-- ARGV: 1 cap, 2 op TTL (ms), 3.. household ids
-- Returns {'OK', {household ids counted}}: on a replay of the op id, the ids
-- counted the first time (nothing is counted again).
local prev = redis.call('GET', KEYS[2])
if prev then
  if prev == '' then return {'OK', {}} end
  local out = {}
  for h in string.gmatch(prev, '[^\n]+') do out[#out + 1] = h end
  return {'OK', out}
end
local cap = tonumber(ARGV[1])
local out = {}
for i = 3, #ARGV do
  local n = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  if n < cap then
    redis.call('HINCRBY', KEYS[1], ARGV[i], 1)
    out[#out + 1] = ARGV[i]
  end
end
redis.call('SET', KEYS[2], table.concat(out, '\n'), 'PX', ARGV[2])
return {'OK', out}
