import { DomainError, kitError, kitErrorStatuses, type TokenVerifier } from '@bookstore/service-kit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ADMIN_COOKIE, cookieValue, loginRedirect, wantsPage } from '../domain/admin-cookie'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * An onRequest hook for the admin tools: an admin's token from the Authorization header or the
     * admin cookie. A browser without one asking for a page is sent to log in; anything else is
     * refused (401 no or bad token, 403 not an admin). Never open.
     */
    requireAdminSession: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (header !== undefined) {
    const [scheme, token] = header.split(' ')
    if (scheme?.toLowerCase() !== 'bearer' || !token)
      throw kitError('AUTH_TOKEN_INVALID', 'The Authorization header must be: Bearer <token>')
    return token
  }
  return cookieValue(request.headers.cookie, ADMIN_COOKIE)
}

/**
 * The refusal, answered here rather than thrown: Bull Board's routes have an error handler of their
 * own, which would turn it into a 500. Same shape and statuses as the kit's error handler.
 */
function refuse(request: FastifyRequest, reply: FastifyReply, error: DomainError) {
  const status = (kitErrorStatuses as Record<string, number>)[error.code] ?? 401
  return reply
    .status(status)
    .send({ error: { code: error.code, message: error.message }, requestId: request.id })
}

export const adminSessionPlugin = fp(
  async (app: FastifyInstance, options: { verify: TokenVerifier; loginPath: string }) => {
    app.decorate('requireAdminSession', async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        const token = tokenOf(request)
        if (token === undefined)
          throw kitError('AUTH_TOKEN_MISSING', 'The admin tools need an admin session: log in as an admin')
        request.user = await options.verify(token)
      } catch (error) {
        if (!(error instanceof DomainError)) throw error
        if (wantsPage(request.method, request.headers.accept))
          return reply.redirect(loginRedirect(options.loginPath, request.url), 302)
        return refuse(request, reply, error)
      }
      if (request.user.role !== 'admin')
        return refuse(request, reply, kitError('FORBIDDEN', 'The admin tools need the admin role'))
    })
  },
  { name: 'admin-session', dependencies: ['auth'] },
)
