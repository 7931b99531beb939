--[[
  Sets the quantity of a book already in the cart. Raising it checks the book is still sold and in
  stock; lowering it is always allowed (so a shopper can fix a line flagged as above stock).

  KEYS and ARGV are put together by lua/src/cart-set-quantity.ts.
  KEYS[1..4], ARGV[1..5]: see includes/cart-commit.lua
  ARGV[6]  bookId
  ARGV[7]  new quantity (>= 1)
  ARGV[8]  book status from the read model: 'active', 'deleted' or 'missing'
  ARGV[9]  book stock
  ARGV[10] max quantity of one book in a cart

  Returns { code, payload }: see includes/cart-commit.lua; rejects with
    ITEM_NOT_IN_CART, BOOK_NOT_FOUND, OUT_OF_STOCK (payload: stock), QUANTITY_LIMIT (payload: max),
    IDEMPOTENCY_KEY_REUSED
]]
-- @include "includes/cart-commit.lua"

local replayed = replayIdempotent()
if replayed then return replayed end
local items = loadItems()
if not items then return MISSING_CART end

local bookId = ARGV[6]
local quantity = tonumber(ARGV[7])
local maxQuantity = tonumber(ARGV[10])

local _, item = findItem(items, bookId)
if not item then return { REJECT_ITEM_NOT_IN_CART, '' } end
if quantity > item.quantity then
  if ARGV[8] ~= 'active' then return { REJECT_BOOK_NOT_FOUND, '' } end
  local stock = tonumber(ARGV[9])
  if quantity > stock then return { REJECT_OUT_OF_STOCK, tostring(stock) } end
  if quantity > maxQuantity then return { REJECT_QUANTITY_LIMIT, tostring(maxQuantity) } end
end
item.quantity = quantity

return commit('set-quantity', items)
