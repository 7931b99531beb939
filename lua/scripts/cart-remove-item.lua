--[[
  Removes a book from the cart.

  KEYS and ARGV are put together by lua/src/cart-remove-item.ts.
  KEYS[1..6], ARGV[1..9]: see includes/cart-commit.lua
  ARGV[10] bookId

  Returns { code, payload }: see includes/cart-commit.lua; rejects with
    ITEM_NOT_IN_CART, IDEMPOTENCY_KEY_REUSED, RATE_LIMITED (payload: ms left)
]]
-- @include "includes/cart-commit.lua"

local answered = storedAnswer()
if answered then return answered end
local items = loadItems()
if not items then return MISSING_CART end
local refused = throttled()
if refused then return refused end

local index = findItem(items, ARGV[10])
if not index then return { REJECT_ITEM_NOT_IN_CART, '' } end
table.remove(items, index)

return commit('remove-item', items)
