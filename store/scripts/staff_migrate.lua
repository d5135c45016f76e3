-- Move the community workers of issue 2 (a set of user ids) into the staff
-- records: each becomes a worker of every compound, unless already staff.
-- KEYS: 1 {staff}:workers (legacy set), 2 {staff}:members, 3 {staff}:audit
-- ARGV: 1 at (RFC 3339)
-- Returns {'OK', number of members added}. The legacy set is deleted, so a
-- second run changes nothing.
if redis.call('EXISTS', KEYS[1]) == 0 then return {'OK', 0} end
local n = 0
for _, uid in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if string.match(uid, '^%-?%d+$') and redis.call('HEXISTS', KEYS[2], uid) == 0 then
    redis.call('HSET', KEYS[2], uid, '{"user":' .. uid .. ',"role":"worker","compounds":["*"],' ..
      '"added_by":"migration","added":"' .. ARGV[1] .. '"}')
    redis.call('XADD', KEYS[3], '*', 'op', 'migrate', 'user', uid, 'role', 'worker', 'compounds', '*',
      'by', 'migration', 'at', ARGV[1])
    n = n + 1
  end
end
redis.call('DEL', KEYS[1])
return {'OK', n}
