-- survey_fields(js, sign, acc) adds sign times the contribution of one survey
-- answer (renovote.SurveyAnswer JSON) to the counters in acc (field -> amount):
--   respondents             1 per answer
--   urg:<item>:<rank>       1 per item ranked most urgent (rank 0-based, < MAX_URGENT)
--   up:<item>               1 per wanted upgrade
--   contribute, band:<id>   1 when willing to contribute, in that band
--   comments                1 when the comment is not empty
--   photos                  1 per photo
-- It is renovote.CountSurvey for one answer; MAX_URGENT is renovote.MaxUrgent,
-- defined by the Go code in front of this file.
--
-- recompute_survey(kHH, kSurvey, kCounts) rebuilds the counters from the stored
-- answers of the households on the register (not removed).
-- Prepended to the scripts that need them; all keys are the caller's KEYS, all
-- in the compound's slot.
local function survey_fields(js, sign, acc)
  local a = cjson.decode(js)
  local function add(f, n)
    acc[f] = (acc[f] or 0) + sign * n
  end
  add('respondents', 1)
  if type(a.urgent) == 'table' then
    for _, items in pairs(a.urgent) do
      if type(items) == 'table' then
        for i, it in ipairs(items) do
          if i <= MAX_URGENT and type(it) == 'string' then add('urg:' .. it .. ':' .. (i - 1), 1) end
        end
      end
    end
  end
  if type(a.upgrades) == 'table' then
    for _, it in ipairs(a.upgrades) do
      if type(it) == 'string' then add('up:' .. it, 1) end
    end
  end
  if a.contribute == true then
    add('contribute', 1)
    local b = a.band
    if type(b) ~= 'string' then b = '' end
    add('band:' .. b, 1)
  end
  if type(a.comment) == 'string' and a.comment ~= '' then add('comments', 1) end
  if type(a.photos) == 'table' and #a.photos > 0 then add('photos', #a.photos) end
end

local function recompute_survey(kHH, kSurvey, kCounts)
  local acc = {}
  local raw = redis.call('HGETALL', kSurvey)
  for i = 1, #raw, 2 do
    local hjs = redis.call('HGET', kHH, raw[i])
    if hjs and not cjson.decode(hjs).removed then survey_fields(raw[i + 1], 1, acc) end
  end
  redis.call('DEL', kCounts)
  local batch = {}
  for f, n in pairs(acc) do
    if n ~= 0 then
      table.insert(batch, f)
      table.insert(batch, string.format('%d', n))
      if #batch >= 500 then
        redis.call('HSET', kCounts, unpack(batch))
        batch = {}
      end
    end
  end
  if #batch > 0 then redis.call('HSET', kCounts, unpack(batch)) end
end
