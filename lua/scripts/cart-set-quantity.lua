--[[
  Sets the quantity of a book already in the cart. Raising it checks the book is still sold and in
  stock; lowering it is always allowed (so a shopper can fix a line flagged as above stock).

  KEYS and ARGV are put together by lua/src/cart-set-quantity.ts.
  KEYS[1..6], ARGV[1..9]: see includes/cart-commit.lua
  ARGV[10]  bookId
  ARGV[11]  new quantity (>= 1)
  ARGV[12]  book status from the read model: 'active', 'deleted' or 'missing'
  ARGV[13]  book stock
  ARGV[14] max quantity of one book in a cart

  Returns { code, payload }: see includes/cart-commit.lua; rejects with
    ITEM_NOT_IN_CART, BOOK_NOT_FOUND, OUT_OF_STOCK (payload: stock), QUANTITY_LIMIT (payload: max),
    IDEMPOTENCY_KEY_REUSED, RATE_LIMITED (payload: ms left)
]]
-- @include "includes/cart-commit.lua"

local answered = storedAnswer()
if answered then return answered end
local items = loadItems()
if not items then return MISSING_CART end
local refused = throttled()
if refused then return refused end

local bookId = ARGV[10]
local quantity = tonumber(ARGV[11])
local maxQuantity = tonumber(ARGV[14])

local _, item = findItem(items, bookId)
if not item then return { REJECT_ITEM_NOT_IN_CART, '' } end
if quantity > item.quantity then
  if ARGV[12] ~= 'active' then return { REJECT_BOOK_NOT_FOUND, '' } end
  local stock = tonumber(ARGV[13])
  if quantity > stock then return { REJECT_OUT_OF_STOCK, tostring(stock) } end
  if quantity > maxQuantity then return { REJECT_QUANTITY_LIMIT, tostring(maxQuantity) } end
end
item.quantity = quantity

return commit('set-quantity', items)
