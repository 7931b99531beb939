import { IncomingMessage, type OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import cors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import helmet, { type HelmetOptions } from 'helmet'
import { checkRequestTarget } from '../domain/request-path'

declare module 'fastify' {
  interface FastifyRequest {
    /** The upstream instance that answered, for the access log. */
    upstreamUrl: string | undefined
  }
}

export interface EdgeOptions {
  corsOrigins: string[]
}

/** Headers a browser sends and reads across origins (the shop's own origin needs no CORS at all). */
const corsRequestHeaders = [
  'authorization',
  'content-type',
  'idempotency-key',
  'x-requested-with',
  'x-request-id',
]
const corsExposedHeaders = ['x-request-id', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining']

/**
 * helmet's headers for a policy, computed once at boot. @fastify/helmet builds helmet's middleware
 * again on every request (parsing the CSP each time), which was a sixth of the gateway's CPU per
 * proxied request; every directive here is fixed, so the headers are too.
 */
function securityHeaders(options: Readonly<HelmetOptions>): OutgoingHttpHeaders {
  const response = new ServerResponse(new IncomingMessage(new Socket()))
  helmet(options)(response.req, response, () => {})
  const headers = response.getHeaders()
  if (Object.keys(headers).length === 0) throw new Error('helmet set no header')
  return headers
}

/** The levels at which the access line (info) is written. */
const accessLogLevels = new Set(['info', 'debug', 'trace'])

/**
 * What every request meets first at the edge (tier 2): the request target checked before routing,
 * security headers, CORS for the configured origins only, and one access log line per request.
 */
export const edgePlugin = fp(
  async (app: FastifyInstance, options: EdgeOptions) => {
    app.decorateRequest('upstreamUrl', undefined)
    // Callback hooks, not async ones: each runs on every proxied request.
    app.addHook('onRequest', (request, _reply, done) => {
      checkRequestTarget(request.url)
      done()
    })
    const security = securityHeaders({
      // The shop: its own scripts, styles and socket only. The admin tools set their own policy.
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          baseUri: ["'self'"],
          connectSrc: ["'self'"],
          fontSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          imgSrc: ["'self'", 'data:'],
          objectSrc: ["'none'"],
          scriptSrc: ["'self'"],
          scriptSrcAttr: ["'none'"],
          styleSrc: ["'self'"],
        },
      },
      // Cross-origin isolation headers would keep other origins listed in CORS_ORIGINS out.
      crossOriginResourcePolicy: { policy: 'same-site' },
    })
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(security)
      done()
    })
    app.addHook('onResponse', (request, reply, done) => {
      done()
      // Not even built when the level leaves it out (a gateway at warn under load).
      if (!accessLogLevels.has(request.log.level)) return
      request.log.info(
        {
          method: request.method,
          url: request.url,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
          ip: request.ip,
          ...(request.upstreamUrl && { upstream: request.upstreamUrl }),
        },
        'request',
      )
    })
    // No origin listed: no CORS at all (the shop is on the gateway's own origin).
    if (options.corsOrigins.length === 0) return
    await app.register(cors, {
      origin: options.corsOrigins,
      credentials: true,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: corsRequestHeaders,
      exposedHeaders: corsExposedHeaders,
      maxAge: 600,
    })
  },
  { name: 'edge' },
)
