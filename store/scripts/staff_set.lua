-- Add a member of staff or change their role and scope, and record it.
-- KEYS: 1 {staff}:members, 2 {staff}:audit
-- ARGV: 1 user id, 2 role, 3 scope (sorted compound ids joined by ','),
--       4 member JSON, 5 by, 6 at (RFC 3339)
-- Returns {'OK', 'add'|'change'|'same', the member JSON now stored}.
-- Idempotent: a member who already has this role and scope is left as is (with
-- who added them and when) and nothing is recorded.
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local op = 'add'
if cur then
  local c = cjson.decode(cur)
  local scope = ''
  if type(c.compounds) == 'table' then scope = table.concat(c.compounds, ',') end
  if c.role == ARGV[2] and scope == ARGV[3] then return {'OK', 'same', cur} end
  op = 'change'
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
redis.call('XADD', KEYS[2], '*', 'op', op, 'user', ARGV[1], 'role', ARGV[2], 'compounds', ARGV[3],
  'by', ARGV[5], 'at', ARGV[6])
return {'OK', op, ARGV[4]}
