import { Type } from 'typebox'

/** The body of every 4xx/5xx answer of every app. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code, e.g. CART_OUT_OF_STOCK' }),
      message: Type.String(),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
    requestId: Type.String(),
  },
  { $id: 'ErrorResponse' },
)

export const errorResponses = (...statusCodes: number[]) =>
  Object.fromEntries(statusCodes.map((status) => [status, Type.Ref('ErrorResponse')]))
