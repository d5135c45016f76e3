-- Cast one vote atomically: idempotency, window, household, counters, audit.
-- KEYS: 1 meta, 2 hh, 3 choice, 4 votes, 5 tally, 6 own:agree, 7 own:disagree,
--       8 audit, 9 op, 10 members
-- ARGV: 1 household id, 2 choice, 3 channel, 4 actor, 5 at unix s, 6 at ns,
--       7 at (RFC 3339), 8 receipt id, 9 evidence, 10 update id,
--       11 vote JSON, 12 receipt JSON, 13 op TTL ms
-- Returns {'OK', old choice, household JSON, members} or {'REPLAY', stored,
-- household JSON, members}: the household and its bound members ("uid,uid")
-- as the vote found them, for the receipt (CastVoteView), or a refusal.
local prev = redis.call('GET', KEYS[9])
if prev then
  -- A write, so that a WAIT after this replay (the confirmed mode) covers the
  -- original vote too: replication is in order.
  redis.call('PEXPIRE', KEYS[9], ARGV[13])
  return {'REPLAY', prev, redis.call('HGET', KEYS[2], ARGV[1]) or '',
    redis.call('HGET', KEYS[10], ARGV[1]) or ''}
end
local m = redis.call('HMGET', KEYS[1], 'active', 'opens_s', 'opens_ns', 'closes_s', 'closes_ns')
if m[1] ~= '1' then return {'NOTFOUND', 'compound'} end
local hid, new = ARGV[1], ARGV[2]
local hjs = redis.call('HGET', KEYS[2], hid)
if not hjs then return {'NOTFOUND', 'household'} end
local h = cjson.decode(hjs)
if h.removed then return {'REMOVED'} end
local s, ns = tonumber(ARGV[5]), tonumber(ARGV[6])
local os, ons, cs, cns = tonumber(m[2]), tonumber(m[3]), tonumber(m[4]), tonumber(m[5])
if s < os or (s == os and ns < ons) then return {'NOTOPEN'} end
if s > cs or (s == cs and ns >= cns) then return {'CLOSED'} end

local old = redis.call('HGET', KEYS[3], hid) or ''
if old ~= new then
  -- Numbers go to redis.call as strings: a Lua number is formatted with
  -- %.17g on every call, which cost more than the HINCRBY itself.
  local area = tonumber(h.area) or 0
  local plus, minus = tostring(area), tostring(-area)
  local k = h.owner_key
  local a0 = tonumber(redis.call('HGET', KEYS[6], k) or '0')
  local d0 = tonumber(redis.call('HGET', KEYS[7], k) or '0')
  local a1, d1 = a0, d0
  if old == '' then
    redis.call('HINCRBY', KEYS[5], 'voted', '1')
    redis.call('HINCRBY', KEYS[5], 'voted_area', plus)
  elseif old == 'agree' then
    redis.call('HINCRBY', KEYS[5], 'agree', '-1')
    redis.call('HINCRBY', KEYS[5], 'agree_area', minus)
    a1 = a1 - 1
  else
    redis.call('HINCRBY', KEYS[5], 'disagree', '-1')
    d1 = d1 - 1
  end
  if new == 'agree' then
    redis.call('HINCRBY', KEYS[5], 'agree', '1')
    redis.call('HINCRBY', KEYS[5], 'agree_area', plus)
    a1 = a1 + 1
  else
    redis.call('HINCRBY', KEYS[5], 'disagree', '1')
    d1 = d1 + 1
  end
  if a1 > 0 then redis.call('HSET', KEYS[6], k, a1 == 1 and '1' or tostring(a1)) else redis.call('HDEL', KEYS[6], k) end
  if d1 > 0 then redis.call('HSET', KEYS[7], k, d1 == 1 and '1' or tostring(d1)) else redis.call('HDEL', KEYS[7], k) end
  local v0 = (a0 + d0 > 0) and 1 or 0
  local v1 = (a1 + d1 > 0) and 1 or 0
  local g0 = (a0 > 0 and d0 == 0) and 1 or 0
  local g1 = (a1 > 0 and d1 == 0) and 1 or 0
  if v1 ~= v0 then redis.call('HINCRBY', KEYS[5], 'voted_owners', v1 > v0 and '1' or '-1') end
  if g1 ~= g0 then redis.call('HINCRBY', KEYS[5], 'agree_owners', g1 > g0 and '1' or '-1') end
  redis.call('HSET', KEYS[3], hid, new)
end
redis.call('HSET', KEYS[4], hid, ARGV[11])
redis.call('XADD', KEYS[8], '*', 'household', hid, 'old', old, 'new', new, 'channel', ARGV[3],
  'actor', ARGV[4], 'at', ARGV[7], 'receipt', ARGV[8], 'update', ARGV[10], 'evidence', ARGV[9])
redis.call('SET', KEYS[9], old .. '|' .. ARGV[12], 'PX', ARGV[13])
return {'OK', old, hjs, redis.call('HGET', KEYS[10], hid) or ''}
