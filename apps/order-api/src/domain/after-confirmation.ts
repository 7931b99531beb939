import { readDurableCarts, restoreCart } from '@bookstore/cart-store'
import type { Database } from '@bookstore/db'
import type { CartCommit, HashStore, OrderConfirmedEmail, StockLine } from '@bookstore/events'
import { type RedisClient, removePurchased } from '@bookstore/lua'
import type { AfterConfirmation } from './order-saga'
import { lineOf, type OrderLineRow, type OrderRow } from './order-view'

export interface AfterConfirmationDeps {
  redis: RedisClient & HashStore
  db: Database
  /** Enqueues persistence commits, as every cart change does (SPEC P1). */
  persist: (commits: CartCommit[]) => Promise<void>
  enqueueEmail: (email: OrderConfirmedEmail) => Promise<void>
  cartTtlSeconds: number
  idempotencyTtlSeconds: number
  shopUrl: string
  log: { info(object: Record<string, unknown>, message: string): void }
  now?: () => number
}

/**
 * What follows a confirmation (SPEC O2), without calling cart-api: the purchased quantities leave
 * the cart by one Lua script on the cart's own keys (a new version, its event, its persistence
 * job, like every cart change), and the confirmation e-mail is queued for mail-worker.
 */
export function createAfterConfirmation(deps: AfterConfirmationDeps): AfterConfirmation {
  const now = deps.now ?? Date.now

  async function clearCart(order: OrderRow, lines: StockLine[]): Promise<void> {
    const input = {
      userId: order.userId,
      orderId: order.id,
      lines,
      cartTtlSeconds: deps.cartTtlSeconds,
      idempotencyTtlSeconds: deps.idempotencyTtlSeconds,
    }
    for (let attempt = 1; attempt <= 3; attempt++) {
      const committedAt = now()
      const result = await removePurchased(deps.redis, { ...input, now: committedAt })
      if (result.outcome === 'committed') {
        await deps.persist([{ userId: order.userId, version: result.version, committedAt }])
        return
      }
      if (result.outcome !== 'needs-hydration') return
      // The cart left Redis (expired, or lost): restored from PostgreSQL by cart-api's rules first.
      const durable = (await readDurableCarts(deps.db, [order.userId])).get(order.userId)
      const restored = await restoreCart(
        { redis: deps.redis, cartTtlSeconds: deps.cartTtlSeconds, now },
        order.userId,
        durable,
      )
      if (restored.commit) await deps.persist([restored.commit])
    }
    throw new Error(`the cart of ${order.userId} is still missing after restoring it`)
  }

  async function sendConfirmation(order: OrderRow, lines: OrderLineRow[], to: string | undefined) {
    if (!to) {
      deps.log.info({ orderId: order.id, userId: order.userId }, 'no account e-mail: no confirmation sent')
      return
    }
    await deps.enqueueEmail({
      kind: 'order-confirmed',
      to,
      userId: order.userId,
      orderId: order.id,
      lines: [...lines].sort((a, b) => a.position - b.position).map(lineOf),
      totalCents: order.totalCents,
      itemCount: order.itemCount,
      orderUrl: new URL(`/orders/${order.id}`, deps.shopUrl).toString(),
      confirmedAt: order.updatedAt.getTime(),
    })
  }

  return { clearCart, sendConfirmation }
}
