import { cartKeys, type DurableCart } from '@bookstore/events'
import { type RedisClient, RedisScript, type ScriptCall } from './redis-script'

export const cartHydrateScript = RedisScript.fromFile('cart-hydrate.lua', 2)

/** scripts/cart-hydrate.lua: restore a missing cart from its durable copy. */
export interface HydrateInput {
  userId: string
  /** Absent: PostgreSQL has no cart for the user (an empty cart is written). */
  durable: DurableCart | undefined
  cartTtlSeconds: number
}

/** KEYS[1..2] and ARGV[1..5], in order. */
type HydrateKeys = [cart: string, version: string]
type HydrateArgv = [
  userId: string,
  cartTtlSeconds: number,
  durableVersion: number,
  durableItemsJson: string,
  durableUpdatedAt: number | '',
]

export function hydrateCall({ userId, durable, cartTtlSeconds }: HydrateInput): ScriptCall {
  const keys = cartKeys(userId)
  const hydrateKeys: HydrateKeys = [keys.cart, keys.version]
  const argv: HydrateArgv = [
    userId,
    cartTtlSeconds,
    durable?.version ?? 0,
    JSON.stringify(durable?.items ?? []),
    durable?.updatedAt ?? '',
  ]
  return { keys: hydrateKeys, args: argv }
}

export type HydrateResult =
  | { outcome: 'restored'; cartJson: string; version: number }
  | { outcome: 'present'; cartJson: string; version: number }

/** The script's reply: { 0, cart, version } restored, { 1, cart, version } present. */
export function parseHydrateReply(raw: unknown): HydrateResult {
  if (!Array.isArray(raw) || raw.length < 3) throw new Error(`unexpected cart-hydrate reply: ${String(raw)}`)
  const [code, cartJson, version] = raw as [number, string, number]
  return { outcome: code === 0 ? 'restored' : 'present', cartJson, version: Number(version) }
}

/**
 * Writes the cart from its durable copy (or an empty cart) if the cart key is still missing, with a
 * version that never goes back nor repeats (SPEC C3, C5). One atomic script: concurrent first
 * touches restore once; the others find it present.
 */
export async function hydrateCart(
  redis: RedisClient,
  userId: string,
  durable: DurableCart | undefined,
  cartTtlSeconds: number,
): Promise<HydrateResult> {
  const { keys, args } = hydrateCall({ userId, durable, cartTtlSeconds })
  return parseHydrateReply(await cartHydrateScript.run(redis, keys, args))
}
