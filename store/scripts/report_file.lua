-- File a problem report: a fresh id "R<n>", the report stored and listed as open.
-- KEYS: 1 meta, 2 hh, 3 reports, 4 reports:seq, 5 reports:open, 6 report op
-- ARGV: 1 household id, 2 report JSON with an empty id first ({"id":"",...}),
--       3 created (unix ms, the open list's score), 4 op TTL ms
-- Idempotent: a filing whose op id was applied before returns that report.
local done = redis.call('GET', KEYS[6])
if done then return {'REPLAY', redis.call('HGET', KEYS[3], done) or ''} end
if redis.call('HGET', KEYS[1], 'active') ~= '1' then return {'NOTFOUND', 'compound'} end
local hjs = redis.call('HGET', KEYS[2], ARGV[1])
if not hjs then return {'NOTFOUND', 'household'} end
if cjson.decode(hjs).removed then return {'REMOVED'} end
local head = '{"id":""'
local js = ARGV[2]
if string.sub(js, 1, #head) ~= head then return {'INVALID', 'report encoding'} end
local id = 'R' .. redis.call('INCR', KEYS[4])
js = '{"id":"' .. id .. '"' .. string.sub(js, #head + 1)
redis.call('HSET', KEYS[3], id, js)
redis.call('ZADD', KEYS[5], ARGV[3], id)
redis.call('SET', KEYS[6], id, 'PX', ARGV[4])
return {'OK', js}
