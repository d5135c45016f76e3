-- Record the message in the sender's chat that shows a notice's progress.
-- KEYS: 1 state
-- ARGV: 1 chat id, 2 message id
if redis.call('EXISTS', KEYS[1]) == 0 then return {'NOTFOUND', 'notice'} end
redis.call('HSET', KEYS[1], 'by_chat', ARGV[1], 'progress_id', ARGV[2])
return {'OK'}
