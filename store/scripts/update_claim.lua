-- Claim a Telegram update for handling (webhook mode).
-- KEYS: 1 update
-- ARGV: 1 token, 2 lease ms
-- The key holds "run|<token>|<attempt>" while a process handles the update
-- (with the lease as TTL), "fail|<attempt>" once an attempt failed and was
-- released, "done|<token>" once handled; any other value (FirstSeen's token,
-- written when long polling took the update) counts as done.
-- Returns {'OK', 'claimed', attempt} | {'OK', 'done'} | {'OK', 'busy', pttl ms}.
local v = redis.call('GET', KEYS[1])
local attempt = 1
if v then
  local kind, a, b = string.match(v, '^(%a+)|([^|]*)|?(.*)$')
  if kind == 'run' then
    if a == ARGV[1] then
      -- a retry of this very claim (its reply was lost): still ours
      return {'OK', 'claimed', tonumber(b) or 1}
    end
    return {'OK', 'busy', redis.call('PTTL', KEYS[1])}
  elseif kind == 'fail' then
    attempt = (tonumber(a) or 0) + 1
  else
    return {'OK', 'done'}
  end
end
redis.call('SET', KEYS[1], 'run|' .. ARGV[1] .. '|' .. attempt, 'PX', ARGV[2])
return {'OK', 'claimed', attempt}
