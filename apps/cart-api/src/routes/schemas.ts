import { BookId, Cart, UserId } from '@bookstore/events'
import { errorResponses } from '@bookstore/service-kit'
import { Type } from 'typebox'

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_.-]{1,128}$',
      description: 'Makes a retried mutation safe: the same key and request give the same answer once',
    }),
  ),
})

const Quantity = Type.Integer({ minimum: 1, maximum: 10_000 })

export const AddItemBody = Type.Object(
  { bookId: BookId, quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1 })) },
  { additionalProperties: false },
)
export const SetQuantityBody = Type.Object({ quantity: Quantity }, { additionalProperties: false })
export const BookParams = Type.Object({ bookId: BookId })
export const UserParams = Type.Object({ userId: UserId })

export const CartTotal = Type.Object({
  version: Type.Integer(),
  totalCents: Type.Integer(),
  itemCount: Type.Integer(),
})

const security = [{ bearerAuth: [] }]

/** Schema of a cart mutation route: the cart on success, typed errors otherwise. */
export const mutationSchema = (summary: string, errorCodes: number[]) => ({
  summary,
  tags: ['cart'],
  security,
  headers: IdempotencyHeaders,
  response: { 200: Cart, ...errorResponses(400, 401, 503, ...errorCodes) },
})

export const readSchema = <T extends object>(summary: string, response: T) => ({
  summary,
  tags: ['cart'],
  security,
  response: { 200: response, ...errorResponses(401, 503) },
})
