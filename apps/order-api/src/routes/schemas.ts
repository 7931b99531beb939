import { Order, OrderId, OrderPage, OrderStatus, UserId } from '@bookstore/events'
import { errorResponses } from '@bookstore/service-kit'
import { Type } from 'typebox'

export const CheckoutHeaders = Type.Object({
  'idempotency-key': Type.String({
    pattern: '^[A-Za-z0-9_.-]{1,128}$',
    description: 'Required: a retried checkout with the same key returns the same order',
  }),
})

export const CheckoutBody = Type.Object(
  {
    cartVersion: Type.Integer({
      minimum: 1,
      description: 'The cart version the shopper saw: the order is exactly that cart',
    }),
  },
  { additionalProperties: false },
)

export const OrderParams = Type.Object({ id: OrderId })

const Page = Type.Integer({ minimum: 1, maximum: 100_000, default: 1 })
const PageSize = Type.Integer({ minimum: 1, maximum: 100, default: 20 })

export const ListQuery = Type.Object({ page: Page, pageSize: PageSize }, { additionalProperties: false })
export const AdminListQuery = Type.Object(
  { status: Type.Optional(OrderStatus), userId: Type.Optional(UserId), page: Page, pageSize: PageSize },
  { additionalProperties: false },
)

export const CancelQuery = Type.Object(
  { expectedStatus: Type.Optional(OrderStatus) },
  { additionalProperties: false },
)
export const AdminMoveBody = Type.Object(
  {
    status: Type.Union([Type.Literal('shipped'), Type.Literal('delivered'), Type.Literal('cancelled')]),
    expectedStatus: Type.Optional(OrderStatus),
  },
  { additionalProperties: false },
)

export const security = [{ bearerAuth: [] }]
// The shapes a client reads live in packages/events (one schema for order-api and the web shop).
export { errorResponses, Order, OrderPage }
