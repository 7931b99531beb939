import { Type } from 'typebox'

/** The body of every 4xx/5xx answer of every app: one schema, in packages/events. */
export { ErrorResponse } from '@bookstore/events'

export const errorResponses = (...statusCodes: number[]) =>
  Object.fromEntries(statusCodes.map((status) => [status, Type.Ref('ErrorResponse')]))
