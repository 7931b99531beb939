import { UserId } from '@bookstore/events'
import { errorResponses } from '@bookstore/service-kit'
import { Type } from 'typebox'

// Lengths are bounded here (a request never makes argon2 hash a megabyte); the rules with
// their own error codes (e-mail form, password length) are checked by the domain.
const Email = Type.String({ minLength: 1, maxLength: 254, description: 'Compared case-insensitively' })
const Password = Type.String({ minLength: 1, maxLength: 256 })
const RefreshToken = Type.String({ minLength: 1, maxLength: 256, description: 'Opaque; single use' })

export const Credentials = Type.Object({ email: Email, password: Password }, { additionalProperties: false })
export const RefreshBody = Type.Object({ refreshToken: RefreshToken }, { additionalProperties: false })

const RoleSchema = Type.Union([Type.Literal('customer'), Type.Literal('admin')])

export const UserResponse = Type.Object({
  id: UserId,
  email: Type.String(),
  role: RoleSchema,
  createdAt: Type.String({ format: 'date-time' }),
})

export const SessionResponse = Type.Object({
  tokenType: Type.Literal('Bearer'),
  accessToken: Type.String({ description: 'JWT (EdDSA), send as Authorization: Bearer' }),
  expiresIn: Type.Integer({ description: 'Seconds until the access token expires' }),
  refreshToken: Type.String({ description: 'Opaque; exchange at /auth/refresh, once' }),
  refreshExpiresIn: Type.Integer({ description: 'Seconds until the refresh token expires' }),
  user: Type.Object({ id: UserId, role: RoleSchema }),
})

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
