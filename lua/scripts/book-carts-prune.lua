--[[
  Removes users from a book's cart index (bookCartsKey) whose cart was seen without the book,
  but only when their last add of the book is older than a bound: cart-api adds the member (with
  the time as score) before its add-item script runs, so a member with a recent score may belong
  to an add that has not committed yet and must stay.

  KEYS and ARGV are put together by lua/src/book-carts-prune.ts.
  KEYS[1] book-carts:{bookId}   ZSET userId -> epoch ms of the last add
  ARGV[1] the highest score that may be removed (epoch ms)
  ARGV[2..] userIds seen without the book

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
