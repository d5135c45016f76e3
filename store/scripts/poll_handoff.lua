-- Hand updates taken from getUpdates over to the replicas, fenced by the
-- poller's lease: only the token holding it may add updates or move the
-- offset, and both move together.
-- KEYS: 1 lease, 2 offset, 3 stream, then the chat key of each update, in order
-- ARGV: 1 token, 2 next offset, 3 chat key TTL ms, 4 offset TTL ms, then per
--       update: id, chat, body
-- An update below the stored offset was handed over before (a retry whose
-- reply was lost, or a poller that lost its lease): it is skipped. Each entry
-- carries the id of its chat's update handed over before it (prev, 0 when
-- none within the chat key's TTL).
-- Returns {'FENCED'} when the token does not hold the lease (nothing done),
-- else {'OK', entries added}.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'FENCED'} end
local cur = tonumber(redis.call('GET', KEYS[2]) or '0')
local added = 0
for i = 1, (#ARGV - 4) / 3 do
  local id = ARGV[3 * i + 2]
  if tonumber(id) >= cur then
    local ck = KEYS[3 + i]
    local prev = redis.call('GET', ck) or '0'
    redis.call('XADD', KEYS[3], '*', 'id', id, 'chat', ARGV[3 * i + 3], 'prev', prev, 'u', ARGV[3 * i + 4])
    redis.call('SET', ck, id, 'PX', ARGV[3])
    added = added + 1
  end
end
redis.call('SET', KEYS[2], string.format('%.0f', math.max(cur, tonumber(ARGV[2]))), 'PX', ARGV[4])
return {'OK', added}
