--[[
  Empties the cart. The version still moves forward (SPEC C3): the counter lives in its own key.

  KEYS and ARGV are put together by lua/src/cart-clear.ts.
  KEYS[1..6], ARGV[1..9]: see includes/cart-commit.lua

  Returns { code, payload }: see includes/cart-commit.lua; rejects with IDEMPOTENCY_KEY_REUSED, RATE_LIMITED (payload: ms left)
]]
-- @include "includes/cart-commit.lua"

local answered = storedAnswer()
if answered then return answered end
if redis.call('EXISTS', KEYS[1]) == 0 then return MISSING_CART end
local refused = throttled()
if refused then return refused end

return commit('clear', {})
