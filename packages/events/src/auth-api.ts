import { type Static, Type } from 'typebox'
import { UserId } from './ids'

/** auth-api's answers (SPEC A1, A4): the routes' response schemas and the web shop's types. */

export const Role = Type.Union([Type.Literal('customer'), Type.Literal('admin')])
export type Role = Static<typeof Role>

export const Account = Type.Object({
  id: UserId,
  email: Type.String(),
  role: Role,
  createdAt: Type.String({ format: 'date-time' }),
})
export type Account = Static<typeof Account>

const accessTokenFields = {
  tokenType: Type.Literal('Bearer'),
  accessToken: Type.String({ description: 'JWT (EdDSA), send as Authorization: Bearer' }),
  expiresIn: Type.Integer({ description: 'Seconds until the access token expires' }),
}
const sessionFields = {
  refreshExpiresIn: Type.Integer({ description: 'Seconds until the refresh token expires' }),
  user: Type.Object({ id: UserId, role: Role }),
}

/** A log-in or refresh answer in body mode: the refresh token travels in the JSON. */
export const SessionResponse = Type.Object({
  ...accessTokenFields,
  refreshToken: Type.String({ description: 'Opaque; exchange at /auth/refresh, once' }),
  ...sessionFields,
})
export type SessionResponse = Static<typeof SessionResponse>

/**
 * The same answer in cookie mode (`/auth/session...`): the refresh token is only in an httpOnly
 * cookie, out of reach of page scripts, so the body has none.
 */
export const CookieSessionResponse = Type.Object({ ...accessTokenFields, ...sessionFields })
export type CookieSessionResponse = Static<typeof CookieSessionResponse>

/**
 * Cookie-mode refreshes and log-outs must carry this header: a cross-site form cannot set it, and
 * a cross-origin script cannot send it without a CORS preflight the apps do not grant.
 */
export const CSRF_HEADER = 'x-requested-with'
