-- Add a member to a household under the member cap (second step of a bind).
-- KEYS: 1 hh, 2 members, 3 tally
-- ARGV: 1 household id, 2 user id, 3 max members
-- Idempotent: an existing member is reported as such and nothing changes.
local hid, uid, max = ARGV[1], ARGV[2], tonumber(ARGV[3])
local hjs = redis.call('HGET', KEYS[1], hid)
if not hjs then return {'NOTFOUND', 'household'} end
if cjson.decode(hjs).removed then return {'REMOVED'} end
local list = redis.call('HGET', KEYS[2], hid) or ''
local n = 0
for id in string.gmatch(list, '[^,]+') do
  if id == uid then return {'OK', 'member'} end
  n = n + 1
end
if n >= max then return {'FULL'} end
if n == 0 then
  redis.call('HSET', KEYS[2], hid, uid)
  redis.call('HINCRBY', KEYS[3], 'bound', 1)
else
  redis.call('HSET', KEYS[2], hid, list .. ',' .. uid)
end
return {'OK', 'added'}
