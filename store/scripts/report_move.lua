-- Change a report's status: compare and set, the new JSON computed by the caller
-- from the expected one (renovote.CanMove is checked there).
-- KEYS: 1 reports, 2 reports:open, 3 move op
-- ARGV: 1 report id, 2 expected JSON, 3 new JSON, 4 resolved (1|0), 5 op TTL ms
-- Returns {'OK', new JSON}, {'REPLAY', JSON of the report the op id moved} or
-- {'STALE', current JSON} when the report changed since it was read.
local done = redis.call('GET', KEYS[3])
if done then return {'REPLAY', redis.call('HGET', KEYS[1], done) or ''} end
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return {'NOTFOUND', 'report'} end
if cur ~= ARGV[2] then return {'STALE', cur} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if ARGV[4] == '1' then redis.call('ZREM', KEYS[2], ARGV[1]) end
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[5])
return {'OK', ARGV[3]}
