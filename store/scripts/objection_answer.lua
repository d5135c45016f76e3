-- Answer an objection: compare and set, the new JSON computed by the caller
-- from the expected one (renovote.Objection.Answer checks it was open), the
-- objection taken off the open list and the answer audited.
-- KEYS: 1 objections, 2 objections:open, 3 objections:audit, 4 answer op
-- ARGV: 1 objection id, 2 expected JSON, 3 new JSON, 4 household id, 5 user id
--       (who filed it), 6 actor, 7 at (RFC 3339), 8 op id, 9 op TTL ms
-- Returns {'OK', new JSON}, {'REPLAY', JSON of the objection the op id
-- answered} or {'STALE', current JSON} when it changed since it was read.
local done = redis.call('GET', KEYS[4])
if done then return {'REPLAY', redis.call('HGET', KEYS[1], done) or ''} end
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return {'NOTFOUND', 'objection'} end
if cur ~= ARGV[2] then return {'STALE', cur} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('XADD', KEYS[3], '*', 'op', 'answer', 'id', ARGV[1], 'household', ARGV[4], 'user', ARGV[5],
  'actor', ARGV[6], 'at', ARGV[7], 'opid', ARGV[8])
redis.call('SET', KEYS[4], ARGV[1], 'PX', ARGV[9])
return {'OK', ARGV[3]}
