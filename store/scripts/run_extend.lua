-- Extend the lease of a job run held by its owner.
-- KEYS: 1 run claim
-- ARGV: 1 claim value ("run|<owner>"), 2 lease ms
-- Returns {'OK', 1} when extended, {'OK', 0} when the claim is not the owner's
-- (taken over after the lease, done, or expired).
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {'OK', 1}
end
return {'OK', 0}
