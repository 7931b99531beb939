import type { Transaction } from '@bookstore/db'
import type { CancelReason, RefusedLine, StockLine, StockResultJob } from '@bookstore/events'
import { stockLineOf } from './checkout'
import type { OrderStore, Transitioned } from './order-store'
import type { OrderLineRow, OrderRow, ReservationState } from './order-view'
import type { PaymentProvider } from './payments/payment-provider'

/** The requests the saga sends book-api (each idempotent by order id; deduplicated while queued). */
export interface StockRequests {
  reserve(orderId: string, lines: StockLine[], expiresAt: Date): Promise<void>
  commit(orderId: string): Promise<void>
  release(orderId: string, reason: string): Promise<void>
}

/** What follows a confirmation, each idempotent: the order's lines leave the cart, the e-mail goes out. */
export interface AfterConfirmation {
  clearCart(order: OrderRow, lines: StockLine[]): Promise<void>
  /** `email`: the account's address (none: no e-mail). */
  sendConfirmation(order: OrderRow, lines: OrderLineRow[], email: string | undefined): Promise<void>
}

export interface OrderSagaDeps {
  store: OrderStore
  payments: PaymentProvider
  stock: StockRequests
  after: AfterConfirmation
  /** Announces committed transitions (the shopper's sockets); never fails the step. */
  publish: (transitions: Transitioned[]) => Promise<void>
  /** How long past its hold's expiry a pending order is cancelled without book-api's word. */
  expiryGraceMs: number
  now?: () => number
}

/** What one step did: go on with the next one, or stop (waiting for book-api, or nothing left). */
interface Step {
  next: 'continue' | 'stop'
  /** Sent once the step's transaction has committed (a request to book-api). */
  send?: () => Promise<void>
}

const go: Step = { next: 'continue' }
const stop = (send?: () => Promise<void>): Step => (send ? { next: 'stop', send } : { next: 'stop' })

/** Reservation states that still hold (or may still hold) stock for the order. */
const holding: readonly string[] = ['requested', 'held', 'committing', 'committed']

/** The reservation state an answer of book-api moves the order to, or undefined: nothing to change. */
export function reservationAfter(
  current: ReservationState,
  result: StockResultJob,
): ReservationState | undefined {
  switch (result.status) {
    case 'released':
      return current === 'released' || current === 'refused' ? undefined : 'released'
    case 'refused':
      // Nothing was ever held: a release already asked for is as good as done.
      if (current === 'requested') return 'refused'
      return current === 'releasing' ? 'released' : undefined
    case 'held':
      return current === 'requested' ? 'held' : undefined
    case 'committed':
      return current === 'committing' ? 'committed' : undefined
  }
}

/**
 * The checkout saga on order-api's side (docs/orders.md). Each step runs under the order's row
 * lock in its own transaction and reads what is done from the row, so any step may run again (a
 * retried job, a job taken over from a killed process, the sweep) and does only what is left. A
 * payment call is made inside the step and its outcome stored in the same transaction; the
 * provider's idempotency key (the order id) makes a repeated call harmless.
 */
export function createOrderSaga(deps: OrderSagaDeps) {
  const now = deps.now ?? Date.now
  const { store, payments } = deps

  const cancel = async (
    tx: Transaction,
    row: OrderRow,
    reason: CancelReason,
    published: Transitioned[],
    fields: Parameters<OrderStore['update']>[2] = {},
  ) => {
    await store.transition(
      tx,
      row,
      { to: 'cancelled', actor: 'system', reason, fields: { ...fields, cancelReason: reason } },
      published,
    )
    return go
  }

  async function pendingStep(tx: Transaction, row: OrderRow, published: Transitioned[]): Promise<Step> {
    const reservation = row.reservation as ReservationState
    // Past its hold (and the grace) a pending order ends, whatever is left: even a capture that
    // keeps failing does not hold sold stock for ever. Compensation then gives everything back,
    // a capture whose answer was lost included.
    if (now() > row.reservationExpiresAt.getTime() + deps.expiryGraceMs)
      return cancel(tx, row, 'reservation-expired', published)
    switch (reservation) {
      case 'requested': {
        const lines = (await store.lines(row.id, tx)).map(stockLineOf)
        return stop(() => deps.stock.reserve(row.id, lines, row.reservationExpiresAt))
      }
      case 'refused':
        return cancel(tx, row, 'stock-refused', published)
      case 'released':
      case 'releasing':
        return cancel(tx, row, 'reservation-expired', published)
      case 'held': {
        if (row.payment === 'none') {
          const answer = await payments.authorize({
            orderId: row.id,
            amountCents: row.totalCents,
            currency: 'USD',
          })
          if (answer.outcome === 'declined')
            return cancel(tx, row, 'payment-declined', published, { payment: 'declined' })
          // Authorized: the stock is turned into sold stock next, in the same step's commit.
          await store.update(tx, row.id, {
            payment: 'authorized',
            paymentReference: answer.reference,
            reservation: 'committing',
          })
          return stop(() => deps.stock.commit(row.id))
        }
        await store.update(tx, row.id, { reservation: 'committing' })
        return stop(() => deps.stock.commit(row.id))
      }
      case 'committing':
        return stop(() => deps.stock.commit(row.id))
      case 'committed': {
        if (row.payment === 'authorized') {
          const answer = await payments.capture({
            orderId: row.id,
            reference: row.paymentReference ?? '',
            amountCents: row.totalCents,
          })
          if (answer.outcome === 'declined') return cancel(tx, row, 'payment-declined', published)
          // Captured and confirmed in one transaction: never one without the other.
          await store.transition(
            tx,
            row,
            { to: 'confirmed', actor: 'system', reason: 'payment captured', fields: { payment: 'captured' } },
            published,
          )
          return go
        }
        if (row.payment === 'captured') {
          await store.transition(
            tx,
            row,
            { to: 'confirmed', actor: 'system', reason: 'payment captured' },
            published,
          )
          return go
        }
        return stop()
      }
    }
  }

  /** A cancelled order gives everything back: the authorization or capture, then the stock. */
  async function compensationStep(tx: Transaction, row: OrderRow): Promise<Step> {
    const reference = row.paymentReference ?? ''
    if (row.payment === 'authorized') {
      const answer = await payments.void({ orderId: row.id, reference })
      // The capture's answer was lost, but it happened: that payment is refunded, never kept.
      await store.update(tx, row.id, { payment: answer.outcome === 'voided' ? 'voided' : 'captured' })
      return go
    }
    if (row.payment === 'captured') {
      await payments.refund({ orderId: row.id, reference, amountCents: row.totalCents })
      await store.update(tx, row.id, { payment: 'refunded' })
      return go
    }
    const reason = row.cancelReason ?? 'cancelled'
    if (holding.includes(row.reservation)) {
      await store.update(tx, row.id, { reservation: 'releasing' })
      return stop(() => deps.stock.release(row.id, reason))
    }
    if (row.reservation === 'releasing') return stop(() => deps.stock.release(row.id, reason))
    return stop()
  }

  /**
   * The after-effects run once the step's transaction is over (they touch Redis and the queues,
   * not the order's row, and the cart's restore may read PostgreSQL); both are idempotent, so a
   * crash before they are marked done only makes the sweep run them again.
   */
  async function afterConfirmationStep(tx: Transaction, row: OrderRow): Promise<Step> {
    if (row.cartClearedAt && row.emailEnqueuedAt) return stop()
    const lines = await store.lines(row.id, tx)
    const email = await store.accountEmail(tx, row.userId)
    return stop(async () => {
      await deps.after.clearCart(row, lines.map(stockLineOf))
      await deps.after.sendConfirmation(row, lines, email)
      await store.markAfterEffects(row.id)
    })
  }

  function step(tx: Transaction, row: OrderRow, published: Transitioned[]): Promise<Step> {
    switch (row.status) {
      case 'pending':
        return pendingStep(tx, row, published)
      case 'cancelled':
        return compensationStep(tx, row)
      case 'confirmed':
        return afterConfirmationStep(tx, row)
      default:
        return Promise.resolve(stop())
    }
  }

  /** Runs steps of one order until it waits for book-api or has nothing left to do. */
  async function advance(orderId: string, result?: StockResultJob): Promise<{ steps: number }> {
    let pendingResult = result
    for (let steps = 0; steps < 20; steps++) {
      const { result: done, published } = await store.locked(orderId, async (tx, row, published) => {
        if (!row) return stop()
        let current = row
        if (pendingResult) {
          const next = reservationAfter(row.reservation as ReservationState, pendingResult)
          const refusedLines: RefusedLine[] | undefined = pendingResult.refusedLines
          if (next)
            current = await store.update(tx, row.id, {
              reservation: next,
              ...(next === 'refused' && refusedLines ? { refusedLines } : {}),
            })
        }
        return step(tx, current, published)
      })
      pendingResult = undefined
      await deps.publish(published)
      if (done.send) await done.send()
      if (done.next === 'stop') return { steps: steps + 1 }
    }
    return { steps: 20 }
  }

  return { advance }
}
export type OrderSaga = ReturnType<typeof createOrderSaga>
