-- Remove a member from a household. Idempotent.
-- KEYS: 1 hh, 2 members, 3 tally
-- ARGV: 1 household id, 2 user id
local hid, uid = ARGV[1], ARGV[2]
local list = redis.call('HGET', KEYS[2], hid)
if not list then return {'OK', 0} end
local kept, found = {}, false
for id in string.gmatch(list, '[^,]+') do
  if id == uid then found = true else table.insert(kept, id) end
end
if not found then return {'OK', 0} end
if #kept > 0 then
  redis.call('HSET', KEYS[2], hid, table.concat(kept, ','))
  return {'OK', 1}
end
redis.call('HDEL', KEYS[2], hid)
local hjs = redis.call('HGET', KEYS[1], hid)
if hjs and not cjson.decode(hjs).removed then
  redis.call('HINCRBY', KEYS[3], 'bound', -1)
end
return {'OK', 1}
