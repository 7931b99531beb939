import { errorsOf } from '@bookstore/service-kit/domain-error'

/** Every code auth-api's domain refuses with; the statuses are declared at the edge (error-statuses.ts). */
export type AuthErrorCode =
  | 'INVALID_CREDENTIALS'
  | 'EMAIL_INVALID'
  | 'EMAIL_TAKEN'
  | 'PASSWORD_TOO_SHORT'
  | 'REFRESH_TOKEN_INVALID'
  | 'REFRESH_TOKEN_EXPIRED'
  | 'REFRESH_TOKEN_REVOKED'
  | 'REFRESH_TOKEN_REUSED'
  | 'SESSION_MAX_AGE_EXCEEDED'
  | 'USER_NOT_FOUND'
  | 'RATE_LIMITED'
  | 'REFRESH_TOKEN_MISSING'
  | 'CSRF_HEADER_MISSING'

const authError = errorsOf<AuthErrorCode>()

/** Every refusal auth-api gives, by stable code. */
export const authErrors = {
  /** One answer for "no such user" and "wrong password": no account enumeration (SPEC A2). */
  invalidCredentials: () => authError('INVALID_CREDENTIALS', 'The e-mail address or the password is wrong'),
  emailInvalid: () => authError('EMAIL_INVALID', 'This is not a valid e-mail address'),
  emailTaken: () => authError('EMAIL_TAKEN', 'An account with this e-mail address exists already'),
  passwordTooShort: (min: number) =>
    authError('PASSWORD_TOO_SHORT', `The password needs at least ${min} characters`, {
      minLength: min,
    }),
  refreshInvalid: () => authError('REFRESH_TOKEN_INVALID', 'The refresh token is not valid'),
  refreshExpired: () => authError('REFRESH_TOKEN_EXPIRED', 'The refresh token has expired: log in again'),
  refreshRevoked: () => authError('REFRESH_TOKEN_REVOKED', 'This session was logged out: log in again'),
  refreshReused: () =>
    authError(
      'REFRESH_TOKEN_REUSED',
      'This refresh token was used before; the session was revoked: log in again',
    ),
  sessionMaxAgeExceeded: () =>
    authError('SESSION_MAX_AGE_EXCEEDED', 'This session has reached its maximum age: log in again'),
  userGone: () => authError('USER_NOT_FOUND', 'The account no longer exists'),
  refreshMissing: () => authError('REFRESH_TOKEN_MISSING', 'Not logged in: no refresh cookie'),
  csrfHeaderMissing: (header: string) =>
    authError('CSRF_HEADER_MISSING', `Send the ${header} header with this request`),
  rateLimited: (retryAfterSeconds: number) =>
    authError('RATE_LIMITED', 'Too many attempts: retry later', { retryAfterSeconds }),
}
