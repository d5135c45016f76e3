-- Mark a job run done with its outcome, unless another owner holds it.
-- KEYS: 1 run claim, 2 the job's history
-- ARGV: 1 claim value ("run|<owner>"), 2 run record JSON, 3 keep ms, 4 history cap
-- Returns {'OK'}, {'DONE'} when it was marked done already (nothing changes),
-- or {'CONFLICT', ...} when another owner holds the claim.
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then
  if string.sub(cur, 1, 5) == 'done|' then return {'DONE'} end
  return {'CONFLICT', 'run claimed by ' .. string.sub(cur, 5)}
end
redis.call('SET', KEYS[1], 'done|' .. ARGV[2], 'PX', ARGV[3])
redis.call('LPUSH', KEYS[2], ARGV[2])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[4]) - 1)
return {'OK'}
