import { type CatalogBookState, type CatalogCartOperation, cartKeys } from '@bookstore/events'
import { cartScriptKeys } from './cart-scripts'
import { type RedisClient, RedisScript, type ScriptArg } from './redis-script'

/** Catalog propagation (SPEC B3-B5): one script per cart, one per book's cart index. */
export const catalogScripts = {
  propagate: RedisScript.fromFile('catalog-propagate.lua', 4),
  pruneBookCarts: RedisScript.fromFile('book-carts-prune.lua', 1),
}

export type PropagationResult =
  | { outcome: 'committed'; cartJson: string; version: number }
  | { outcome: 'unchanged'; version: number }
  | { outcome: 'absent' }

export interface PropagationInput {
  bookId: string
  op: CatalogCartOperation
  state: CatalogBookState
  bookVersion: number
}

/** The keys and arguments of one propagation call (also used to pipeline many of them). */
export function propagationCall(
  userId: string,
  input: PropagationInput,
  context: { now: number; cartTtlSeconds: number },
): { keys: string[]; args: ScriptArg[] } {
  const { state } = input
  return {
    keys: cartScriptKeys(cartKeys(userId), undefined),
    args: [
      userId,
      context.now,
      context.cartTtlSeconds,
      60,
      '',
      input.bookId,
      input.op,
      state.status,
      state.title,
      state.priceCents,
      state.stock,
      input.bookVersion,
    ],
  }
}

export function parsePropagationResult(raw: unknown): PropagationResult {
  if (!Array.isArray(raw) || raw.length < 2) throw new Error(`unexpected propagation reply: ${String(raw)}`)
  const [code, payload, version] = raw as [number, string, number | undefined]
  if (code === 0) return { outcome: 'committed', cartJson: payload, version: Number(version) }
  if (code === 2) return { outcome: 'unchanged', version: Number(version) }
  if (code === 3) return { outcome: 'absent' }
  throw new Error(`unknown propagation code ${code}`)
}

/** Applies a book's new state to one cart: one atomic script call. */
export async function propagateToCart(
  redis: RedisClient,
  userId: string,
  input: PropagationInput,
  context: { now: number; cartTtlSeconds: number },
): Promise<PropagationResult> {
  const { keys, args } = propagationCall(userId, input, context)
  return parsePropagationResult(await catalogScripts.propagate.run(redis, keys, args))
}

export async function loadCatalogScripts(redis: RedisClient): Promise<void> {
  await Promise.all(Object.values(catalogScripts).map((script) => script.load(redis)))
}
