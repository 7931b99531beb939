--[[
  Applies a book's new catalog state to one cart (SPEC B3-B5): the line of that book gets the new
  title and price (the old price kept in previousUnitPriceCents for display), leaves the cart when
  the book is deleted, and is flagged when the stock is 0 (outOfStock) or below its quantity
  (availableStock). A change commits like any cart change (new version, SPUBLISH with notices
  saying what changed); a cart without the book, or whose line already matches, is left as it is
  (same version, no event), so running this twice or late is harmless.

  The cart's updatedAt and expiry are kept: a catalog change is not the shopper touching the cart
  (the abandoned-cart reminder keeps counting from the shopper's last change).

  KEYS and ARGV are put together by lua/src/catalog-propagate.ts.
  KEYS[1..6]: see includes/cart-commit.lua (KEYS[3], KEYS[5], KEYS[6] are never written)
  ARGV[1..9]: see includes/cart-commit.lua (no idempotency key, no rate limit)
  ARGV[10]  bookId
  ARGV[11]  op for the event: 'book-updated', 'book-deleted' or 'book-stock-changed'
  ARGV[12]  book status: 'active' or 'deleted'
  ARGV[13]  book title
  ARGV[14] book unit price in cents
  ARGV[15] book stock
  ARGV[16] book version (a line that already took a newer version is left alone)

  Returns:
    { 0, cart JSON, version }   committed (the notices went out with the event)
    { 2, '', version }          the cart holds the book and already matches (or took a newer version);
                                version: the cart's current version (a retried job re-enqueues it)
    { 3, '' }                   the cart does not hold the book (or does not exist)
]]
-- @include "includes/cart-commit.lua"

local UNCHANGED = 2
local ABSENT = 3

local bookId = ARGV[10]
local op = ARGV[11]
local status = ARGV[12]
local title = ARGV[13]
local priceCents = tonumber(ARGV[14])
local stock = tonumber(ARGV[15])
local bookVersion = tonumber(ARGV[16])

local raw = redis.call('GET', KEYS[1])
if not raw then return { ABSENT, '' } end
local stored = cjson.decode(raw)
local items = stored.items
local index, item = findItem(items, bookId)
if not item then return { ABSENT, '' } end
local function unchanged() return { UNCHANGED, '', tonumber(redis.call('GET', KEYS[2]) or 0) } end
if item.bookVersion and item.bookVersion > bookVersion then return unchanged() end

local notices = {}
local function notice(entry)
  entry.bookId = bookId
  notices[#notices + 1] = entry
end

if status ~= 'active' then
  table.remove(items, index)
  notice({ kind = 'book-removed', title = item.title })
else
  if item.title ~= title then
    notice({ kind = 'title-changed', fromTitle = item.title, toTitle = title })
    item.title = title
  end
  if item.unitPriceCents ~= priceCents then
    notice({ kind = 'price-changed', title = title, fromCents = item.unitPriceCents, toCents = priceCents })
    if item.previousUnitPriceCents == priceCents then
      item.previousUnitPriceCents = nil
    else
      item.previousUnitPriceCents = item.unitPriceCents
    end
    item.unitPriceCents = priceCents
  end
  local outOfStock, available = nil, nil
  if stock == 0 then
    outOfStock, available = true, 0
  elseif item.quantity > stock then
    available = stock
  end
  if outOfStock and not item.outOfStock then
    notice({ kind = 'out-of-stock', title = title })
  elseif available and available ~= item.availableStock then
    notice({ kind = 'stock-limited', title = title, quantity = item.quantity, availableStock = available })
  elseif not available and (item.outOfStock or item.availableStock) then
    notice({ kind = 'back-in-stock', title = title, availableStock = stock })
  end
  item.outOfStock = outOfStock
  item.availableStock = available
end

if #notices == 0 then return unchanged() end
if status == 'active' then item.bookVersion = bookVersion end

-- Keep what the shopper set: the cart's last-change time and its remaining lifetime.
if stored.updatedAt and stored.updatedAt ~= cjson.null then now = stored.updatedAt end
local remaining = redis.call('TTL', KEYS[1])
if remaining > 0 then cartTtl = remaining end

return commit(op, items, cjson.encode(notices))
