-- Cast the votes of one compound, one or several, atomically: for each in
-- turn its idempotency (op id), the ballot window, the household, the
-- counters, the audit entry and the receipt, each on the state the ones
-- before it left. The votes of the moment (store/batch.go) share the
-- script's fixed cost, one read of each hash for all of them, and one write
-- of each counter: in the load (about ten votes a call) a vote took half the
-- time of a call of its own (README, Performance).
-- It reads and checks everything first and writes only after, so a bad
-- household or argument fails before any vote is half applied.
-- KEYS: 1 meta, 2 hh, 3 choice, 4 votes, 5 tally, 6 own:agree, 7 own:disagree,
--       8 audit, 9 members, 9+i the op key of vote i
-- ARGV: 1 op TTL ms, 2 n, then for each vote i 12 arguments from 3+12(i-1):
--       household id, choice, channel, actor, at unix s, at ns, at (RFC 3339),
--       receipt id, evidence, update id, vote JSON, receipt JSON
-- Returns one reply per vote: {'OK', old choice, household JSON, members}
-- or {'REPLAY', stored, household JSON, members}: the household and its
-- bound members ("uid,uid") as the vote found them, for the receipt
-- (CastVoteView); or a refusal ({'NOTFOUND', what}, {'REMOVED'}, {'NOTOPEN'},
-- {'CLOSED'}, {'BADHOUSEHOLD'}).
local ttl, n = ARGV[1], tonumber(ARGV[2])
local function arg(i, j) return ARGV[2 + 12 * (i - 1) + j] end

-- Reads.
local m = redis.call('HMGET', KEYS[1], 'active', 'opens_s', 'opens_ns', 'closes_s', 'closes_ns')
local active = m[1] == '1'
local os, ons, cs, cns = tonumber(m[2]), tonumber(m[3]), tonumber(m[4]), tonumber(m[5])
local hids, seen = {}, {}
for i = 1, n do
  local hid = arg(i, 1)
  if not seen[hid] then seen[hid] = true; hids[#hids + 1] = hid end
end
local hjsl = redis.call('HMGET', KEYS[2], unpack(hids))
local chl = redis.call('HMGET', KEYS[3], unpack(hids))
local mel = redis.call('HMGET', KEYS[9], unpack(hids))
local opk = {}
for i = 1, n do opk[i] = KEYS[9 + i] end
local opl = redis.call('MGET', unpack(opk))
local hjs, choice, members, hh, bad = {}, {}, {}, {}, {}
local owners, ownSeen = {}, {}
for j, hid in ipairs(hids) do
  hjs[hid] = hjsl[j] or false
  choice[hid] = chl[j] or ''
  members[hid] = mel[j] or ''
  if hjs[hid] then
    local ok, h = pcall(cjson.decode, hjs[hid])
    if ok and type(h) == 'table' and (h.removed or h.owner_key ~= nil) then
      hh[hid] = h
      local k = h.owner_key
      if not h.removed and not ownSeen[k] then ownSeen[k] = true; owners[#owners + 1] = k end
    else
      bad[hid] = true
    end
  end
end
local ownA, ownD = {}, {}
if #owners > 0 then
  local al = redis.call('HMGET', KEYS[6], unpack(owners))
  local dl = redis.call('HMGET', KEYS[7], unpack(owners))
  for j, k in ipairs(owners) do
    ownA[k] = tonumber(al[j] or '0') or 0
    ownD[k] = tonumber(dl[j] or '0') or 0
  end
end

-- Each vote in turn, on the state the ones before it left.
local out, ops, replays, audits = {}, {}, {}, {}
local tally = {voted = 0, voted_area = 0, agree = 0, agree_area = 0, disagree = 0, voted_owners = 0, agree_owners = 0}
local choiceSet, votesSet, ownTouched = {}, {}, {}
for i = 1, n do
  local hid, new = arg(i, 1), arg(i, 2)
  local prev = ops[opk[i]]
  if prev == nil then prev = opl[i] or false end
  if prev then
    replays[#replays + 1] = opk[i]
    out[i] = {'REPLAY', prev, hjs[hid] or '', members[hid]}
  elseif not active then
    out[i] = {'NOTFOUND', 'compound'}
  elseif not hjs[hid] then
    out[i] = {'NOTFOUND', 'household'}
  elseif bad[hid] then
    out[i] = {'BADHOUSEHOLD'}
  elseif hh[hid].removed then
    out[i] = {'REMOVED'}
  else
    local h = hh[hid]
    local s, ns = tonumber(arg(i, 5)), tonumber(arg(i, 6))
    if s < os or (s == os and ns < ons) then
      out[i] = {'NOTOPEN'}
    elseif s > cs or (s == cs and ns >= cns) then
      out[i] = {'CLOSED'}
    else
      local old = choice[hid]
      if old ~= new then
        local area = tonumber(h.area) or 0
        local k = h.owner_key
        local a0, d0 = ownA[k], ownD[k]
        local a1, d1 = a0, d0
        if old == '' then
          tally.voted, tally.voted_area = tally.voted + 1, tally.voted_area + area
        elseif old == 'agree' then
          tally.agree, tally.agree_area, a1 = tally.agree - 1, tally.agree_area - area, a1 - 1
        else
          tally.disagree, d1 = tally.disagree - 1, d1 - 1
        end
        if new == 'agree' then
          tally.agree, tally.agree_area, a1 = tally.agree + 1, tally.agree_area + area, a1 + 1
        else
          tally.disagree, d1 = tally.disagree + 1, d1 + 1
        end
        local v0 = (a0 + d0 > 0) and 1 or 0
        local v1 = (a1 + d1 > 0) and 1 or 0
        local g0 = (a0 > 0 and d0 == 0) and 1 or 0
        local g1 = (a1 > 0 and d1 == 0) and 1 or 0
        tally.voted_owners = tally.voted_owners + v1 - v0
        tally.agree_owners = tally.agree_owners + g1 - g0
        ownA[k], ownD[k] = a1, d1
        ownTouched[k] = true
        choice[hid] = new
        choiceSet[hid] = true
      end
      votesSet[hid] = arg(i, 11)
      audits[#audits + 1] = i
      ops[opk[i]] = old .. '|' .. arg(i, 12)
      out[i] = {'OK', old, hjs[hid], members[hid]}
    end
  end
end

-- Writes: the audit entries and the receipts in turn, then the final state
-- of each hash. A replay's op key gets a write too, so that a WAIT after it
-- (the confirmed mode) covers the original vote: replication is in order.
for _, k in ipairs(replays) do redis.call('PEXPIRE', k, ttl) end
for _, i in ipairs(audits) do
  redis.call('XADD', KEYS[8], '*', 'household', arg(i, 1), 'old', out[i][2], 'new', arg(i, 2), 'channel', arg(i, 3),
    'actor', arg(i, 4), 'at', arg(i, 7), 'receipt', arg(i, 8), 'update', arg(i, 10), 'evidence', arg(i, 9))
  redis.call('SET', opk[i], ops[opk[i]], 'PX', ttl)
end
local hset = {}
for hid in pairs(choiceSet) do hset[#hset + 1] = hid; hset[#hset + 1] = choice[hid] end
if #hset > 0 then redis.call('HSET', KEYS[3], unpack(hset)) end
hset = {}
for hid, js in pairs(votesSet) do hset[#hset + 1] = hid; hset[#hset + 1] = js end
if #hset > 0 then redis.call('HSET', KEYS[4], unpack(hset)) end
for k in pairs(ownTouched) do
  if ownA[k] > 0 then redis.call('HSET', KEYS[6], k, tostring(ownA[k])) else redis.call('HDEL', KEYS[6], k) end
  if ownD[k] > 0 then redis.call('HSET', KEYS[7], k, tostring(ownD[k])) else redis.call('HDEL', KEYS[7], k) end
end
for _, f in ipairs({'voted', 'voted_area', 'agree', 'agree_area', 'disagree', 'voted_owners', 'agree_owners'}) do
  if tally[f] ~= 0 then redis.call('HINCRBY', KEYS[5], f, tostring(tally[f])) end
end
return out
