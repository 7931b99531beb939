import { cartKeys } from '@bookstore/events'
import { RedisScript, type ScriptArg, type ScriptCall } from './redis-script'

/**
 * The part every cart-changing script shares (scripts/includes/cart-commit.lua): its KEYS, its
 * first nine ARGV and its replies. Each script's own file adds the ARGV from 10 on.
 */

/** How many Idempotency-Key answers a shopper's cart keeps unless told otherwise (docs/limits.md). */
export const defaultAnswersKept = 50

/** What a cart change needs besides its own input. */
export interface CartCommitContext {
  userId: string
  now: number
  cartTtlSeconds: number
  /**
   * The Idempotency-Key, the request's fingerprint, how long the answer is kept and how many
   * answers the cart keeps at most (the oldest leave first; default `defaultAnswersKept`).
   */
  idempotency?: { key: string; fingerprint: string; ttlSeconds: number; answersKept?: number } | undefined
  /** The shopper's mutation limit, shared by every instance; only shopper requests carry one. */
  rateLimit?: { mutations: number; windowMs: number } | undefined
}

/** KEYS[1..6] and ARGV[1..9] of includes/cart-commit.lua, in order. */
type CommitKeys = [
  cart: string,
  version: string,
  answers: string,
  events: string,
  answerOrder: string,
  mutations: string,
]
type CommitArgv = [
  userId: string,
  now: number,
  cartTtlSeconds: number,
  idempotencyTtlSeconds: number,
  fingerprint: string,
  idempotencyKey: string,
  answersKept: number,
  mutationLimit: number,
  rateWindowMs: number,
]

/** The number of KEYS every cart-changing script takes. */
export const cartCommitKeyCount = 6

/** A cart script's call: the shared KEYS and ARGV[1..9], then the script's own ARGV. */
export function cartCommitCall(context: CartCommitContext, ownArgs: readonly ScriptArg[]): ScriptCall {
  const keys = cartKeys(context.userId)
  const { idempotency, rateLimit } = context
  // Without an Idempotency-Key, KEYS[3] and KEYS[5] are never touched; without a limit, KEYS[6].
  const commitKeys: CommitKeys = [
    keys.cart,
    keys.version,
    keys.answers,
    keys.events,
    keys.answerOrder,
    keys.mutations,
  ]
  const commitArgv: CommitArgv = [
    context.userId,
    context.now,
    context.cartTtlSeconds,
    idempotency?.ttlSeconds ?? 0,
    idempotency?.fingerprint ?? '',
    idempotency?.key ?? '',
    idempotency?.answersKept ?? defaultAnswersKept,
    rateLimit?.mutations ?? 0,
    rateLimit?.windowMs ?? 0,
  ]
  return { keys: commitKeys, args: [...commitArgv, ...ownArgs] }
}

/** The reasons a cart script refuses a change; each is one negative return code in Lua (REJECT_*). */
export const cartRejections = {
  [-1]: 'BOOK_NOT_FOUND',
  [-2]: 'OUT_OF_STOCK',
  [-3]: 'QUANTITY_LIMIT',
  [-4]: 'ITEMS_LIMIT',
  [-5]: 'ITEM_NOT_IN_CART',
  [-6]: 'IDEMPOTENCY_KEY_REUSED',
  /** Detail: the ms until the shopper's rate window ends. */
  [-7]: 'RATE_LIMITED',
} as const
export type CartRejection = (typeof cartRejections)[keyof typeof cartRejections]

export type CartScriptResult =
  | { outcome: 'committed'; cartJson: string; version: number }
  | { outcome: 'replayed'; cartJson: string }
  /** The cart key is missing: restore it (`hydrateCart`), then run the mutation again (SPEC C5). */
  | { outcome: 'needs-hydration' }
  | { outcome: 'rejected'; reason: CartRejection; detail: string }

/** A cart mutation script's reply: { 0, cart, version }, { 1, cart }, { 2, '' } or { <0, detail }. */
export function parseCartScriptReply(raw: unknown): CartScriptResult {
  if (!Array.isArray(raw) || raw.length < 2) throw new Error(`unexpected cart script reply: ${String(raw)}`)
  const [code, payload, version] = raw as [number, string, number | undefined]
  if (code === 0) return { outcome: 'committed', cartJson: payload, version: Number(version) }
  if (code === 1) return { outcome: 'replayed', cartJson: payload }
  if (code === 2) return { outcome: 'needs-hydration' }
  const reason = cartRejections[code as keyof typeof cartRejections]
  if (reason === undefined) throw new Error(`unknown cart script code ${code}`)
  return { outcome: 'rejected', reason, detail: payload }
}

/** One cart mutation script: its file and how its named input becomes its own ARGV (10 on). */
export interface CartMutationScript<Input> {
  script: RedisScript
  args: (input: Input) => readonly ScriptArg[]
}

export const cartMutationScript = <Input>(
  fileName: string,
  args: (input: Input) => readonly ScriptArg[],
): CartMutationScript<Input> => ({ script: RedisScript.fromFile(fileName, cartCommitKeyCount), args })
