-- Give households without a current invitation the proposed one.
-- KEYS: 1 hh, 2 inv
-- ARGV: n pairs (household id, invitation JSON)
-- Returns {'OK', household ids whose proposal was taken}.
local taken = {}
for i = 1, #ARGV, 2 do
  local hid = ARGV[i]
  local hjs = redis.call('HGET', KEYS[1], hid)
  if hjs and not cjson.decode(hjs).removed and redis.call('HEXISTS', KEYS[2], hid) == 0 then
    redis.call('HSET', KEYS[2], hid, ARGV[i + 1])
    table.insert(taken, hid)
  end
end
return {'OK', taken}
