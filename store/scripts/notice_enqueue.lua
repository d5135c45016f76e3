-- Queue a notice to a batch of chats: each chat is added to the outbox stream
-- only when it is new to the notice's queued set, so a retried or resumed
-- enqueue never sends twice. The notice becomes sending (done when the last
-- batch ran and every queued chat is settled); recipients is the queued count.
-- KEYS: 1 state, 2 queued, 3 {outbox}:stream, 4 {outbox}:notices:due
-- ARGV: 1 notice id, 2 last batch (1|0), 3 text, 4 photo, 5 document, 6.. chat ids
-- Returns {'OK', number of chats added}.
local st = redis.call('HGET', KEYS[1], 'status')
if not st then return {'NOTFOUND', 'notice'} end
if st == 'cancelled' then return {'CONFLICT', 'notice cancelled'} end
local added = 0
for i = 6, #ARGV do
  if redis.call('SADD', KEYS[2], ARGV[i]) == 1 then
    redis.call('XADD', KEYS[3], '*', 'notice', ARGV[1], 'chat', ARGV[i], 'text', ARGV[3],
      'photo', ARGV[4], 'document', ARGV[5])
    added = added + 1
  end
end
if ARGV[2] == '1' then redis.call('HSET', KEYS[1], 'enqueued', 1) end
local q = redis.call('SCARD', KEYS[2])
local status = 'sending'
-- The counters sum to the settled set's size (see outbox_settle.lua).
local h = redis.call('HMGET', KEYS[1], 'enqueued', 'delivered', 'unreachable', 'failed')
if h[1] == '1' and (tonumber(h[2]) or 0) + (tonumber(h[3]) or 0) + (tonumber(h[4]) or 0) >= q then
  status = 'done'
end
redis.call('HSET', KEYS[1], 'status', status, 'recipients', q)
redis.call('ZREM', KEYS[4], ARGV[1])
return {'OK', added}
