--[[
  Moves a cart's version past the one its PostgreSQL copy holds (SPEC C3, P2, P3): Redis came back
  from an older snapshot (an AOF or RDB restored), so PostgreSQL holds versions Redis has not
  reached, and every change of the cart would be refused there as older, and dropped as stale by
  the shopper's live clients. Redis is the primary: its content stays as it is and commits again
  at a version above PostgreSQL's, leaving a gap of `skip` versions for those that were handed out
  before the restore and lost with it (a client that saw one must not take a different cart under
  the same version). The change is published like any other, so live clients receive it, and the
  caller persists it. The cart's last-change time and remaining lifetime are kept (nobody changed
  it); a cart already at or past PostgreSQL's version is left alone, so running this twice is
  harmless, and so is a caller that read the cart before a concurrent job persisted a newer state
  (PostgreSQL then holds Redis's own version, not one Redis lost).

  KEYS and ARGV are put together by lua/src/cart-advance-version.ts.
  KEYS[1..6]: see includes/cart-commit.lua (KEYS[3], KEYS[5], KEYS[6] are never written)
  ARGV[1..9]: see includes/cart-commit.lua (no idempotency key, no rate limit)
  ARGV[10]  the version PostgreSQL holds
  ARGV[11]  versions left unused past it

  Returns:
    { 0, cart JSON, version }   advanced (the change was published)
    { 2, '', version }          already at or past PostgreSQL's version: unchanged
    { 3, '' }                   the cart does not exist
]]
-- @include "includes/cart-commit.lua"

local UNCHANGED = 2
local ABSENT = 3

local durableVersion = tonumber(ARGV[10])
local skip = tonumber(ARGV[11])

local raw = redis.call('GET', KEYS[1])
if not raw then return { ABSENT, '' } end
local stored = cjson.decode(raw)
if stored.version >= durableVersion then return { UNCHANGED, '', stored.version } end

-- commit() takes the counter one further: the new version is durableVersion + skip + 1 at least.
local counter = tonumber(redis.call('GET', KEYS[2]) or '0')
if counter < durableVersion + skip then redis.call('SET', KEYS[2], durableVersion + skip) end

if stored.updatedAt and stored.updatedAt ~= cjson.null then now = stored.updatedAt end
local remaining = redis.call('TTL', KEYS[1])
if remaining > 0 then cartTtl = remaining end

return commit('version-advanced', stored.items)
