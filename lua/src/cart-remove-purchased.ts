import type { StockLine } from '@bookstore/events'
import { cartCommitCall, cartCommitKeyCount } from './cart-commit'
import { type RedisClient, RedisScript, type ScriptCall } from './redis-script'

export const cartRemovePurchasedScript = RedisScript.fromFile('cart-remove-purchased.lua', cartCommitKeyCount)

/** scripts/cart-remove-purchased.lua: a confirmed order's quantities leave the cart (SPEC O2). */
export interface RemovePurchasedInput {
  userId: string
  orderId: string
  lines: readonly StockLine[]
  now: number
  /** The expiry of a cart that had none (a cart's remaining lifetime is kept). */
  cartTtlSeconds: number
  /** How long the order's answer is kept against a second run (the order id is its key). */
  idempotencyTtlSeconds: number
}

/** ARGV[10] (KEYS and ARGV[1..9]: cart-commit.ts, the order id as Idempotency-Key). */
type RemovePurchasedArgv = [linesJson: string]

export function removePurchasedCall(input: RemovePurchasedInput): ScriptCall {
  const argv: RemovePurchasedArgv = [
    JSON.stringify(input.lines.map(({ bookId, quantity }) => ({ bookId, quantity }))),
  ]
  return cartCommitCall(
    {
      userId: input.userId,
      now: input.now,
      cartTtlSeconds: input.cartTtlSeconds,
      idempotency: {
        key: `order-${input.orderId}`,
        fingerprint: `order|${input.orderId}`,
        ttlSeconds: input.idempotencyTtlSeconds,
      },
    },
    argv,
  )
}

export type RemovePurchasedResult =
  | { outcome: 'committed'; cartJson: string; version: number }
  | { outcome: 'replayed' }
  | { outcome: 'needs-hydration' }
  | { outcome: 'nothing-to-remove'; version: number }

/** The script's reply: { 0, cart, version }, { 1, cart }, { 2, '' } or { 3, '', version }. */
export function parseRemovePurchasedReply(raw: unknown): RemovePurchasedResult {
  if (!Array.isArray(raw) || raw.length < 2) throw new Error(`unexpected reply: ${String(raw)}`)
  const [code, payload, version] = raw as [number, string, number | undefined]
  if (code === 0) return { outcome: 'committed', cartJson: payload, version: Number(version) }
  if (code === 1) return { outcome: 'replayed' }
  if (code === 2) return { outcome: 'needs-hydration' }
  if (code === 3) return { outcome: 'nothing-to-remove', version: Number(version) }
  throw new Error(`unknown remove-purchased code ${code}`)
}

/** One atomic call on the cart's hash-tagged keys. */
export async function removePurchased(
  redis: RedisClient,
  input: RemovePurchasedInput,
): Promise<RemovePurchasedResult> {
  const { keys, args } = removePurchasedCall(input)
  return parseRemovePurchasedReply(await cartRemovePurchasedScript.run(redis, keys, args))
}
