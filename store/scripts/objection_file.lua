-- File an objection (异议) in the compound's publicity window (公示期): a fresh
-- id "O<n>", the objection stored, listed as open and audited.
-- KEYS: 1 meta, 2 hh, 3 objections, 4 objections:seq, 5 objections:open,
--       6 objections:audit, 7 objection op
-- ARGV: 1 household id, 2 objection JSON with an empty id first ({"id":"",...}),
--       3 created (unix ms, the open list's score), 4 at unix s, 5 at ns,
--       6 user id, 7 at (RFC 3339), 8 op id, 9 op TTL ms
-- Idempotent: a filing whose op id was applied before returns that objection.
local done = redis.call('GET', KEYS[7])
if done then return {'REPLAY', redis.call('HGET', KEYS[3], done) or ''} end
local m = redis.call('HMGET', KEYS[1], 'active', 'publicity_opens_s', 'publicity_opens_ns',
  'publicity_closes_s', 'publicity_closes_ns')
if m[1] ~= '1' then return {'NOTFOUND', 'compound'} end
local hid = ARGV[1]
local hjs = redis.call('HGET', KEYS[2], hid)
if not hjs then return {'NOTFOUND', 'household'} end
if cjson.decode(hjs).removed then return {'REMOVED'} end
if not m[2] or not m[4] then return {'OBJECTION_NOTOPEN', 'no publicity window'} end
local s, ns = tonumber(ARGV[4]), tonumber(ARGV[5])
local os, ons, cs, cns = tonumber(m[2]), tonumber(m[3]), tonumber(m[4]), tonumber(m[5])
if s < os or (s == os and ns < ons) then return {'OBJECTION_NOTOPEN'} end
if s > cs or (s == cs and ns >= cns) then return {'OBJECTION_CLOSED'} end
local head = '{"id":""'
local js = ARGV[2]
if string.sub(js, 1, #head) ~= head then return {'INVALID', 'objection encoding'} end
local id = 'O' .. redis.call('INCR', KEYS[4])
js = '{"id":"' .. id .. '"' .. string.sub(js, #head + 1)
redis.call('HSET', KEYS[3], id, js)
redis.call('ZADD', KEYS[5], ARGV[3], id)
redis.call('XADD', KEYS[6], '*', 'op', 'file', 'id', id, 'household', hid, 'user', ARGV[6],
  'actor', 'tg:' .. ARGV[6], 'at', ARGV[7], 'opid', ARGV[8])
redis.call('SET', KEYS[7], id, 'PX', ARGV[9])
return {'OK', js}
