--[[
  Shared by every cart mutation script (inlined by the loader at `-- @include`).

  Every mutation script takes the same first KEYS and ARGV (put together by lua/src/cart-commit.ts):
    KEYS[1] cart:{u}             the cart document (JSON string)
    KEYS[2] cart:{u}:version     the version counter (never expires)
    KEYS[3] cart:{u}:idem:<key>  the stored answer for this Idempotency-Key
    KEYS[4] cart-events:{u}      the user's sharded Pub/Sub channel
    ARGV[1] userId
    ARGV[2] now (epoch ms)
    ARGV[3] cart TTL in seconds
    ARGV[4] idempotency TTL in seconds
    ARGV[5] request fingerprint ('' when the request carries no Idempotency-Key)

  Returns (from the script) { code, payload }:
     0, cart JSON, version   committed
     1, cart JSON   replayed: this Idempotency-Key already committed this same request
     2, ''          the cart key is missing: restore it first (cart-hydrate.lua), then call again
    <0, detail      rejected, nothing changed (codes below)
]]
local REJECT_BOOK_NOT_FOUND = -1
local REJECT_OUT_OF_STOCK = -2
local REJECT_QUANTITY_LIMIT = -3
local REJECT_ITEMS_LIMIT = -4
local REJECT_ITEM_NOT_IN_CART = -5
local REJECT_IDEMPOTENCY_KEY_REUSED = -6
local NEEDS_HYDRATION = 2

local userId = ARGV[1]
local now = tonumber(ARGV[2])
local cartTtl = tonumber(ARGV[3])
local idempotencyTtl = tonumber(ARGV[4])
local fingerprint = ARGV[5]

-- The stored answer for a retried request, or nil when this is the first time.
local function replayIdempotent()
  if fingerprint == '' then return nil end
  local stored = redis.call('GET', KEYS[3])
  if not stored then return nil end
  local separator = string.find(stored, '\n', 1, true)
  if string.sub(stored, 1, separator - 1) ~= fingerprint then
    return { REJECT_IDEMPOTENCY_KEY_REUSED, '' }
  end
  return { 1, string.sub(stored, separator + 1) }
end

-- The cart's items, or nil when the cart key is missing. SPEC C5: a missing key (a new shopper, an
-- expired cart, or Redis lost it) may hide a cart that PostgreSQL still holds, and starting an
-- empty one here would hide it for good (and, after a data loss, reuse versions): the script then
-- returns MISSING_CART, the caller restores the cart (cart-hydrate.lua) and calls again.
local MISSING_CART = { NEEDS_HYDRATION, '' }
local function loadItems()
  local raw = redis.call('GET', KEYS[1])
  if not raw then return nil end
  return cjson.decode(raw).items
end

local function findItem(items, bookId)
  for index, item in ipairs(items) do
    if item.bookId == bookId then return index, item end
  end
  return nil, nil
end

-- Encodes by hand so that an empty item list stays a JSON array (cjson would write {}).
local function encodeCart(version, items)
  local total, count, encoded = 0, 0, {}
  for index, item in ipairs(items) do
    item.lineTotalCents = item.unitPriceCents * item.quantity
    total = total + item.lineTotalCents
    count = count + item.quantity
    encoded[index] = cjson.encode(item)
  end
  return '{"userId":' .. cjson.encode(userId) .. ',"version":' .. version .. ',"items":[' ..
    table.concat(encoded, ',') .. '],"totalCents":' .. total .. ',"itemCount":' .. count ..
    ',"updatedAt":' .. now .. '}'
end

-- Bumps the version, stores the cart, publishes the change and remembers the answer.
-- noticesJson (optional, catalog propagation only): a JSON array published as the event's notices.
local function commit(op, items, noticesJson)
  local version = redis.call('INCR', KEYS[2])
  local cart = encodeCart(version, items)
  redis.call('SET', KEYS[1], cart, 'EX', cartTtl)
  local notices = noticesJson and (',"notices":' .. noticesJson) or ''
  redis.call('SPUBLISH', KEYS[4], '{"type":"cart.changed","op":"' .. op .. '","cart":' .. cart .. notices .. '}')
  if fingerprint ~= '' then
    redis.call('SET', KEYS[3], fingerprint .. '\n' .. cart, 'EX', idempotencyTtl)
  end
  return { 0, cart, version }
end
