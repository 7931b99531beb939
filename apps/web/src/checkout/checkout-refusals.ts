import { ApiError } from '../api/api-error'
import { formatMoney } from '../format/money'

/** What the shop says about a checkout that did not go through, and what the shopper can do next. */
export interface CheckoutRefusal {
  /** The headline, read out first (role=alert). */
  message: string
  /** One sentence per line of the cart it is about, naming the book. */
  lines: string[]
  /**
   * The refusal is about the cart as it was reviewed: nothing was ordered, and the shopper has to
   * look at the cart again (a new attempt, a new Idempotency-Key).
   */
  reviewAgain: boolean
  /** Nothing definite came back (no connection, the shop busy): the same attempt may be sent again. */
  retrySame: boolean
}

interface NamedLine {
  title: string
  quantity: number | undefined
  record: Record<string, unknown>
}

/** The lines a 409 of order-api names (details.lines), each with its title; anything else skipped. */
function namedLines(details: Record<string, unknown>): NamedLine[] {
  const lines = Array.isArray(details.lines) ? details.lines : []
  return lines.flatMap((line: unknown) => {
    if (typeof line !== 'object' || line === null) return []
    const record = line as Record<string, unknown>
    if (typeof record.title !== 'string') return []
    return [
      {
        title: record.title,
        quantity: typeof record.quantity === 'number' ? record.quantity : undefined,
        record,
      },
    ]
  })
}

const cents = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined)

function unavailableText(line: NamedLine): string {
  const available = cents(line.record.available) ?? 0
  switch (line.record.reason) {
    case 'deleted':
      return `“${line.title}” is no longer sold: remove it from your cart.`
    case 'out-of-stock':
      return `“${line.title}” is out of stock: remove it from your cart.`
    default:
      return `Only ${available} of “${line.title}” left${
        line.quantity !== undefined ? `; your cart has ${line.quantity}` : ''
      }: lower the quantity.`
  }
}

/** order-api's refusals of POST /checkout (docs/orders.md) in the shopper's words, by their codes. */
export function checkoutRefusal(error: unknown, locale?: string): CheckoutRefusal {
  const money = (value: number) => formatMoney(value, locale)
  if (!(error instanceof ApiError))
    return {
      message: 'Something went wrong while placing your order. Try again: you will not be charged twice.',
      lines: [],
      reviewAgain: false,
      retrySame: true,
    }
  const lines = namedLines(error.details)
  switch (error.code) {
    case 'CART_CHANGED':
      return {
        message:
          'Your cart changed since you reviewed it (on another tab or device, or by the shop). Nothing was ordered: review it again.',
        lines: [],
        reviewAgain: true,
        retrySame: false,
      }
    case 'CHECKOUT_PRICE_CHANGED':
      return {
        message: 'Some prices changed since you reviewed your cart. Nothing was ordered.',
        lines: lines.map((line) => {
          const from = cents(line.record.fromCents)
          const to = cents(line.record.toCents)
          return from !== undefined && to !== undefined
            ? `The price of “${line.title}” changed from ${money(from)} to ${money(to)}.`
            : `The price of “${line.title}” changed.`
        }),
        reviewAgain: true,
        retrySame: false,
      }
    case 'CHECKOUT_LINE_UNAVAILABLE':
      return {
        message: 'Some books cannot be sold as they are in your cart. Nothing was ordered.',
        lines: lines.map(unavailableText),
        reviewAgain: true,
        retrySame: false,
      }
    case 'CART_EMPTY':
      return {
        message: 'Your cart is empty: there is nothing to order.',
        lines: [],
        reviewAgain: true,
        retrySame: false,
      }
    case 'IDEMPOTENCY_KEY_REUSED':
      return {
        message: 'This checkout was already used for another version of your cart. Review your cart again.',
        lines: [],
        reviewAgain: true,
        retrySame: false,
      }
    case 'NETWORK_ERROR':
      return {
        message:
          'No connection to the shop: we do not know whether your order was placed. Try again: it will not be placed twice.',
        lines: [],
        reviewAgain: false,
        retrySame: true,
      }
    default:
      if (error.status === 429 || error.status >= 500)
        return {
          message: 'The shop is busy right now. Try again in a moment: your order will not be placed twice.',
          lines: [],
          reviewAgain: false,
          retrySame: true,
        }
      return { message: error.message, lines: [], reviewAgain: true, retrySame: false }
  }
}
