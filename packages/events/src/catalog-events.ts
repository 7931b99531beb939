import { type Static, Type } from 'typebox'
import { BookStatus } from './book-read-model'
import { BookId } from './ids'

/** The catalog events queue (its own hash tag, like every queue: one Cluster slot per queue). */
export const catalogQueueNames = {
  catalogEvents: '{catalog-events}',
} as const

/**
 * ZSET: the users whose cart may hold this book (member: userId, score: epoch ms of the last add
 * of this book to that cart). A superset: cart-api sends the member's ZADD before its add-item
 * script, so no cart holding the book is missing by the time the second sweep runs; catalog propagation prunes members whose cart no longer
 * holds the book (only when their last add is old, see docs/catalog.md). The hash tag is the
 * book's: the index lives in the book's slot, never in a cart script.
 */
export const bookCartsKey = (bookId: string) => `book-carts:{${bookId}}`

/** The fields of a book that carts copy or depend on, as one catalog event carries them. */
export const CatalogBookState = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 500 }),
  priceCents: Type.Integer({ minimum: 0 }),
  stock: Type.Integer({ minimum: 0 }),
  status: BookStatus,
})
export type CatalogBookState = Static<typeof CatalogBookState>

export const CatalogEventType = Type.Union([
  Type.Literal('book.created'),
  Type.Literal('book.updated'),
  Type.Literal('book.deleted'),
  Type.Literal('book.stock-changed'),
])
export type CatalogEventType = Static<typeof CatalogEventType>

/**
 * One committed catalog change (SPEC B3-B5), written to book-api's outbox in the same PostgreSQL
 * transaction as the change and relayed to the catalog events queue (job id: `catalog-<eventId>`).
 * `bookVersion` increases with every change of the book, so consumers can ignore older states.
 */
export const CatalogEvent = Type.Object({
  eventId: Type.Integer({ minimum: 1, description: 'The outbox row id' }),
  type: CatalogEventType,
  bookId: BookId,
  bookVersion: Type.Integer({ minimum: 1 }),
  occurredAt: Type.Integer({ minimum: 0, description: 'Epoch ms of the PostgreSQL commit' }),
  before: Type.Union([CatalogBookState, Type.Null()]),
  after: CatalogBookState,
})
export type CatalogEvent = Static<typeof CatalogEvent>

/**
 * A job on the catalog events queue: the event, and which sweep over the book's carts this is.
 * Sweep 1 runs at once; sweep 2 runs again after cart-api's book cache has expired, to correct a
 * cart that added the book with the old state while sweep 1 ran.
 */
export const CatalogEventJob = Type.Object({
  event: CatalogEvent,
  sweep: Type.Union([Type.Literal(1), Type.Literal(2)]),
})
export type CatalogEventJob = Static<typeof CatalogEventJob>

export const catalogJobId = (eventId: number, sweep: 1 | 2) =>
  sweep === 1 ? `catalog-${eventId}` : `catalog-${eventId}-sweep-2`
