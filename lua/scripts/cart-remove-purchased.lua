--[[
  Takes the purchased quantities of a confirmed order out of the cart (SPEC O2): each line's
  quantity goes down by what the order bought, and a line left with none leaves the cart. Only
  those quantities: a book added on another device during checkout, or more copies of a book
  added meanwhile, stay. It commits like any cart change (new version, SPUBLISH, persistence job
  enqueued by the caller). The order id is the Idempotency-Key (ARGV[6]), so running it again for
  the same order replays its first answer and changes nothing.

  KEYS and ARGV are put together by lua/src/cart-remove-purchased.ts.
  KEYS[1..6]: see includes/cart-commit.lua (KEYS[6] is never written: no rate limit)
  ARGV[1..9]: see includes/cart-commit.lua (ARGV[5]: 'order|<orderId>', ARGV[6]: order-<orderId>)
  ARGV[10]  the purchased lines, JSON: [{ "bookId": "...", "quantity": 2 }, ...]

  Returns { code, payload }: see includes/cart-commit.lua (committed, replayed, needs hydration);
  { 3, '', version } when the cart holds none of the purchased books (nothing to take out).
]]
-- @include "includes/cart-commit.lua"

local NOTHING_TO_REMOVE = 3

local answered = storedAnswer()
if answered then return answered end
local items = loadItems()
if not items then return MISSING_CART end

local purchased = {}
for _, line in ipairs(cjson.decode(ARGV[10])) do
  purchased[line.bookId] = (purchased[line.bookId] or 0) + line.quantity
end

local kept, changed = {}, false
for _, item in ipairs(items) do
  local bought = purchased[item.bookId]
  if bought then
    changed = true
    if item.quantity > bought then
      item.quantity = item.quantity - bought
      kept[#kept + 1] = item
    end
  else
    kept[#kept + 1] = item
  end
end
if not changed then return { NOTHING_TO_REMOVE, '', tonumber(redis.call('GET', KEYS[2]) or 0) } end

-- The shopper's cart stays theirs: its remaining lifetime is kept.
local remaining = redis.call('TTL', KEYS[1])
if remaining > 0 then cartTtl = remaining end

return commit('order-placed', kept)
