import httpProxy, { type FastifyHttpProxyOptions } from '@fastify/http-proxy'
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify'
import { forwardedHeaders } from '../domain/forwarded-headers'
import { gatewayError } from '../domain/gateway-errors'
import { classifyFailure, mayRetry, takesInstanceDown } from '../domain/retry-policy'
import type { PublicRoute } from '../domain/route-table'

export interface ApiProxyOptions {
  table: readonly PublicRoute[]
  timeoutMs: number
  bodyLimit: number
  trustsProxies: boolean
  /** Runs first on every proxied request (the rate limits). */
  onRequest: onRequestAsyncHookHandler
}

type ProxyHandlerOptions = Parameters<NonNullable<FastifyHttpProxyOptions['handler']>>[3]

/**
 * Every entry of the route table as one @fastify/http-proxy registration (tier 3): the prefix
 * rewritten to the app's own path, then sent to one instance of its upstream. A failed attempt
 * goes to another instance when that is safe (domain/retry-policy.ts); what cannot be answered
 * becomes 502 UPSTREAM_UNAVAILABLE or 504 UPSTREAM_TIMEOUT in the apps' error shape.
 */
export async function apiProxyRoutes(app: FastifyInstance, options: ApiProxyOptions) {
  // The body goes on byte for byte (no parse, no re-encoding) and is kept, so a retry can send it again.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimit }, (_request, body, done) =>
    done(null, body),
  )
  app.addHook('onRequest', options.onRequest)
  // A client that went away while its answer was on the way (a closed tab, a load test ending) is
  // not a failure of the gateway: 499 in the access log, as nginx says it, and nothing else.
  app.setErrorHandler((error, request, reply) => {
    if (request.raw.destroyed || request.raw.socket.destroyed) return reply.code(499).send()
    throw error
  })

  for (const route of options.table) {
    const forward = (
      request: FastifyRequest,
      reply: FastifyReply,
      dest: string,
      handlerOptions: ProxyHandlerOptions,
    ) => {
      const pool = app.upstreams.pool(route.upstream)
      const tried = new Set<string>()
      const body =
        Buffer.isBuffer(request.body) && request.method !== 'GET' && request.method !== 'HEAD'
          ? request.body
          : undefined
      const retryable = {
        method: request.method,
        hasIdempotencyKey: request.headers['idempotency-key'] !== undefined,
      }

      const attempt = () => {
        const instance = pool.pick(tried)
        if (!instance) {
          reply.send(
            gatewayError(
              'UPSTREAM_UNAVAILABLE',
              pool.instances.length === 0
                ? `${route.upstream} is not configured on this gateway`
                : `${route.upstream} is unreachable; retry soon`,
              { upstream: route.upstream },
            ),
          )
          return
        }
        tried.add(instance.url)
        request.upstreamUrl = instance.url
        reply.from(dest, {
          ...handlerOptions,
          getUpstream: () => instance.url,
          timeout: options.timeoutMs,
          ...(body && { body, contentType: request.headers['content-type'] ?? 'application/octet-stream' }),
          rewriteRequestHeaders: (original, headers) =>
            forwardedHeaders(headers, {
              requestId: original.id,
              peerAddress: original.raw.socket.remoteAddress,
              protocol: original.protocol,
              host: original.host,
              trustsProxies: options.trustsProxies,
            }),
          onError: (_reply, { error }) => {
            const failure = classifyFailure(error)
            app.upstreams.failed(route.upstream, instance.url, failure, takesInstanceDown(failure))
            request.log.warn({ err: error, upstream: instance.url, failure }, 'upstream attempt failed')
            if (mayRetry(failure, retryable) && pool.pick(tried)) {
              app.upstreams.retried(route.upstream)
              attempt()
              return
            }
            reply.send(
              failure === 'timeout'
                ? gatewayError('UPSTREAM_TIMEOUT', `${route.upstream} did not answer in time`, {
                    upstream: route.upstream,
                  })
                : gatewayError('UPSTREAM_UNAVAILABLE', `${route.upstream} is unreachable; retry soon`, {
                    upstream: route.upstream,
                  }),
            )
          },
        })
      }
      attempt()
      return reply
    }

    await app.register(httpProxy, {
      prefix: route.path,
      rewritePrefix: route.to,
      // The instance is chosen per request (forward); http-proxy needs to be told so.
      upstream: '',
      replyOptions: { getUpstream: () => '' },
      proxyPayloads: false,
      undici: app.upstreams.agent,
      disableRequestLogging: true,
      handler: forward,
    })
  }
}
