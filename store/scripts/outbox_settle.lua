-- Record the outcome of one outbox message, once per (notice, chat):
-- acknowledge and delete the entry; the first outcome of the chat counts
-- (delivered, unreachable or failed), an unreachable chat joins the
-- unreachable set (a delivered one leaves it), a failed one goes to the
-- dead-letter list (capped); when the last enqueue batch ran and every queued
-- chat is settled the notice is done. A second outcome for the chat only
-- acknowledges.
-- KEYS: 1 {outbox}:stream, 2 record, 3 state, 4 queued, 5 settled,
--       6 {outbox}:unreachable, 7 {outbox}:dead
-- ARGV: 1 group, 2 entry id, 3 chat id, 4 outcome (delivered|unreachable|failed),
--       5 dead letter JSON, 6 dead-letter cap
-- Returns {'OK'|'DUP', notice JSON, {state field, value, ...}}.
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
local js = redis.call('GET', KEYS[2])
if not js then return {'NOTFOUND', 'notice'} end
if redis.call('SISMEMBER', KEYS[4], ARGV[3]) == 0 then return {'NOTFOUND', 'recipient of the notice'} end
local st = 'DUP'
if redis.call('SADD', KEYS[5], ARGV[3]) == 1 then
  st = 'OK'
  local d = ARGV[4]
  redis.call('HINCRBY', KEYS[3], d, 1)
  if d == 'unreachable' then
    redis.call('SADD', KEYS[6], ARGV[3])
  elseif d == 'delivered' then
    redis.call('SREM', KEYS[6], ARGV[3])
  else
    redis.call('LPUSH', KEYS[7], ARGV[5])
    redis.call('LTRIM', KEYS[7], 0, tonumber(ARGV[6]) - 1)
  end
  -- The counters sum to the settled set's size; recipients is the queued
  -- set's (enqueue keeps it).
  local h = redis.call('HMGET', KEYS[3], 'status', 'enqueued', 'recipients', 'delivered', 'unreachable', 'failed')
  if h[1] == 'sending' and h[2] == '1' and
    (tonumber(h[4]) or 0) + (tonumber(h[5]) or 0) + (tonumber(h[6]) or 0) >= (tonumber(h[3]) or 0) then
    redis.call('HSET', KEYS[3], 'status', 'done')
  end
end
return {st, js, redis.call('HGETALL', KEYS[3])}
