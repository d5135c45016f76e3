-- Use a staff invitation: compare and set of the invitation and of the
-- member's record, both as the caller read them (the caller checks expiry and
-- computes the new record).
-- KEYS: 1 {staff}:inv:<code>, 2 {staff}:members, 3 {staff}:audit
-- ARGV: 1 expected invitation JSON (unused), 2 expected member JSON ('' for
--       none), 3 invitation JSON with used_by set, 4 user id, 5 new member JSON
--       ('' to leave the record as it is), 6 role, 7 scope, 8 by (the inviter),
--       9 at (RFC 3339)
-- Returns {'OK'}, {'NOTFOUND', ...} or {'STALE', invitation JSON, member JSON
-- or ''} when either changed since it was read.
local inv = redis.call('GET', KEYS[1])
if not inv then return {'NOTFOUND', 'staff invitation'} end
local cur = redis.call('HGET', KEYS[2], ARGV[4]) or ''
if inv ~= ARGV[1] or cur ~= ARGV[2] then return {'STALE', inv, cur} end
redis.call('SET', KEYS[1], ARGV[3], 'KEEPTTL')
if ARGV[5] ~= '' then redis.call('HSET', KEYS[2], ARGV[4], ARGV[5]) end
redis.call('XADD', KEYS[3], '*', 'op', 'redeem', 'user', ARGV[4], 'role', ARGV[6], 'compounds', ARGV[7],
  'by', ARGV[8], 'at', ARGV[9])
return {'OK'}
