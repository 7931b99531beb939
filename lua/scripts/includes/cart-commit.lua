--[[
  Shared by every cart mutation script (inlined by the loader at `-- @include`).

  Every mutation script takes the same first KEYS and ARGV (put together by lua/src/cart-commit.ts):
    KEYS[1] cart:{u}             the cart document (JSON string)
    KEYS[2] cart:{u}:version     the version counter (never expires)
    KEYS[3] cart:{u}:idem        HASH Idempotency-Key -> fingerprint '\n' answer, at most ARGV[7] fields
    KEYS[4] cart-events:{u}      the user's sharded Pub/Sub channel
    KEYS[5] cart:{u}:idem-order  ZSET Idempotency-Key -> when it was stored (oldest leave first)
    KEYS[6] cart:{u}:mutations   the shopper's mutation count in the current rate window
    ARGV[1] userId
    ARGV[2] now (epoch ms)
    ARGV[3] cart TTL in seconds
    ARGV[4] idempotency TTL in seconds
    ARGV[5] request fingerprint ('' when the request carries no Idempotency-Key)
    ARGV[6] the Idempotency-Key ('' when none)
    ARGV[7] how many answers are kept per shopper
    ARGV[8] mutations allowed per rate window (0: no limit; only shopper requests are limited)
    ARGV[9] the rate window in ms

  Every key here is bounded per shopper (docs/limits.md): one cart, one counter, at most ARGV[7]
  answers, one rate counter that lives one window.

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
local REJECT_RATE_LIMITED = -7
local NEEDS_HYDRATION = 2

local userId = ARGV[1]
local now = tonumber(ARGV[2])
local cartTtl = tonumber(ARGV[3])
local idempotencyTtl = tonumber(ARGV[4])
local fingerprint = ARGV[5]
local idempotencyKey = ARGV[6]
local maxAnswers = tonumber(ARGV[7])
local mutationLimit = tonumber(ARGV[8])
local rateWindowMs = tonumber(ARGV[9])

-- The stored answer for a retried request, or nil when this is the first time (or it expired).
local function storedAnswer()
  if fingerprint == '' then return nil end
  local storedAt = redis.call('ZSCORE', KEYS[5], idempotencyKey)
  if not storedAt or tonumber(storedAt) <= now - idempotencyTtl * 1000 then return nil end
  local stored = redis.call('HGET', KEYS[3], idempotencyKey)
  if not stored then return nil end
  local separator = string.find(stored, '\n', 1, true)
  if string.sub(stored, 1, separator - 1) ~= fingerprint then
    return { REJECT_IDEMPOTENCY_KEY_REUSED, '' }
  end
  return { 1, string.sub(stored, separator + 1) }
end

-- A shopper's request, once its cart is known to exist (a missing cart asks for hydration and the
-- request comes back: counted once): counted in the shopper's rate window, refused with the ms left
-- when over the limit. A retry answered by storedAnswer() never gets here, so it is not counted.
local function throttled()
  if mutationLimit <= 0 then return nil end
  local count = redis.call('INCR', KEYS[6])
  if count == 1 then redis.call('PEXPIRE', KEYS[6], rateWindowMs) end
  if count > mutationLimit then
    local left = redis.call('PTTL', KEYS[6])
    -- A counter without expiry (it cannot be left so, but a limit must never become permanent).
    if left < 0 then redis.call('PEXPIRE', KEYS[6], rateWindowMs) left = rateWindowMs end
    return { REJECT_RATE_LIMITED, tostring(left) }
  end
  return nil
end

-- Keeps this answer for a retry; the oldest answers (and the expired ones) make room.
local function rememberAnswer(cart)
  redis.call('HSET', KEYS[3], idempotencyKey, fingerprint .. '\n' .. cart)
  redis.call('ZADD', KEYS[5], now, idempotencyKey)
  local stale = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now - idempotencyTtl * 1000)
  local excess = redis.call('ZCARD', KEYS[5]) - #stale - maxAnswers
  if excess > 0 then
    for _, key in ipairs(redis.call('ZRANGE', KEYS[5], #stale, #stale + excess - 1)) do
      stale[#stale + 1] = key
    end
  end
  if #stale > 0 then
    redis.call('ZREM', KEYS[5], unpack(stale))
    redis.call('HDEL', KEYS[3], unpack(stale))
  end
  redis.call('EXPIRE', KEYS[3], idempotencyTtl)
  redis.call('EXPIRE', KEYS[5], idempotencyTtl)
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
  if fingerprint ~= '' then rememberAnswer(cart) end
  return { 0, cart, version }
end
