-- Store a new notice under the id the caller drew from {outbox}:notices:seq.
-- KEYS: 1 notice op, 2 record, 3 state, 4 {outbox}:notices, 5 {outbox}:notices:due
-- ARGV: 1 id, 2 notice JSON, 3 created (unix ms), 4 status (scheduled|sending),
--       5 send at (unix ms), 6 op TTL ms, 7 by chat, 8 progress message id
-- Returns {'OK', id} or {'REPLAY', id of the notice the op id created}.
local done = redis.call('GET', KEYS[1])
if done then return {'REPLAY', done} end
if redis.call('EXISTS', KEYS[2]) == 1 then return {'CONFLICT', 'notice id taken'} end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[3], 'status', ARGV[4], 'recipients', 0, 'delivered', 0, 'unreachable', 0,
  'failed', 0, 'enqueued', 0, 'by_chat', ARGV[7], 'progress_id', ARGV[8])
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1])
if ARGV[4] == 'scheduled' then redis.call('ZADD', KEYS[5], ARGV[5], ARGV[1]) end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[6])
return {'OK', ARGV[1]}
