-- recompute(kHH, kChoice, kMembers, kTally, kUnits, kAgree, kDisagree)
-- Rebuilds a compound's counters and per-owner hashes from the households, their
-- current choices and members. Prepended to the scripts that need it; all keys
-- are the caller's KEYS, all in the compound's slot.
local function recompute(kHH, kChoice, kMembers, kTally, kUnits, kAgree, kDisagree)
  local t = {households = 0, area = 0, owners = 0, bound = 0, voted = 0, agree = 0,
    disagree = 0, voted_area = 0, agree_area = 0, voted_owners = 0, agree_owners = 0}
  local choices, members = {}, {}
  local raw = redis.call('HGETALL', kChoice)
  for i = 1, #raw, 2 do choices[raw[i]] = raw[i + 1] end
  raw = redis.call('HGETALL', kMembers)
  for i = 1, #raw, 2 do members[raw[i]] = raw[i + 1] end
  local units, agree, disagree, owners = {}, {}, {}, {}
  raw = redis.call('HGETALL', kHH)
  for i = 1, #raw, 2 do
    local hid = raw[i]
    local h = cjson.decode(raw[i + 1])
    if not h.removed then
      local area = tonumber(h.area) or 0
      local k = h.owner_key
      t.households = t.households + 1
      t.area = t.area + area
      if not units[k] then table.insert(owners, k); units[k] = 0; agree[k] = 0; disagree[k] = 0 end
      units[k] = units[k] + 1
      if members[hid] and members[hid] ~= '' then t.bound = t.bound + 1 end
      local c = choices[hid]
      if c == 'agree' then
        t.voted = t.voted + 1; t.agree = t.agree + 1
        t.voted_area = t.voted_area + area; t.agree_area = t.agree_area + area
        agree[k] = agree[k] + 1
      elseif c == 'disagree' then
        t.voted = t.voted + 1; t.disagree = t.disagree + 1
        t.voted_area = t.voted_area + area
        disagree[k] = disagree[k] + 1
      end
    end
  end
  redis.call('DEL', kTally, kUnits, kAgree, kDisagree)
  for _, k in ipairs(owners) do
    t.owners = t.owners + 1
    redis.call('HSET', kUnits, k, units[k])
    if agree[k] > 0 then redis.call('HSET', kAgree, k, agree[k]) end
    if disagree[k] > 0 then redis.call('HSET', kDisagree, k, disagree[k]) end
    if agree[k] + disagree[k] > 0 then t.voted_owners = t.voted_owners + 1 end
    if agree[k] > 0 and disagree[k] == 0 then t.agree_owners = t.agree_owners + 1 end
  end
  for f, v in pairs(t) do redis.call('HSET', kTally, f, string.format('%d', v)) end
  return t
end
