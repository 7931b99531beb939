import type { KitErrorCode } from './domain-error'

/** The statuses an expected failure may be answered with (anything else is a 500 that hides internals). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 502 | 503 | 504

/**
 * An app's code-to-status table, declared once at its edge and given to `servicePlugin`. Written
 * `satisfies ErrorStatuses<MyErrorCode>`, the compiler refuses a code of the app's union without
 * a status and a status for a code the app never raises; the kit's own codes are left out.
 */
export type ErrorStatuses<Code extends string = string> = Readonly<
  Record<Exclude<Code, KitErrorCode>, ErrorStatus>
>

export const kitErrorStatuses = {
  AUTH_TOKEN_MISSING: 401,
  AUTH_TOKEN_INVALID: 401,
  AUTH_TOKEN_EXPIRED: 401,
  FORBIDDEN: 403,
  STORE_UNAVAILABLE: 503,
  DEAD_LETTER_NOT_FOUND: 404,
  INVALID_TEXT: 400,
} as const satisfies Record<KitErrorCode, ErrorStatus>
