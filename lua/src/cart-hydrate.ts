import { cartKeys, type DurableCart } from '@bookstore/events'
import { type RedisClient, RedisScript } from './redis-script'

export const cartHydrateScript = RedisScript.fromFile('cart-hydrate.lua', 2)

export type HydrateResult =
  | { outcome: 'restored'; cartJson: string; version: number }
  | { outcome: 'present'; cartJson: string; version: number }

/**
 * Writes the cart from its durable copy (or an empty cart) if the cart key is still missing, with a
 * version that never goes back nor repeats (SPEC C3, C5). One atomic script: concurrent first
 * touches restore once; the others find it present.
 */
export async function hydrateCart(
  redis: RedisClient,
  userId: string,
  /** Absent: PostgreSQL has no cart for the user (an empty cart is written). */
  durable: DurableCart | undefined,
  cartTtlSeconds: number,
): Promise<HydrateResult> {
  const keys = cartKeys(userId)
  const raw = await cartHydrateScript.run(
    redis,
    [keys.cart, keys.version],
    [
      userId,
      cartTtlSeconds,
      durable?.version ?? 0,
      JSON.stringify(durable?.items ?? []),
      durable?.updatedAt ?? '',
    ],
  )
  if (!Array.isArray(raw) || raw.length < 3) throw new Error(`unexpected cart-hydrate reply: ${String(raw)}`)
  const [code, cartJson, version] = raw as [number, string, number]
  return { outcome: code === 0 ? 'restored' : 'present', cartJson, version: Number(version) }
}
