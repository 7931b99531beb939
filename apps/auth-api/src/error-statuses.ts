import type { ErrorStatuses } from '@bookstore/service-kit'
import type { AuthErrorCode } from './domain/auth-errors'

/** The HTTP status of each code auth-api's domain raises. */
export const authErrorStatuses = {
  INVALID_CREDENTIALS: 401,
  EMAIL_INVALID: 400,
  EMAIL_TAKEN: 409,
  PASSWORD_TOO_SHORT: 400,
  REFRESH_TOKEN_INVALID: 401,
  REFRESH_TOKEN_EXPIRED: 401,
  REFRESH_TOKEN_REVOKED: 401,
  REFRESH_TOKEN_REUSED: 401,
  SESSION_MAX_AGE_EXCEEDED: 401,
  USER_NOT_FOUND: 401,
  RATE_LIMITED: 429,
  REFRESH_TOKEN_MISSING: 401,
  CSRF_HEADER_MISSING: 403,
} as const satisfies ErrorStatuses<AuthErrorCode>
