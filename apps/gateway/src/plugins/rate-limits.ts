import { DomainError, type TokenVerifier } from '@bookstore/service-kit'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Counter } from 'prom-client'
import { gatewayError } from '../domain/gateway-errors'

declare module 'fastify' {
  interface FastifyInstance {
    /** An onRequest hook: the per-address and per-user limits, shared by every gateway instance. */
    limitRequest: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
  interface FastifyRequest {
    /** The caller's user id when the request carries a valid bearer token (the per-user limit's key). */
    limitedUser: string | undefined
  }
}

export interface RateLimitsOptions {
  verify: TokenVerifier
  windowMs: number
  perIp: number
  perUser: number
}

async function bearerUser(request: FastifyRequest, verify: TokenVerifier): Promise<string | undefined> {
  const header = request.headers.authorization
  if (!header?.toLowerCase().startsWith('bearer ')) return undefined
  try {
    return (await verify(header.slice(7).trim())).id
  } catch (error) {
    // A bad token is the app's to refuse (401); here it only means "no user to count".
    if (error instanceof DomainError) return undefined
    throw error
  }
}

/**
 * Fixed-window limits on Redis (@fastify/rate-limit's store, one counter per key shared by every
 * gateway instance): a request with a valid access token counts against its user, any other against
 * its client address. So shoppers behind one office address do not use up each other's limit, one
 * user gets no more from many addresses, and an address without a token (scripts, log-in attempts)
 * is held to its own; one Redis call per request. Over the limit is 429 RATE_LIMITED with
 * Retry-After. Redis away: requests pass (a limiter must not take the shop down).
 */
export const rateLimitsPlugin = fp(
  async (app: FastifyInstance, options: RateLimitsOptions) => {
    await app.register(rateLimit, {
      global: false,
      redis: app.redis,
      nameSpace: 'gateway-rate-limit:',
      skipOnError: true,
      timeWindow: options.windowMs,
    })
    app.decorateRequest('limitedUser', undefined)
    const perIp = app.createRateLimit({
      max: options.perIp,
      timeWindow: options.windowMs,
      skipOnError: true,
      keyGenerator: (request) => `ip:${request.ip}`,
    })
    const perUser = app.createRateLimit({
      max: options.perUser,
      timeWindow: options.windowMs,
      skipOnError: true,
      keyGenerator: (request) => `user:${request.limitedUser ?? ''}`,
    })
    const limited = new Counter({
      name: 'gateway_rate_limited_total',
      help: 'Requests refused with 429, by the limit they went over',
      labelNames: ['limit'],
      registers: [app.metrics],
    })

    app.decorate('limitRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      request.limitedUser = await bearerUser(request, options.verify)
      const limit = request.limitedUser === undefined ? 'ip' : 'user'
      const result = await (limit === 'ip' ? perIp(request) : perUser(request))
      if (result.isAllowed) return
      if (result.isExceeded) {
        limited.inc({ limit })
        const retryAfter = Math.max(1, result.ttlInSeconds)
        reply.header('retry-after', String(retryAfter))
        throw gatewayError('RATE_LIMITED', `Too many requests; retry in ${retryAfter} s`, {
          limit,
          retryAfterSeconds: retryAfter,
        })
      }
      reply.header('x-ratelimit-limit', String(result.max))
      reply.header('x-ratelimit-remaining', String(result.remaining))
    })
  },
  { name: 'rate-limits', dependencies: ['redis', 'metrics'] },
)
