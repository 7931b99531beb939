--[[
  Adds to a fixed-window request counter and sets its expiry in one call: a counter never exists
  without its expiry, and the gateway's flush pays one command per key instead of a MULTI of four.

  KEYS and ARGV are put together by lua/src/window-counter-add.ts.
  KEYS[1] the counter of one client in one window
  ARGV[1] how many requests to add
  ARGV[2] when the counter may go (epoch ms)

  Returns the counter's new value.
]]
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return count
