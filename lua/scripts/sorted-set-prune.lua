--[[
  Removes members of a sorted set whose score is at most a bound, and only those named: a member
  whose score moved past the bound since the caller read it (it was marked again) stays. Its uses:
  - a book's cart index (bookCartsKey, score: the user's last add of the book): users whose cart
    was seen without the book leave it, unless their last add is recent (cart-api adds the member
    before its add-item script runs, so a recent one may belong to an add not committed yet);
  - the persistence spool (persistenceSpoolKey, score: when the commit was spooled): commits that
    reached the queue or PostgreSQL leave it, unless a newer commit of the cart was spooled since.

  KEYS and ARGV are put together by lua/src/sorted-set-prune.ts.
  KEYS[1] the sorted set
  ARGV[1] the highest score that may be removed
  ARGV[2..] the members to remove

  Returns the number of members removed.
]]
local maxScore = tonumber(ARGV[1])
local removed = 0
for i = 2, #ARGV do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and tonumber(score) <= maxScore then
    removed = removed + redis.call('ZREM', KEYS[1], ARGV[i])
  end
end
return removed
