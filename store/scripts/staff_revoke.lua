-- Remove a member of staff and record it.
-- KEYS: 1 {staff}:members, 2 {staff}:audit
-- ARGV: 1 user id, 2 by, 3 at (RFC 3339)
-- Returns {'OK', the removed member JSON} or {'NOTFOUND', ...} when not staff.
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return {'NOTFOUND', 'staff member'} end
local c = cjson.decode(cur)
local scope = ''
if type(c.compounds) == 'table' then scope = table.concat(c.compounds, ',') end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('XADD', KEYS[2], '*', 'op', 'remove', 'user', ARGV[1], 'role', tostring(c.role), 'compounds', scope,
  'by', ARGV[2], 'at', ARGV[3])
return {'OK', cur}
