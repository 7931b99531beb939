import type { KeyObject } from 'node:crypto'
import { DomainError } from '@bookstore/service-kit'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Counter } from 'prom-client'
import type { AuthApiConfig } from '../config'
import { cookieSessionRoutes } from './cookie-session-routes'
import { jwksSchema, loginSchema, logoutSchema, meSchema, refreshSchema, registerSchema } from './schemas'

/**
 * Everything under /auth (SPEC A1). The refresh token travels in the JSON body, or in cookie mode
 * (/auth/session...) in an httpOnly cookie (docs/auth.md).
 */
export async function authRoutes(
  app: FastifyInstance,
  options: { publicKeys: ReadonlyMap<string, KeyObject>; config: AuthApiConfig },
) {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>()
  // Tokens must never be cached by a browser or a proxy.
  routes.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store')
  })

  const refusals = new Counter({
    name: 'auth_refusals_total',
    help: 'Refused auth requests by code (REFRESH_TOKEN_REUSED: a stolen-token alarm)',
    labelNames: ['code'],
    registers: [app.metrics],
  })
  // A 429 says when to come back (the error handler sends the body; headers set here stay).
  routes.addHook('onError', async (request, reply, error) => {
    if (!(error instanceof DomainError)) return
    refusals.inc({ code: error.code })
    const retryAfter = error.details?.retryAfterSeconds
    if (error.code === 'RATE_LIMITED' && typeof retryAfter === 'number')
      reply.header('retry-after', String(retryAfter))
    if (error.code === 'REFRESH_TOKEN_REUSED')
      request.log.warn({ code: error.code }, 'refresh token reused: its session was revoked')
  })

  routes.post('/auth/register', { schema: registerSchema }, async (request, reply) => {
    const user = await app.auth.register(request.body, request.ip)
    return reply.status(201).send(user)
  })

  routes.post('/auth/login', { schema: loginSchema }, (request) => app.auth.login(request.body, request.ip))

  routes.post('/auth/refresh', { schema: refreshSchema }, (request) =>
    app.auth.refresh(request.body.refreshToken),
  )

  routes.post('/auth/logout', { schema: logoutSchema }, async (request, reply) => {
    await app.auth.logout(request.body.refreshToken)
    return reply.status(204).send(null)
  })

  routes.get('/auth/me', { schema: meSchema, preHandler: app.requireUser }, (request) =>
    app.auth.me(request.user.id),
  )

  const jwks = {
    keys: [...options.publicKeys].map(([kid, key]) => {
      const { kty = '', crv = '', x = '', y } = key.export({ format: 'jwk' })
      return {
        kid,
        kty,
        crv,
        x,
        ...(y ? { y } : {}),
        alg: kty === 'OKP' ? 'EdDSA' : 'ES256',
        use: 'sig' as const,
      }
    }),
  }
  routes.get('/auth/jwks.json', { schema: jwksSchema }, async () => jwks)

  // The cookie mode for browsers, under the same no-store and refusal-counting hooks.
  await routes.register(cookieSessionRoutes, { config: options.config })
}
