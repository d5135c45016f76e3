-- Submit one household's survey answer atomically: idempotency, household,
-- survey window, counters (the old answer's contribution out, the new one's in),
-- answer, audit.
-- KEYS: 1 meta, 2 hh, 3 survey, 4 survey:counts, 5 survey:audit, 6 survey op
-- ARGV: 1 household id, 2 answer JSON, 3 at unix s, 4 at ns, 5 actor,
--       6 at (RFC 3339), 7 op id, 8 op TTL ms
if redis.call('EXISTS', KEYS[6]) == 1 then return {'REPLAY'} end
local m = redis.call('HMGET', KEYS[1], 'active', 'survey_opens_s', 'survey_opens_ns',
  'survey_closes_s', 'survey_closes_ns')
if m[1] ~= '1' then return {'NOTFOUND', 'compound'} end
local hid = ARGV[1]
local hjs = redis.call('HGET', KEYS[2], hid)
if not hjs then return {'NOTFOUND', 'household'} end
if cjson.decode(hjs).removed then return {'REMOVED'} end
if not m[2] or not m[4] then return {'SURVEY_NOTOPEN', 'no survey window'} end
local s, ns = tonumber(ARGV[3]), tonumber(ARGV[4])
local os, ons, cs, cns = tonumber(m[2]), tonumber(m[3]), tonumber(m[4]), tonumber(m[5])
if s < os or (s == os and ns < ons) then return {'SURVEY_NOTOPEN'} end
if s > cs or (s == cs and ns >= cns) then return {'SURVEY_CLOSED'} end

local old = redis.call('HGET', KEYS[3], hid)
local d = {}
if old then survey_fields(old, -1, d) end
survey_fields(ARGV[2], 1, d)
for f, n in pairs(d) do
  if n ~= 0 then
    if redis.call('HINCRBY', KEYS[4], f, n) == 0 then redis.call('HDEL', KEYS[4], f) end
  end
end
redis.call('HSET', KEYS[3], hid, ARGV[2])
redis.call('XADD', KEYS[5], '*', 'household', hid, 'actor', ARGV[5], 'at', ARGV[6], 'op', ARGV[7],
  'replaced', old and '1' or '0')
redis.call('SET', KEYS[6], hid, 'PX', ARGV[8])
return {'OK', old and 1 or 0}
