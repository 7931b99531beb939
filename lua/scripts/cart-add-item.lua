--[[
  Adds a quantity of a book to the cart (or raises the quantity of the line already there) and
  refreshes the line's title and unit price from the book read model.

  KEYS and ARGV are put together by lua/src/cart-add-item.ts.
  KEYS[1..6], ARGV[1..9]: see includes/cart-commit.lua
  ARGV[10]  bookId
  ARGV[11]  quantity to add (>= 1)
  ARGV[12]  book status from the read model: 'active', 'deleted' or 'missing'
  ARGV[13]  book title
  ARGV[14] book unit price in cents
  ARGV[15] book stock
  ARGV[16] max quantity of one book in a cart
  ARGV[17] max distinct books in a cart

  Returns { code, payload }: see includes/cart-commit.lua; rejects with
    BOOK_NOT_FOUND, OUT_OF_STOCK (payload: stock), QUANTITY_LIMIT (payload: max),
    ITEMS_LIMIT (payload: max), IDEMPOTENCY_KEY_REUSED, RATE_LIMITED (payload: ms left)
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
if ARGV[12] ~= 'active' then return { REJECT_BOOK_NOT_FOUND, '' } end
local stock = tonumber(ARGV[15])
local maxQuantity = tonumber(ARGV[16])
local maxItems = tonumber(ARGV[17])

local _, item = findItem(items, bookId)
local newQuantity = quantity + (item and item.quantity or 0)
if newQuantity > stock then return { REJECT_OUT_OF_STOCK, tostring(stock) } end
if newQuantity > maxQuantity then return { REJECT_QUANTITY_LIMIT, tostring(maxQuantity) } end
if not item then
  if #items >= maxItems then return { REJECT_ITEMS_LIMIT, tostring(maxItems) } end
  item = { bookId = bookId, addedAt = now }
  items[#items + 1] = item
end
item.title = ARGV[13]
item.unitPriceCents = tonumber(ARGV[14])
item.quantity = newQuantity

return commit('add-item', items)
