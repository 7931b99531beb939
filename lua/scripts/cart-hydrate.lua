--[[
  Restores a cart that is missing from Redis from its durable copy in PostgreSQL (SPEC C5), or
  creates the empty cart of a shopper who has none, atomically: if the cart key exists (another
  request restored it first) nothing changes, so two concurrent first touches restore once.

  The version never goes back nor repeats (SPEC C3): it becomes the durable version, unless the
  version counter is already past it (changes that never reached PostgreSQL before the key
  expired), then the restored state gets a version of its own: counter + 1.

  KEYS and ARGV are put together by lua/src/cart-hydrate.ts.
  KEYS[1] cart:{u}             the cart document (JSON string)
  KEYS[2] cart:{u}:version     the version counter (never expires)
  ARGV[1] userId
  ARGV[2] cart TTL in seconds
  ARGV[3] durable version (0 when PostgreSQL holds no cart)
  ARGV[4] durable items: JSON array of cart lines without lineTotalCents (computed here); any
          other field (catalog flags, bookVersion) is kept as it is
  ARGV[5] durable updatedAt (epoch ms), '' when none

  Returns { code, cart JSON, version }:
    0  restored: the cart was written (the caller persists it when version > durable version)
    1  present: the cart existed already, unchanged
]]
local existing = redis.call('GET', KEYS[1])
if existing then return { 1, existing, cjson.decode(existing).version } end

local counter = tonumber(redis.call('GET', KEYS[2]) or '0')
local durable = tonumber(ARGV[3])
local version = durable
if counter > durable then version = counter + 1 end
if version ~= counter then redis.call('SET', KEYS[2], version) end

-- Encoded like includes/cart-commit.lua (an empty list stays a JSON array).
local total, count, encoded = 0, 0, {}
for index, item in ipairs(cjson.decode(ARGV[4])) do
  item.lineTotalCents = item.unitPriceCents * item.quantity
  total = total + item.lineTotalCents
  count = count + item.quantity
  encoded[index] = cjson.encode(item)
end
local updatedAt = ARGV[5]
if updatedAt == '' then updatedAt = 'null' end
local cart = '{"userId":' .. cjson.encode(ARGV[1]) .. ',"version":' .. version .. ',"items":[' ..
  table.concat(encoded, ',') .. '],"totalCents":' .. total .. ',"itemCount":' .. count ..
  ',"updatedAt":' .. updatedAt .. '}'
redis.call('SET', KEYS[1], cart, 'EX', tonumber(ARGV[2]))
return { 0, cart, version }
