import { randomUUID } from 'node:crypto'
import {
  type BookReadModel,
  type Cart,
  type CartItem,
  cartKeys,
  type HashStore,
  type Order,
  type OrderLine,
  readBookReadModel,
  type StockLine,
} from '@bookstore/events'
import { orderError } from './order-errors'
import type { OrderStore } from './order-store'
import type { OrderRow } from './order-view'

export interface CartReader extends HashStore {
  get(key: string): Promise<string | null>
}

export interface CheckoutDeps {
  store: OrderStore
  redis: CartReader
  /** Asks book-api to hold the order's stock (the saga's first step); fails fast. */
  requestReservation: (order: OrderRow, lines: StockLine[]) => Promise<void>
  view: (row: OrderRow) => Promise<Order>
  /** Announces the new order (its first state) on the shopper's order channel. */
  announce: (order: Order) => Promise<void>
  reservationTtlMs: number
  now?: () => number
}

export interface CheckoutRequest {
  userId: string
  idempotencyKey: string
  cartVersion: number
}

export interface CheckoutResult {
  order: Order
  /** The key had made this order before: nothing new happened. */
  replayed: boolean
}

/** What book-api holds for a line: its book and quantity. */
export const stockLineOf = ({ bookId, quantity }: { bookId: string; quantity: number }): StockLine => ({
  bookId,
  quantity,
})

/** A cart line as a 409 names it: enough for the shop to show what changed. */
const named = (item: CartItem) => ({ bookId: item.bookId, title: item.title, quantity: item.quantity })

async function readCart(
  redis: CartReader,
  userId: string,
): Promise<{ cart: Cart | undefined; version: number }> {
  const keys = cartKeys(userId)
  const raw = await redis.get(keys.cart)
  if (raw) {
    const cart = JSON.parse(raw) as Cart
    return { cart, version: cart.version }
  }
  return { cart: undefined, version: Number((await redis.get(keys.version)) ?? 0) }
}

/** Why each line cannot be sold as it is: deleted, out of stock, or more than what is left. */
function unavailableLines(items: CartItem[], books: (BookReadModel | undefined)[]) {
  return items.flatMap((item, index) => {
    const book = books[index]
    if (book?.status !== 'active') return [{ ...named(item), reason: 'deleted', available: 0 }]
    const available = book.stock
    if (item.outOfStock || available === 0) return [{ ...named(item), reason: 'out-of-stock', available }]
    if (item.availableStock !== undefined || item.quantity > available)
      return [{ ...named(item), reason: 'stock-limited', available }]
    return []
  })
}

/**
 * POST /checkout (SPEC O1): the order is exactly the cart at the version the shopper saw, at the
 * cart's prices, re-validated against the book read model. Any refusal happens before anything
 * is written or reserved; the new order is pending and its reservation requested from book-api.
 */
export async function checkout(deps: CheckoutDeps, request: CheckoutRequest): Promise<CheckoutResult> {
  const now = deps.now ?? Date.now
  const { store } = deps
  const existing = await store.findByIdempotencyKey(request.userId, request.idempotencyKey)
  if (existing) return replay(deps, existing, request)

  const { cart, version } = await readCart(deps.redis, request.userId)
  if (!cart || version !== request.cartVersion)
    throw orderError('CART_CHANGED', 'The cart changed since it was shown: look at it again', {
      cartVersion: request.cartVersion,
      currentVersion: version,
      lines: (cart?.items ?? []).map((item) => ({
        ...named(item),
        unitPriceCents: item.unitPriceCents,
        ...(item.previousUnitPriceCents !== undefined && {
          previousUnitPriceCents: item.previousUnitPriceCents,
        }),
      })),
    })
  if (cart.items.length === 0) throw orderError('CART_EMPTY', 'The cart is empty', { cartVersion: version })

  const books = await Promise.all(cart.items.map((item) => readBookReadModel(deps.redis, item.bookId)))
  const unavailable = unavailableLines(cart.items, books)
  if (unavailable.length > 0)
    throw orderError('CHECKOUT_LINE_UNAVAILABLE', 'Some books cannot be sold as they are in the cart', {
      lines: unavailable,
    })
  const repriced = cart.items.flatMap((item, index) => {
    const priceCents = books[index]?.priceCents
    return priceCents === undefined || priceCents === item.unitPriceCents
      ? []
      : [{ ...named(item), fromCents: item.unitPriceCents, toCents: priceCents }]
  })
  if (repriced.length > 0)
    throw orderError('CHECKOUT_PRICE_CHANGED', 'Some prices changed since the cart was shown', {
      lines: repriced,
    })

  const lines: OrderLine[] = cart.items.map((item) => ({
    bookId: item.bookId,
    title: item.title,
    unitPriceCents: item.unitPriceCents,
    quantity: item.quantity,
    lineTotalCents: item.unitPriceCents * item.quantity,
  }))
  const { row, created, order } = await store.insert({
    id: `order-${randomUUID()}`,
    userId: request.userId,
    idempotencyKey: request.idempotencyKey,
    cartVersion: version,
    lines,
    totalCents: cart.totalCents,
    itemCount: cart.itemCount,
    reservationExpiresAt: new Date(now() + deps.reservationTtlMs),
  })
  if (!created || !order) return replay(deps, row, request)
  await deps.requestReservation(row, lines.map(stockLineOf))
  await deps.announce(order)
  return { order, replayed: false }
}

/**
 * The same key again: the same order, as it is now. A pending order whose reservation was never
 * answered has its request sent again (the first send may have failed after the order was
 * written); book-api holds stock once per order id, so this never holds twice.
 */
async function replay(deps: CheckoutDeps, row: OrderRow, request: CheckoutRequest): Promise<CheckoutResult> {
  if (row.cartVersion !== request.cartVersion)
    throw orderError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for another checkout', {
      cartVersion: row.cartVersion,
    })
  if (row.status === 'pending' && row.reservation === 'requested')
    await deps.requestReservation(row, (await deps.store.lines(row.id)).map(stockLineOf))
  return { order: await deps.view(row), replayed: true }
}
