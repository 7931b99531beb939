import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { kitError } from './domain-error'
import type { AuthUser, TokenVerifier } from './token-verifier'

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller; set by the requireUser / requireAdmin hooks. */
    user: AuthUser
  }
  interface FastifyInstance {
    requireUser: (request: FastifyRequest) => Promise<void>
    requireAdmin: (request: FastifyRequest) => Promise<void>
  }
}

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization
  if (!header) throw kitError('AUTH_TOKEN_MISSING', 'Send an access token: Authorization: Bearer <token>')
  const [scheme, token] = header.split(' ')
  if (scheme?.toLowerCase() !== 'bearer' || !token) {
    throw kitError('AUTH_TOKEN_INVALID', 'The Authorization header must be: Bearer <token>')
  }
  return token
}

/** Gives every app `requireUser` and `requireAdmin` preHandlers (SPEC A3, A4, C6). */
export const authPlugin = fp(
  async (app: FastifyInstance, options: { verify: TokenVerifier }) => {
    app.decorateRequest('user', null as unknown as AuthUser)
    app.decorate('requireUser', async (request: FastifyRequest) => {
      request.user = await options.verify(bearerToken(request))
    })
    app.decorate('requireAdmin', async (request: FastifyRequest) => {
      request.user = await options.verify(bearerToken(request))
      if (request.user.role !== 'admin') throw kitError('FORBIDDEN', 'This needs the admin role')
    })
  },
  { name: 'auth' },
)
