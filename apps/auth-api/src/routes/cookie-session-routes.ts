import { CSRF_HEADER } from '@bookstore/events'
import { DomainError } from '@bookstore/service-kit/domain-error'
import fastifyCookie from '@fastify/cookie'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AuthApiConfig } from '../config'
import { authErrors } from '../domain/auth-errors'
import { authErrorStatuses } from '../error-statuses'
import { sessionLoginSchema, sessionLogoutSchema, sessionRefreshSchema } from './schemas'

export const REFRESH_COOKIE = 'bookstore_refresh'

const statusOf: Readonly<Record<string, number>> = authErrorStatuses
/** A refusal that ends the session (401): the token the cookie holds is of no use any more. */
const refusesSession = (code: string) => statusOf[code] === 401

type Session = Awaited<ReturnType<FastifyInstance['auth']['login']>>

/**
 * Cookie mode of log-in, refresh and log-out (docs/auth.md), for browsers: the refresh token lives
 * only in an httpOnly, SameSite=Strict cookie scoped to these routes, so page scripts never see it;
 * the access token is in the body, for the page to keep in memory. The same rows and rotation as the
 * body mode, which stays for every other client: only the transport differs.
 */
export async function cookieSessionRoutes(
  app: FastifyInstance,
  options: { config: Pick<AuthApiConfig, 'REFRESH_COOKIE_PATH' | 'REFRESH_COOKIE_SECURE'> },
) {
  const { config } = options
  await app.register(fastifyCookie)
  const routes = app.withTypeProvider<TypeBoxTypeProvider>()
  const path = config.REFRESH_COOKIE_PATH
  const cookieOptions = {
    path,
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: config.REFRESH_COOKIE_SECURE === 'always' ? true : ('auto' as const),
  }

  function answer(reply: FastifyReply, session: Session) {
    const { refreshToken, ...body } = session
    reply.setCookie(REFRESH_COOKIE, refreshToken, { ...cookieOptions, maxAge: session.refreshExpiresIn })
    return body
  }

  // A cross-site form cannot set a header, and a cross-origin script cannot send one without a CORS
  // preflight: with SameSite=Strict this keeps another site (a sibling subdomain too) from using it.
  function requireCsrfHeader(request: FastifyRequest) {
    if (!request.headers[CSRF_HEADER]) throw authErrors.csrfHeaderMissing(CSRF_HEADER)
  }

  routes.post(`/auth/session`, { schema: sessionLoginSchema }, async (request, reply) =>
    answer(reply, await app.auth.login(request.body, request.ip)),
  )

  routes.post('/auth/session/refresh', { schema: sessionRefreshSchema }, async (request, reply) => {
    requireCsrfHeader(request)
    const token = request.cookies[REFRESH_COOKIE]
    if (!token) throw authErrors.refreshMissing()
    try {
      return answer(reply, await app.auth.refresh(token))
    } catch (error) {
      // A refused token is of no use any more: the browser should stop sending it.
      if (error instanceof DomainError && refusesSession(error.code))
        reply.clearCookie(REFRESH_COOKIE, cookieOptions)
      throw error
    }
  })

  routes.post('/auth/session/logout', { schema: sessionLogoutSchema }, async (request, reply) => {
    requireCsrfHeader(request)
    const token = request.cookies[REFRESH_COOKIE]
    if (token) await app.auth.logout(token)
    reply.clearCookie(REFRESH_COOKIE, cookieOptions)
    return reply.status(204).send(null)
  })
}
