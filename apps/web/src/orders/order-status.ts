import type { CancelReason, Order, OrderStatus, OrderTransition, RefusedLine } from '@bookstore/events'

export const statusLabels: Record<OrderStatus, string> = {
  pending: 'Pending',
  confirmed: 'Confirmed',
  shipped: 'Shipped',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
}

/** What each status means for the shopper, said once on the order page. */
export const statusMeaning: Record<OrderStatus, string> = {
  pending: 'We are holding your books and taking the payment.',
  confirmed: 'Paid and confirmed: it will ship soon.',
  shipped: 'On its way to you.',
  delivered: 'Delivered.',
  cancelled: 'This order was cancelled.',
}

const cancelReasons: Record<CancelReason, string> = {
  shopper: 'You cancelled it.',
  admin: 'The shop cancelled it.',
  'stock-refused': 'Some books sold out before we could hold them for you.',
  'payment-declined': 'The payment was declined.',
  'reservation-expired': 'The payment did not complete in time, so the books were released.',
}

/** Why an order was cancelled, with what it means for the money. */
export function cancelText(order: Order): string {
  const why = order.cancelReason ? cancelReasons[order.cancelReason] : 'It was cancelled.'
  const money =
    order.payment === 'refunded'
      ? ' Your payment was refunded.'
      : order.payment === 'captured'
        ? ' Your payment will be refunded.'
        : ' You were not charged.'
  return `${why}${money}`
}

/** A line stock was refused for, named: "“Dune”: sold out" or "“Dune”: only 1 left, you asked for 2". */
export function refusedLineText(line: RefusedLine, title: string): string {
  if (line.deleted) return `“${title}” is no longer sold.`
  if (line.available === 0) return `“${title}” sold out.`
  return `Only ${line.available} of “${title}” left; you asked for ${line.requested}.`
}

/** A shopper may cancel until the order ships (order-api's transitions). */
export const shopperMayCancel = (status: OrderStatus): boolean =>
  status === 'pending' || status === 'confirmed'

/** What an admin may move an order to from its status (order-api's transitions for the admin). */
export function adminMoves(status: OrderStatus): Array<'shipped' | 'delivered' | 'cancelled'> {
  switch (status) {
    case 'pending':
      return ['cancelled']
    case 'confirmed':
      return ['shipped', 'cancelled']
    case 'shipped':
      return ['delivered']
    default:
      return []
  }
}

const actors: Record<string, string> = { shopper: 'by you', admin: 'by the shop' }

/** One step of the order's history: "Placed by you", "Confirmed: payment captured", "Cancelled: ...". */
export function transitionText(transition: OrderTransition): string {
  const what = transition.from === null ? 'Placed' : statusLabels[transition.to]
  const reason =
    transition.reason === transition.actor
      ? undefined
      : transition.to === 'cancelled' && transition.reason && transition.reason in cancelReasons
        ? cancelReasons[transition.reason as CancelReason]
        : transition.reason
  const who = actors[transition.actor]
  return [what, who].filter(Boolean).join(' ') + (reason ? `: ${reason}` : '')
}

/** "Placed on 3 May 2031, 14:05", in the shopper's own format. */
export const formatWhen = (epochMs: number, locale?: string): string =>
  new Date(epochMs).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' })

/** Short, readable order number: the first block of the uuid. */
export const orderNumber = (orderId: string): string =>
  orderId
    .replace(/^order-/, '')
    .slice(0, 8)
    .toUpperCase()
