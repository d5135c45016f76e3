-- Compare and set (or delete) a user's binding. Single global key.
-- KEYS: 1 user
-- ARGV: 1 mode, 2 c, 3 h, 4 s, 5 t (expected), 6 c, 7 h, 8 s, 9 t (new)
-- mode 'exact': the key must hold exactly c, h, s, t; it is replaced by the new
--   value, or deleted when the new c is empty.
-- mode 'finish': the key must be absent or hold the same c and h; it is set to the new value.
-- Returns {'OK', 1} when applied, {'OK', 0} when the key did not match.
local v = redis.call('HMGET', KEYS[1], 'c', 'h', 's', 't')
local match
if ARGV[1] == 'exact' then
  match = v[1] == ARGV[2] and v[2] == ARGV[3] and v[3] == ARGV[4] and v[4] == ARGV[5]
else
  match = (not v[1]) or (v[1] == ARGV[2] and v[2] == ARGV[3])
end
if not match then return {'OK', 0} end
if ARGV[6] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], 'c', ARGV[6], 'h', ARGV[7], 's', ARGV[8], 't', ARGV[9])
end
return {'OK', 1}
