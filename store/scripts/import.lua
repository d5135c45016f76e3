-- Import a compound's register (one batch), then rebuild its counters: the
-- tally's and the survey's (a removed household's answer stops counting, a
-- restored one's counts again).
-- KEYS: 1 meta, 2 hh, 3 choice, 4 members, 5 tally, 6 own:units, 7 own:agree,
--       8 own:disagree, 9 regaudit, 10 survey, 11 survey:counts
-- ARGV: 1 remove missing (1|0), 2 actor, 3 at, 4 n, then n pairs (household id, household JSON)
-- Idempotent: rerunning the same import leaves the same state.
if redis.call('HGET', KEYS[1], 'active') ~= '1' then return {'NOTFOUND', 'compound'} end
local n = tonumber(ARGV[4])
local incoming = {}
local added, updated, unchanged, missing, removed = {}, {}, {}, {}, {}
for i = 0, n - 1 do
  local hid, js = ARGV[5 + 2 * i], ARGV[6 + 2 * i]
  incoming[hid] = true
  local old = redis.call('HGET', KEYS[2], hid)
  if not old then
    table.insert(added, hid)
    redis.call('HSET', KEYS[2], hid, js)
  elseif old == js then
    table.insert(unchanged, hid)
  else
    table.insert(updated, hid)
    redis.call('HSET', KEYS[2], hid, js)
  end
end
local all = redis.call('HKEYS', KEYS[2])
table.sort(all)
for _, hid in ipairs(all) do
  if not incoming[hid] then
    local h = cjson.decode(redis.call('HGET', KEYS[2], hid))
    if not h.removed then
      table.insert(missing, hid)
      if ARGV[1] == '1' then
        h.removed = true
        redis.call('HSET', KEYS[2], hid, cjson.encode(h))
        table.insert(removed, hid)
      end
    end
  end
end
recompute(KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8])
recompute_survey(KEYS[2], KEYS[10], KEYS[11])
redis.call('XADD', KEYS[9], '*', 'actor', ARGV[2], 'at', ARGV[3], 'added', #added,
  'updated', #updated, 'unchanged', #unchanged, 'missing', #missing, 'removed', #removed)
return {'OK', added, updated, unchanged, missing, removed}
