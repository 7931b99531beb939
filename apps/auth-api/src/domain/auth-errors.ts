import { AppError } from '@bookstore/service-kit'

/** Every refusal auth-api gives, by stable code. */
export const authErrors = {
  /** One answer for "no such user" and "wrong password": no account enumeration (SPEC A2). */
  invalidCredentials: () =>
    new AppError(401, 'INVALID_CREDENTIALS', 'The e-mail address or the password is wrong'),
  emailInvalid: () => new AppError(400, 'EMAIL_INVALID', 'This is not a valid e-mail address'),
  emailTaken: () => new AppError(409, 'EMAIL_TAKEN', 'An account with this e-mail address exists already'),
  passwordTooShort: (min: number) =>
    new AppError(400, 'PASSWORD_TOO_SHORT', `The password needs at least ${min} characters`, {
      minLength: min,
    }),
  refreshInvalid: () => new AppError(401, 'REFRESH_TOKEN_INVALID', 'The refresh token is not valid'),
  refreshExpired: () =>
    new AppError(401, 'REFRESH_TOKEN_EXPIRED', 'The refresh token has expired: log in again'),
  refreshRevoked: () =>
    new AppError(401, 'REFRESH_TOKEN_REVOKED', 'This session was logged out: log in again'),
  refreshReused: () =>
    new AppError(
      401,
      'REFRESH_TOKEN_REUSED',
      'This refresh token was used before; the session was revoked: log in again',
    ),
  userGone: () => new AppError(401, 'USER_NOT_FOUND', 'The account no longer exists'),
  rateLimited: (retryAfterSeconds: number) =>
    new AppError(429, 'RATE_LIMITED', 'Too many attempts: retry later', { retryAfterSeconds }),
}
