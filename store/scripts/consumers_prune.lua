-- Delete the consumers of a stream's group that hold nothing and have not
-- read for longer than a threshold: replicas and senders that died, or
-- were restarted under a new name. A consumer still holding entries stays
-- (its entries are taken over by XAUTOCLAIM first).
-- KEYS: 1 stream
-- ARGV: 1 group, 2 idle ms
-- Returns {'OK', number deleted}.
if redis.call('EXISTS', KEYS[1]) == 0 then return {'OK', 0} end
local ok, cs = pcall(redis.call, 'XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
if not ok then return {'OK', 0} end -- no such group yet
local min, n = tonumber(ARGV[2]), 0
for _, c in ipairs(cs) do
  local f = {}
  for i = 1, #c, 2 do f[c[i]] = c[i + 1] end
  if tonumber(f['pending']) == 0 and tonumber(f['idle']) >= min then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], f['name'])
    n = n + 1
  end
end
return {'OK', n}
