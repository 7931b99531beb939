import type { CatalogBookState, CatalogCartOperation } from '@bookstore/events'
import { cartCommitCall, cartCommitKeyCount } from './cart-commit'
import { type RedisClient, RedisScript, type ScriptCall } from './redis-script'

export const catalogPropagateScript = RedisScript.fromFile('catalog-propagate.lua', cartCommitKeyCount)

/** scripts/catalog-propagate.lua: a book's new catalog state applied to one cart (SPEC B3-B5). */
export interface PropagationInput {
  bookId: string
  op: CatalogCartOperation
  state: CatalogBookState
  bookVersion: number
}

export interface PropagationContext {
  now: number
  /** The expiry of a cart that had none (a cart's remaining lifetime is kept). */
  cartTtlSeconds: number
}

/** ARGV[10..16], in order (KEYS and ARGV[1..9]: cart-commit.ts, without an Idempotency-Key). */
type PropagateArgv = [
  bookId: string,
  op: CatalogCartOperation,
  bookStatus: CatalogBookState['status'],
  bookTitle: string,
  bookPriceCents: number,
  bookStock: number,
  bookVersion: number,
]

/** The keys and arguments of one propagation call (also used to pipeline many of them). */
export function propagationCall(
  userId: string,
  input: PropagationInput,
  context: PropagationContext,
): ScriptCall {
  const { state } = input
  const argv: PropagateArgv = [
    input.bookId,
    input.op,
    state.status,
    state.title,
    state.priceCents,
    state.stock,
    input.bookVersion,
  ]
  return cartCommitCall({ userId, now: context.now, cartTtlSeconds: context.cartTtlSeconds }, argv)
}

export type PropagationResult =
  | { outcome: 'committed'; cartJson: string; version: number }
  | { outcome: 'unchanged'; version: number }
  | { outcome: 'absent' }

/** The script's reply: { 0, cart, version } committed, { 2, '', version } unchanged, { 3, '' } absent. */
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
  context: PropagationContext,
): Promise<PropagationResult> {
  const { keys, args } = propagationCall(userId, input, context)
  return parsePropagationResult(await catalogPropagateScript.run(redis, keys, args))
}

/** The same for many carts, one script call per cart, all in one pipeline (results in order). */
export async function propagateToCarts(
  redis: RedisClient,
  userIds: readonly string[],
  input: PropagationInput,
  context: PropagationContext,
): Promise<PropagationResult[]> {
  const calls = userIds.map((userId) => propagationCall(userId, input, context))
  const replies = await catalogPropagateScript.runPipelined(redis, calls)
  return replies.map(parsePropagationResult)
}
