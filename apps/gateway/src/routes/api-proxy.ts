import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify'
import type { Dispatcher } from 'undici'
import { forwardedHeaders } from '../domain/forwarded-headers'
import { gatewayError } from '../domain/gateway-errors'
import { classifyFailure, mayRetry, takesInstanceDown } from '../domain/retry-policy'
import type { PublicRoute } from '../domain/route-table'
import { callUpstream, notSentUpstream } from '../domain/upstream-call'

export interface ApiProxyOptions {
  table: readonly PublicRoute[]
  timeoutMs: number
  bodyLimit: number
  trustsProxies: boolean
  /** Runs first on every proxied request (the rate limits). */
  onRequest: onRequestAsyncHookHandler
}

const methods: Dispatcher.HttpMethod[] = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS']

/**
 * Every entry of the route table as two routes (the prefix and everything below it, tier 3): the
 * prefix rewritten to the app's own path, then sent to one instance of its upstream
 * (domain/upstream-call.ts). A failed attempt goes to another instance when that is safe
 * (domain/retry-policy.ts); what cannot be answered becomes 502 UPSTREAM_UNAVAILABLE or 504
 * UPSTREAM_TIMEOUT in the apps' error shape.
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
    const forward = async (request: FastifyRequest, reply: FastifyReply) => {
      const pool = app.upstreams.pool(route.upstream)
      const method = request.method as Dispatcher.HttpMethod
      const body =
        Buffer.isBuffer(request.body) && method !== 'GET' && method !== 'HEAD' ? request.body : undefined
      const retryable = { method, hasIdempotencyKey: request.headers['idempotency-key'] !== undefined }
      const headers = forwardedHeaders(
        request.headers,
        {
          requestId: request.id,
          peerAddress: request.raw.socket.remoteAddress,
          protocol: request.protocol,
          host: request.host,
          trustsProxies: options.trustsProxies,
        },
        notSentUpstream,
      )
      if (body) headers['content-type'] ??= 'application/octet-stream'
      const path = route.to + request.url.slice(route.path.length)
      const tried = new Set<string>()
      for (;;) {
        const instance = pool.pick(tried)
        if (!instance)
          throw gatewayError(
            'UPSTREAM_UNAVAILABLE',
            pool.instances.length === 0
              ? `${route.upstream} is not configured on this gateway`
              : `${route.upstream} is unreachable; retry soon`,
            { upstream: route.upstream },
          )
        tried.add(instance.url)
        request.upstreamUrl = instance.url
        try {
          const answer = await callUpstream(app.upstreams.agent, {
            origin: instance.url,
            method,
            path,
            headers,
            body,
            timeoutMs: options.timeoutMs,
          })
          return reply.code(answer.status).headers(answer.headers).send(answer.body)
        } catch (error) {
          const failure = classifyFailure(error)
          app.upstreams.failed(route.upstream, instance.url, failure, takesInstanceDown(failure))
          request.log.warn({ err: error, upstream: instance.url, failure }, 'upstream attempt failed')
          if (mayRetry(failure, retryable) && pool.pick(tried)) {
            app.upstreams.retried(route.upstream)
            continue
          }
          throw failure === 'timeout'
            ? gatewayError('UPSTREAM_TIMEOUT', `${route.upstream} did not answer in time`, {
                upstream: route.upstream,
              })
            : gatewayError('UPSTREAM_UNAVAILABLE', `${route.upstream} is unreachable; retry soon`, {
                upstream: route.upstream,
              })
        }
      }
    }
    app.route({ method: methods, url: route.path, handler: forward })
    app.route({ method: methods, url: `${route.path}/*`, handler: forward })
  }
}
