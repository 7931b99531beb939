import type { CartOperation } from '@bookstore/events'
import { type AddItemInput, addItemScript } from './cart-add-item'
import { type ClearInput, clearScript } from './cart-clear'
import {
  type CartMutationScript,
  type CartScriptResult,
  cartCommitCall,
  parseCartScriptReply,
} from './cart-commit'
import { type RemoveItemInput, removeItemScript } from './cart-remove-item'
import { type SetQuantityInput, setQuantityScript } from './cart-set-quantity'
import type { RedisClient, RedisScript } from './redis-script'

/** The named input of each cart mutation, by operation. */
export interface CartMutationInputs {
  'add-item': AddItemInput
  'set-quantity': SetQuantityInput
  'remove-item': RemoveItemInput
  clear: ClearInput
}

const cartMutations: { [Op in CartOperation]: CartMutationScript<CartMutationInputs[Op]> } = {
  'add-item': addItemScript,
  'set-quantity': setQuantityScript,
  'remove-item': removeItemScript,
  clear: clearScript,
}

export const cartScripts = {
  'add-item': addItemScript.script,
  'set-quantity': setQuantityScript.script,
  'remove-item': removeItemScript.script,
  clear: clearScript.script,
} satisfies Record<CartOperation, RedisScript>

/** What every cart mutation needs besides its own input. */
export interface CartMutationContext {
  userId: string
  now: number
  cartTtlSeconds: number
  idempotencyTtlSeconds: number
  /** How many Idempotency-Key answers the cart keeps at most (default: `defaultAnswersKept`). */
  answersKept?: number
  /** Idempotency-Key and the request's fingerprint, when the client sent one. */
  idempotency?: { key: string; fingerprint: string } | undefined
  /** The shopper's mutation limit (shared by every instance through the cart's own keys). */
  rateLimit?: { mutations: number; windowMs: number } | undefined
}

/** Runs one cart mutation: ONE atomic script call (SPEC C1). */
export async function runCartMutation<Op extends CartOperation>(
  redis: RedisClient,
  op: Op,
  context: CartMutationContext,
  input: CartMutationInputs[Op],
): Promise<CartScriptResult> {
  const mutation: CartMutationScript<CartMutationInputs[Op]> = cartMutations[op]
  const { idempotency } = context
  const call = cartCommitCall(
    {
      userId: context.userId,
      now: context.now,
      cartTtlSeconds: context.cartTtlSeconds,
      idempotency: idempotency && {
        ...idempotency,
        ttlSeconds: context.idempotencyTtlSeconds,
        answersKept: context.answersKept,
      },
      rateLimit: context.rateLimit,
    },
    mutation.args(input),
  )
  return parseCartScriptReply(await mutation.script.run(redis, call.keys, call.args))
}

export async function loadCartScripts(redis: RedisClient): Promise<void> {
  await Promise.all(Object.values(cartScripts).map((script) => script.load(redis)))
}
