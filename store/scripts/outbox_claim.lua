-- Take over outbox entries pending longer than a minimum idle time (their
-- consumer died or is stuck), with each entry's delivery count after the
-- takeover, read in the same script so that no other consumer comes between.
-- KEYS: 1 {outbox}:stream
-- ARGV: 1 group, 2 consumer, 3 min idle ms, 4 at most this many entries
-- Returns {'OK', {{entry id, delivery count, {field, value, ...}}, ...}}.
local want = tonumber(ARGV[4])
local out = {}
local cursor = '0-0'
for _ = 1, 10 do -- XAUTOCLAIM scans at most 10 x COUNT pending entries a call
  local res = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], cursor, 'COUNT', want - #out)
  for _, e in ipairs(res[2]) do
    if type(e) == 'table' then -- Redis 6.2 gives nil for an entry deleted meanwhile
      local p = redis.call('XPENDING', KEYS[1], ARGV[1], e[1], e[1], 1)
      local n = 1
      if type(p[1]) == 'table' then n = p[1][4] end
      table.insert(out, {e[1], n, e[2]})
    end
  end
  cursor = res[1]
  if cursor == '0-0' or #out >= want then break end
end
return {'OK', out}
