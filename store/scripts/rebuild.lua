-- Rebuild a compound's counters from its households, choices and members, and
-- its survey counters from the answers.
-- KEYS: 1 meta, 2 hh, 3 choice, 4 members, 5 tally, 6 own:units, 7 own:agree, 8 own:disagree,
--       9 survey, 10 survey:counts
if redis.call('HGET', KEYS[1], 'active') == false then return {'NOTFOUND', 'compound'} end
recompute(KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8])
recompute_survey(KEYS[2], KEYS[9], KEYS[10])
return {'OK'}
