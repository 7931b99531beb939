import type { Order, OrderStatus } from '@bookstore/events'
import { orderError, orderNotFound } from './order-errors'
import type { OrderStore, Transitioned } from './order-store'
import { type Actor, mayTransition, nextStatuses } from './order-transitions'

export interface OrderActionDeps {
  store: OrderStore
  publish: (transitions: Transitioned[]) => Promise<void>
  /** Hands the order to the saga (a cancel's compensation: void or refund, release the stock). */
  advanceLater: (orderId: string) => Promise<void>
}

export interface MoveRequest {
  orderId: string
  to: OrderStatus
  actor: Exclude<Actor, 'system'>
  actorId: string
  /** A shopper acts on their own orders only (another's is not found). */
  ownerId?: string | undefined
  /** The status the caller saw: the move is refused if the order is no longer in it. */
  expectedStatus?: OrderStatus | undefined
}

/**
 * A shopper's cancel and an admin's moves (SPEC O2): compare-and-set on the status the caller saw,
 * under the order's row lock so no saga step is half-way through it. A cancel leaves the
 * compensation to the saga, which gives the payment and the stock back.
 */
export async function moveOrder(deps: OrderActionDeps, request: MoveRequest): Promise<Order> {
  const { result, published } = await deps.store.locked(request.orderId, async (tx, row, published) => {
    if (!row || (request.ownerId !== undefined && row.userId !== request.ownerId))
      throw orderNotFound(request.orderId)
    const from = row.status as OrderStatus
    if (request.expectedStatus !== undefined && request.expectedStatus !== from)
      throw orderError('ORDER_STATE_CHANGED', `The order is ${from} now, not ${request.expectedStatus}`, {
        status: from,
        expectedStatus: request.expectedStatus,
      })
    if (!mayTransition(from, request.to, request.actor))
      throw orderError('ORDER_TRANSITION_INVALID', `A ${from} order cannot become ${request.to} this way`, {
        status: from,
        to: request.to,
        allowed: nextStatuses(from, request.actor),
      })
    const cancelling = request.to === 'cancelled'
    const after = await deps.store.transition(
      tx,
      row,
      {
        to: request.to,
        actor: request.actor,
        actorId: request.actorId,
        reason: cancelling ? request.actor : undefined,
        fields: cancelling ? { cancelReason: request.actor } : {},
      },
      published,
    )
    if (!after) throw orderError('ORDER_STATE_CHANGED', 'The order changed meanwhile', { status: from })
    return { cancelling }
  })
  await deps.publish(published)
  if (result.cancelling) await deps.advanceLater(request.orderId)
  return deps.store.get(request.orderId, { history: true })
}
