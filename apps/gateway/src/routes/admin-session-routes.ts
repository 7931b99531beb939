import { errorResponses } from '@bookstore/service-kit'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { adminCookies, adminToolPaths } from '../domain/admin-cookie'
import { GATEWAY_TAG } from '../domain/openapi-merge'

export interface AdminSessionRoutesOptions {
  ttlSeconds: number
  cookieSecure: 'auto' | 'always'
}

const SessionAnswer = Type.Object({
  expiresAt: Type.String({ format: 'date-time' }),
  paths: Type.Array(Type.String()),
})

/** Seconds until the token in the Authorization header expires (it was verified just before). */
function secondsLeft(request: FastifyRequest): number {
  const token = (request.headers.authorization ?? '').split(' ')[1] ?? ''
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString())
    const exp = (payload as { exp?: unknown }).exp
    return typeof exp === 'number' ? exp - Math.floor(Date.now() / 1000) : 0
  } catch {
    return 0
  }
}

/**
 * POST /admin/session: the admin's bearer token becomes the admin tools' cookie (docs/gateway.md),
 * so the shop's admin page can open Bull Board and Swagger UI in the browser. It needs the token in
 * the Authorization header, never the cookie, so another site cannot make a browser ask for one.
 * DELETE /admin/session clears it (log-out).
 */
export async function adminSessionRoutes(app: FastifyInstance, options: AdminSessionRoutesOptions) {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>()
  const secure = (request: FastifyRequest) =>
    options.cookieSecure === 'always' || request.protocol === 'https'
  app.addHook('onRequest', app.limitRequest)

  routes.post(
    '/admin/session',
    {
      preHandler: app.requireAdmin,
      schema: {
        summary: 'Open the admin tools (Bull Board, Swagger UI) in this browser with an admin token',
        tags: [GATEWAY_TAG],
        security: [{ bearerAuth: [] }],
        response: { 200: SessionAnswer, ...errorResponses(401, 403, 429) },
      },
    },
    async (request, reply) => {
      const token = (request.headers.authorization ?? '').split(' ')[1] ?? ''
      const maxAge = Math.min(options.ttlSeconds, secondsLeft(request))
      reply.header('set-cookie', adminCookies(token, { maxAgeSeconds: maxAge, secure: secure(request) }))
      reply.header('cache-control', 'no-store')
      return { expiresAt: new Date(Date.now() + maxAge * 1000).toISOString(), paths: [...adminToolPaths] }
    },
  )

  routes.delete(
    '/admin/session',
    {
      schema: {
        summary: 'Close the admin tools in this browser',
        tags: [GATEWAY_TAG],
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      reply.header('set-cookie', adminCookies('', { maxAgeSeconds: 0, secure: secure(request) }))
      return reply.status(204).send(null)
    },
  )
}
