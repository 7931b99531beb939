import { type Static, Type } from 'typebox'
import { BookId, ID_PATTERN, UserId } from './ids'

/** The e-mail queue and its parking lot (each its own hash tag: one Cluster slot per queue). */
export const emailQueueNames = {
  email: '{email}',
  /** Jobs whose last send attempt failed wait here, with no worker, for an admin (SPEC S3). */
  emailDeadLetter: '{email-dlq}',
} as const

const EmailAddress = Type.String({ format: 'email', maxLength: 320 })
const EpochMs = Type.Integer({ minimum: 0, description: 'Unix epoch milliseconds' })

/** One line of the cart, as the reminder lists it. */
export const ReminderLine = Type.Object({
  bookId: BookId,
  title: Type.String({ maxLength: 500 }),
  quantity: Type.Integer({ minimum: 1 }),
  unitPriceCents: Type.Integer({ minimum: 0 }),
  lineTotalCents: Type.Integer({ minimum: 0 }),
})
export type ReminderLine = Static<typeof ReminderLine>

/**
 * SPEC S1: "your cart is waiting". The job carries everything the e-mail shows, so the mail worker
 * needs no store but SMTP; the scheduler reads the cart and the address when it decides to remind.
 * One per abandonment: its job id is `abandonedCartJobId(email)`.
 */
export const AbandonedCartEmail = Type.Object({
  kind: Type.Literal('abandoned-cart'),
  to: EmailAddress,
  userId: UserId,
  cartVersion: Type.Integer({ minimum: 1 }),
  items: Type.Array(ReminderLine, { minItems: 1, maxItems: 500 }),
  totalCents: Type.Integer({ minimum: 0 }),
  itemCount: Type.Integer({ minimum: 1 }),
  /** Where the shopper finds the cart (the web shop's cart page). */
  cartUrl: Type.String({ format: 'uri', maxLength: 2000 }),
  /** When the cart was last changed. */
  idleSince: EpochMs,
})
export type AbandonedCartEmail = Static<typeof AbandonedCartEmail>

/** SPEC S3 (optional part): an alert for the operators, e.g. jobs were dead-lettered. */
export const OpsAlertEmail = Type.Object({
  kind: Type.Literal('ops-alert'),
  to: EmailAddress,
  alert: Type.String({ minLength: 1, maxLength: 100, description: 'Stable alert name' }),
  subject: Type.String({ minLength: 1, maxLength: 300 }),
  /** The alert's facts, one per line. */
  lines: Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 100 }),
  raisedAt: EpochMs,
})
export type OpsAlertEmail = Static<typeof OpsAlertEmail>

/** SPEC O2: "your order is confirmed", sent once per order (job id `orderConfirmedJobId`). */
export const OrderConfirmedEmail = Type.Object({
  kind: Type.Literal('order-confirmed'),
  to: EmailAddress,
  userId: UserId,
  orderId: Type.String({ pattern: ID_PATTERN }),
  lines: Type.Array(ReminderLine, { minItems: 1, maxItems: 500 }),
  totalCents: Type.Integer({ minimum: 0 }),
  itemCount: Type.Integer({ minimum: 1 }),
  /** Where the shopper finds the order (the web shop's order page). */
  orderUrl: Type.String({ format: 'uri', maxLength: 2000 }),
  confirmedAt: EpochMs,
})
export type OrderConfirmedEmail = Static<typeof OrderConfirmedEmail>

export const orderConfirmedJobId = (orderId: string) => `order-confirmed-${orderId}`

/** A job on the e-mail queue; the job name is its `kind`. */
export const EmailJob = Type.Union([AbandonedCartEmail, OpsAlertEmail, OrderConfirmedEmail])
export type EmailJob = Static<typeof EmailJob>

/**
 * One reminder per abandonment: an abandonment is the shopper's last change of the cart
 * (`idleSince`), not its version (a catalog change makes a new version but is not the shopper
 * coming back), so enqueuing the same abandonment twice adds nothing.
 */
export const abandonedCartJobId = (email: Pick<AbandonedCartEmail, 'userId' | 'idleSince'>) =>
  `abandoned-cart-${email.userId}-${email.idleSince}`
