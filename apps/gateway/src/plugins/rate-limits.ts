import { addToWindowCounter } from '@bookstore/lua'
import { DomainError, type TokenVerifier } from '@bookstore/service-kit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Counter } from 'prom-client'
import { gatewayError } from '../domain/gateway-errors'
import { createWindowLimiter, type WindowCounterStore } from '../domain/window-limiter'

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
  /** Share of a key's remainder counted per instance between flushes (see domain/window-limiter.ts). */
  localShare: number
  flushIntervalMs: number
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
 * Fixed-window limits with their counters in Redis, shared by every gateway instance: a request
 * with a valid access token counts against its user, any other against its client address. So
 * shoppers behind one office address do not use up each other's limit, one user gets no more from
 * many addresses, and an address without a token (scripts, log-in attempts) is held to its own.
 * Keys far from their limit are counted in memory and added to Redis in batches; keys near it are
 * decided by Redis (domain/window-limiter.ts). Over the limit is 429 RATE_LIMITED with Retry-After.
 * Redis away: requests pass (a limiter must not take the shop down).
 */
export const rateLimitsPlugin = fp(
  async (app: FastifyInstance, options: RateLimitsOptions) => {
    const redis = app.redis
    // One script call per key: a counter never exists without its expiry.
    const store: WindowCounterStore = {
      add: (key, amount, expireAtMs) => addToWindowCounter(redis, key, amount, expireAtMs + 1000),
    }
    const limiters = {
      ip: createWindowLimiter(store, {
        max: options.perIp,
        windowMs: options.windowMs,
        localShare: options.localShare,
      }),
      user: createWindowLimiter(store, {
        max: options.perUser,
        windowMs: options.windowMs,
        localShare: options.localShare,
      }),
    }
    const limited = new Counter({
      name: 'gateway_rate_limited_total',
      help: 'Requests refused with 429, by the limit they went over',
      labelNames: ['limit'],
      registers: [app.metrics],
    })
    const flushFailures = new Counter({
      name: 'gateway_rate_limit_flush_failures_total',
      help: 'Batches of locally counted requests that could not be added to the shared counters',
      registers: [app.metrics],
    })
    const flushAll = async () => {
      for (const limiter of Object.values(limiters)) {
        await limiter.flush().catch((error: unknown) => {
          flushFailures.inc()
          app.log.warn({ err: error }, 'rate-limit counts not flushed')
        })
      }
    }
    const timer = setInterval(() => void flushAll(), options.flushIntervalMs)
    timer.unref()
    app.addHook('onClose', async () => {
      clearInterval(timer)
      await flushAll()
    })

    app.decorateRequest('limitedUser', undefined)
    app.decorate('limitRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      request.limitedUser = await bearerUser(request, options.verify)
      const limit = request.limitedUser === undefined ? 'ip' : 'user'
      const key = `gateway-rate-limit:${limit === 'ip' ? `ip:${request.ip}` : `user:${request.limitedUser}`}`
      const decision = await limiters[limit].hit(key).catch((error: unknown) => {
        request.log.warn({ err: error }, 'rate limit not checked: Redis did not answer')
        return undefined
      })
      if (decision === undefined) return
      if (decision.allowed) {
        reply.header('x-ratelimit-limit', String(limit === 'ip' ? options.perIp : options.perUser))
        reply.header('x-ratelimit-remaining', String(decision.remaining))
        return
      }
      limited.inc({ limit })
      // The error handler sends details.retryAfterSeconds as Retry-After.
      throw gatewayError('RATE_LIMITED', `Too many requests; retry in ${decision.retryAfterSeconds} s`, {
        limit,
        retryAfterSeconds: decision.retryAfterSeconds,
      })
    })
  },
  { name: 'rate-limits', dependencies: ['redis', 'metrics'] },
)
