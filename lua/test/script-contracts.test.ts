import { describe, expect, it } from 'vitest'
import {
  addItemScript,
  advanceVersionCall,
  bookCartsPruneScript,
  cartAdvanceVersionScript,
  cartCommitCall,
  cartHydrateScript,
  cartRejections,
  cartRemovePurchasedScript,
  catalogPropagateScript,
  clearScript,
  hydrateCall,
  propagationCall,
  pruneBookCartsCall,
  type RedisScript,
  readScriptSource,
  removeItemScript,
  removePurchasedCall,
  type ScriptCall,
  setQuantityScript,
  windowCounterAddCall,
  windowCounterAddScript,
} from '../src'

/** The highest ARGV[n] a script's header names (its own header, not the included ones). */
function highestArgvInHeader(script: RedisScript): number {
  const header = readScriptSource(`${script.name}.lua`).split(']]')[0] ?? ''
  return Math.max(0, ...[...header.matchAll(/ARGV\[(\d+)\]/g)].map((match) => Number(match[1])))
}

const context = { userId: 'u1', now: 1, cartTtlSeconds: 60 }
const book = { status: 'active' as const, title: 'Dune', priceCents: 1250, stock: 3 }
const mutation = (own: readonly (string | number)[]) => cartCommitCall(context, own)

const calls: [RedisScript, ScriptCall][] = [
  [
    addItemScript.script,
    mutation(
      addItemScript.args({ bookId: 'b1', quantity: 1, book, maxQuantityPerItem: 9, maxDistinctItems: 9 }),
    ),
  ],
  [
    setQuantityScript.script,
    mutation(setQuantityScript.args({ bookId: 'b1', quantity: 1, book, maxQuantityPerItem: 9 })),
  ],
  [removeItemScript.script, mutation(removeItemScript.args({ bookId: 'b1' }))],
  [clearScript.script, mutation(clearScript.args({}))],
  [cartHydrateScript, hydrateCall({ userId: 'u1', durable: undefined, cartTtlSeconds: 60 })],
  [
    catalogPropagateScript,
    propagationCall('u1', { bookId: 'b1', op: 'book-updated', state: book, bookVersion: 2 }, context),
  ],
  [bookCartsPruneScript, pruneBookCartsCall({ bookId: 'b1', maxScore: 5, userIds: [] })],
  [
    cartRemovePurchasedScript,
    removePurchasedCall({
      userId: 'u1',
      orderId: 'o1',
      lines: [{ bookId: 'b1', quantity: 1 }],
      now: 1,
      cartTtlSeconds: 60,
      idempotencyTtlSeconds: 60,
    }),
  ],
  [cartAdvanceVersionScript, advanceVersionCall({ ...context, durableVersion: 5, skip: 10 })],
  [windowCounterAddScript, windowCounterAddCall('gateway-rate-limit:ip:127.0.0.1:1', 3, 60_000)],
]

describe('each script and its argument builder', () => {
  it.each(calls.map(([script, call]) => [script.name, script, call] as const))(
    '%s: the builder passes the KEYS it declares and every ARGV its header names',
    (_name, script, call) => {
      expect(call.keys).toHaveLength(script.numberOfKeys)
      // Scripts taking the shared head name ARGV[1..9] in includes/cart-commit.lua only.
      const sharedHead = script.source.includes('local function commit(') ? 9 : 0
      expect(call.args).toHaveLength(Math.max(sharedHead, highestArgvInHeader(script)))
    },
  )

  it('map every negative return code of the Lua to the refusal the TypeScript names', () => {
    const lua = readScriptSource('includes/cart-commit.lua')
    const declared = Object.fromEntries(
      [...lua.matchAll(/^local REJECT_([A-Z_]+) = (-\d+)$/gm)].map((match) => [match[2], match[1]]),
    )
    expect(declared).toEqual(Object.fromEntries(Object.entries(cartRejections)))
  })
})
