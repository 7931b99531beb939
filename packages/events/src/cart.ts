import { type Static, Type } from 'typebox'
import { BookId, UserId } from './ids'

const EpochMs = Type.Integer({ minimum: 0, description: 'Unix epoch milliseconds' })

export const CartItem = Type.Object({
  bookId: BookId,
  title: Type.String(),
  unitPriceCents: Type.Integer({ minimum: 0 }),
  quantity: Type.Integer({ minimum: 1 }),
  lineTotalCents: Type.Integer({ minimum: 0 }),
  addedAt: EpochMs,
  /**
   * Set by catalog propagation (SPEC B3): the unit price before the catalog last changed it, so
   * the shop can show "was X, now Y". Absent when the price never changed or changed back.
   */
  previousUnitPriceCents: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Set by catalog propagation (SPEC B5): the book has no stock left; checkout refuses the line. */
  outOfStock: Type.Optional(Type.Boolean()),
  /**
   * Set by catalog propagation (SPEC B5) when the line's quantity is above the book's stock: how
   * many copies are left (0 when out of stock); checkout refuses the line until it is lowered.
   */
  availableStock: Type.Optional(Type.Integer({ minimum: 0 })),
  /** The catalog version of the book this line last took its title, price and stock from. */
  bookVersion: Type.Optional(Type.Integer({ minimum: 0 })),
})
export type CartItem = Static<typeof CartItem>

/** The cart as the API returns it and as every event carries it (SPEC C1, RT1). */
export const Cart = Type.Object({
  userId: UserId,
  version: Type.Integer({ minimum: 0 }),
  items: Type.Array(CartItem),
  totalCents: Type.Integer({ minimum: 0 }),
  itemCount: Type.Integer({ minimum: 0 }),
  updatedAt: Type.Union([EpochMs, Type.Null()]),
})
export type Cart = Static<typeof Cart>

/** A cart line as the durable copy holds it: every field but the line total, which is derived. */
export const DurableCartItem = Type.Omit(CartItem, ['lineTotalCents'])
export type DurableCartItem = Static<typeof DurableCartItem>

/**
 * A cart's durable copy as PostgreSQL holds it (packages/cart-store reads it), in the form the
 * hydration script takes to restore the cart into Redis (SPEC C5).
 */
export const DurableCart = Type.Object({
  version: Type.Integer({ minimum: 0 }),
  updatedAt: Type.Union([EpochMs, Type.Null()]),
  items: Type.Array(DurableCartItem),
})
export type DurableCart = Static<typeof DurableCart>

export const CartOperation = Type.Union([
  Type.Literal('add-item'),
  Type.Literal('set-quantity'),
  Type.Literal('remove-item'),
  Type.Literal('clear'),
])
export type CartOperation = Static<typeof CartOperation>

/** The changes catalog propagation makes to a cart (SPEC B3-B5), one per catalog event type. */
export const CatalogCartOperation = Type.Union([
  Type.Literal('book-updated'),
  Type.Literal('book-deleted'),
  Type.Literal('book-stock-changed'),
])
export type CatalogCartOperation = Static<typeof CatalogCartOperation>

/** The change checkout makes to a cart: the purchased quantities leave it (SPEC O2). */
export const OrderCartOperation = Type.Literal('order-placed')
export type OrderCartOperation = Static<typeof OrderCartOperation>

/** What a catalog change did to one line of the cart: the shopper is told (SPEC B3-B5). */
export const CartNotice = Type.Union([
  Type.Object({
    kind: Type.Literal('price-changed'),
    bookId: BookId,
    title: Type.String(),
    fromCents: Type.Integer({ minimum: 0 }),
    toCents: Type.Integer({ minimum: 0 }),
  }),
  Type.Object({
    kind: Type.Literal('title-changed'),
    bookId: BookId,
    fromTitle: Type.String(),
    toTitle: Type.String(),
  }),
  Type.Object({ kind: Type.Literal('book-removed'), bookId: BookId, title: Type.String() }),
  Type.Object({ kind: Type.Literal('out-of-stock'), bookId: BookId, title: Type.String() }),
  Type.Object({
    kind: Type.Literal('stock-limited'),
    bookId: BookId,
    title: Type.String(),
    quantity: Type.Integer({ minimum: 1 }),
    availableStock: Type.Integer({ minimum: 0 }),
  }),
  Type.Object({
    kind: Type.Literal('back-in-stock'),
    bookId: BookId,
    title: Type.String(),
    availableStock: Type.Integer({ minimum: 0 }),
  }),
])
export type CartNotice = Static<typeof CartNotice>

/**
 * A cart whose version was moved past its PostgreSQL copy's, content unchanged: Redis came back
 * from an older snapshot (docs/persistence.md). Clients apply it like any change.
 */
export const VersionAdvancedOperation = Type.Literal('version-advanced')

/** Published (SPUBLISH, from inside the Lua script) on `cartKeys(userId).events` for every commit. */
export const CartChangedEvent = Type.Object({
  type: Type.Literal('cart.changed'),
  op: Type.Union([CartOperation, CatalogCartOperation, OrderCartOperation, VersionAdvancedOperation]),
  cart: Cart,
  /** Only on catalog changes: what changed, for the shopper (e.g. a price from X to Y). */
  notices: Type.Optional(Type.Array(CartNotice)),
})
export type CartChangedEvent = Static<typeof CartChangedEvent>

export const emptyCart = (userId: string, version = 0): Cart => ({
  userId,
  version,
  items: [],
  totalCents: 0,
  itemCount: 0,
  updatedAt: null,
})
