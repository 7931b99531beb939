import { Account, CookieSessionResponse, CSRF_HEADER, SessionResponse } from '@bookstore/events'
import { errorResponses } from '@bookstore/service-kit'
import { Type } from 'typebox'

// Lengths are bounded here (a request never makes argon2 hash a megabyte); the rules with
// their own error codes (e-mail form, password length) are checked by the domain.
const Email = Type.String({ minLength: 1, maxLength: 254, description: 'Compared case-insensitively' })
const Password = Type.String({ minLength: 1, maxLength: 256 })
const RefreshToken = Type.String({ minLength: 1, maxLength: 256, description: 'Opaque; single use' })

export const Credentials = Type.Object({ email: Email, password: Password }, { additionalProperties: false })
export const RefreshBody = Type.Object({ refreshToken: RefreshToken }, { additionalProperties: false })

// The answers a client reads live in packages/events (one schema for auth-api and the web shop).
export const UserResponse = Account
export { SessionResponse }

export const Jwks = Type.Object({
  keys: Type.Array(
    Type.Object(
      {
        kid: Type.String(),
        kty: Type.String(),
        crv: Type.String(),
        x: Type.String(),
        y: Type.Optional(Type.String()),
        alg: Type.String(),
        use: Type.Literal('sig'),
      },
      { additionalProperties: false },
    ),
  ),
})

const tags = ['auth']
export const registerSchema = {
  summary: 'Create a customer account',
  tags,
  body: Credentials,
  response: { 201: UserResponse, ...errorResponses(400, 409, 413, 415, 429, 503) },
}
export const loginSchema = {
  summary: 'Log in: an access token and a refresh token',
  tags,
  body: Credentials,
  response: { 200: SessionResponse, ...errorResponses(400, 401, 413, 415, 429, 503) },
}
export const refreshSchema = {
  summary: 'Exchange a refresh token for a new pair (the old one is spent)',
  tags,
  body: RefreshBody,
  response: { 200: SessionResponse, ...errorResponses(400, 401, 413, 415, 503) },
}
export const logoutSchema = {
  summary: 'Log out: revokes every refresh token of this session',
  tags,
  body: RefreshBody,
  response: { 204: Type.Null(), ...errorResponses(400, 413, 415, 503) },
}
export const meSchema = {
  summary: 'The logged-in account',
  tags,
  security: [{ bearerAuth: [] }],
  response: { 200: UserResponse, ...errorResponses(401, 503) },
}
export const jwksSchema = {
  summary: 'The public keys access tokens are verified with (JWKS)',
  tags,
  response: { 200: Jwks },
}

// Cookie mode (the web shop): the same operations, the refresh token in an httpOnly cookie only.
const csrfHeaders = Type.Object({
  [CSRF_HEADER]: Type.Optional(Type.String({ description: 'Required (any value): refused without it' })),
})
export const sessionLoginSchema = {
  summary: 'Log in (cookie mode): the access token in the body, the refresh token in an httpOnly cookie',
  tags,
  body: Credentials,
  response: { 200: CookieSessionResponse, ...errorResponses(400, 401, 413, 415, 429, 503) },
}
export const sessionRefreshSchema = {
  summary: 'Exchange the refresh cookie for a new access token and cookie (the old one is spent)',
  tags,
  headers: csrfHeaders,
  response: { 200: CookieSessionResponse, ...errorResponses(401, 403, 503) },
}
export const sessionLogoutSchema = {
  summary: 'Log out (cookie mode): revokes the session of the refresh cookie and clears it',
  tags,
  headers: csrfHeaders,
  response: { 204: Type.Null(), ...errorResponses(403, 503) },
}
