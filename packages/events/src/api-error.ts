import { type Static, Type } from 'typebox'

/**
 * The body of every 4xx/5xx answer of every app (SPEC E1): the apps send it, the web shop reads
 * it. `code` is what a client branches on; `message` is for people.
 */
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
export type ErrorResponse = Static<typeof ErrorResponse>
