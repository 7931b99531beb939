import { type CartKeys, type CartOperation, cartKeys } from '@bookstore/events'
import { type RedisClient, RedisScript, type ScriptArg } from './redis-script'

/** The reasons a cart script refuses a change; each maps to one negative return code in Lua. */
export const cartRejections = {
  [-1]: 'BOOK_NOT_FOUND',
  [-2]: 'OUT_OF_STOCK',
  [-3]: 'QUANTITY_LIMIT',
  [-4]: 'ITEMS_LIMIT',
  [-5]: 'ITEM_NOT_IN_CART',
  [-6]: 'IDEMPOTENCY_KEY_REUSED',
} as const
export type CartRejection = (typeof cartRejections)[keyof typeof cartRejections]

export type CartScriptResult =
  | { outcome: 'committed'; cartJson: string; version: number }
  | { outcome: 'replayed'; cartJson: string }
  /** The cart key is missing: restore it (`hydrateCart`), then run the mutation again (SPEC C5). */
  | { outcome: 'needs-hydration' }
  | { outcome: 'rejected'; reason: CartRejection; detail: string }

export const cartScripts = {
  'add-item': RedisScript.fromFile('cart-add-item.lua', 4),
  'set-quantity': RedisScript.fromFile('cart-set-quantity.lua', 4),
  'remove-item': RedisScript.fromFile('cart-remove-item.lua', 4),
  clear: RedisScript.fromFile('cart-clear.lua', 4),
} satisfies Record<CartOperation, RedisScript>

export interface CartMutationContext {
  userId: string
  now: number
  cartTtlSeconds: number
  idempotencyTtlSeconds: number
  /** Idempotency-Key and the request's fingerprint, when the client sent one. */
  idempotency?: { key: string; fingerprint: string } | undefined
}

export const cartScriptKeys = (keys: CartKeys, idempotencyKey: string | undefined) => [
  keys.cart,
  keys.version,
  keys.idempotency(idempotencyKey ?? ''),
  keys.events,
]

function parseResult(raw: unknown): CartScriptResult {
  if (!Array.isArray(raw) || raw.length < 2) throw new Error(`unexpected cart script reply: ${String(raw)}`)
  const [code, payload, version] = raw as [number, string, number | undefined]
  if (code === 0) return { outcome: 'committed', cartJson: payload, version: Number(version) }
  if (code === 1) return { outcome: 'replayed', cartJson: payload }
  if (code === 2) return { outcome: 'needs-hydration' }
  const reason = cartRejections[code as keyof typeof cartRejections]
  if (reason === undefined) throw new Error(`unknown cart script code ${code}`)
  return { outcome: 'rejected', reason, detail: payload }
}

/** Runs one cart mutation: ONE atomic script call (SPEC C1). */
export async function runCartMutation(
  redis: RedisClient,
  op: CartOperation,
  context: CartMutationContext,
  opArgs: readonly ScriptArg[],
): Promise<CartScriptResult> {
  const keys = cartScriptKeys(cartKeys(context.userId), context.idempotency?.key)
  const args: ScriptArg[] = [
    context.userId,
    context.now,
    context.cartTtlSeconds,
    context.idempotencyTtlSeconds,
    context.idempotency?.fingerprint ?? '',
    ...opArgs,
  ]
  return parseResult(await cartScripts[op].run(redis, keys, args))
}

export async function loadCartScripts(redis: RedisClient): Promise<void> {
  await Promise.all(Object.values(cartScripts).map((script) => script.load(redis)))
}
