import { ErrorResponse } from '@bookstore/events'
import { Check } from 'typebox/value'

/** A refused or failed request, with the app's stable code (or NETWORK_ERROR / HTTP_<status>). */
export class ApiError extends Error {
  override name = 'ApiError'

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly retryAfterSeconds?: number,
  ) {
    super(message)
  }
}

export const isApiError = (error: unknown, code?: string): error is ApiError =>
  error instanceof ApiError && (code === undefined || error.code === code)

/** The error body every app sends (packages/events), or a plain one when a proxy answered instead. */
export async function apiErrorOf(response: Response): Promise<ApiError> {
  const retryAfter = Number(response.headers.get('retry-after'))
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined
  let body: unknown
  try {
    body = await response.json()
  } catch {
    body = undefined
  }
  if (Check(ErrorResponse, body)) {
    const { code, message, details } = body.error
    return new ApiError(response.status, code, message, details, retryAfterSeconds)
  }
  return new ApiError(
    response.status,
    `HTTP_${response.status}`,
    response.status >= 500 ? 'The shop cannot be reached right now' : 'The request was refused',
    {},
    retryAfterSeconds,
  )
}

export const networkError = () =>
  new ApiError(0, 'NETWORK_ERROR', 'No connection to the shop: check your network and try again')
