-- Name or un-name a resident supervisor of a compound and record the change.
-- KEYS: 1 meta, 2 supervisors, 3 staff:audit (the compound's)
-- ARGV: 1 op (add|remove), 2 user id, 3 by, 4 at
-- Idempotent: a change that is already in place is not recorded again. Naming
-- needs an active compound; un-naming works on a retired one too.
local active = redis.call('HGET', KEYS[1], 'active')
if not active or (ARGV[1] == 'add' and active ~= '1') then return {'NOTFOUND', 'compound'} end
local changed
if ARGV[1] == 'add' then
  changed = redis.call('SADD', KEYS[2], ARGV[2])
else
  changed = redis.call('SREM', KEYS[2], ARGV[2])
end
if changed == 1 then
  redis.call('XADD', KEYS[3], '*', 'op', ARGV[1], 'role', 'supervisor', 'user', ARGV[2],
    'by', ARGV[3], 'at', ARGV[4])
end
return {'OK', changed}
