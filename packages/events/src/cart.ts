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

export const CartOperation = Type.Union([
  Type.Literal('add-item'),
  Type.Literal('set-quantity'),
  Type.Literal('remove-item'),
  Type.Literal('clear'),
])
export type CartOperation = Static<typeof CartOperation>

/** Published (SPUBLISH, from inside the Lua script) on `cartKeys(userId).events` for every commit. */
export const CartChangedEvent = Type.Object({
  type: Type.Literal('cart.changed'),
  op: CartOperation,
  cart: Cart,
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
