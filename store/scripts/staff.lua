-- Add or remove a community worker and record the change.
-- KEYS: 1 workers, 2 staff audit
-- ARGV: 1 op (add|remove), 2 user id, 3 by, 4 at
-- Idempotent: a change that is already in place is not recorded again.
local changed
if ARGV[1] == 'add' then
  changed = redis.call('SADD', KEYS[1], ARGV[2])
else
  changed = redis.call('SREM', KEYS[1], ARGV[2])
end
if changed == 1 then
  redis.call('XADD', KEYS[2], '*', 'op', ARGV[1], 'user', ARGV[2], 'by', ARGV[3], 'at', ARGV[4])
end
return {'OK', changed}
