import type { IncomingMessage } from 'node:http'
import { connect, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { connect as connectTls } from 'node:tls'
import { DomainError } from '@bookstore/service-kit'
import type { FastifyInstance } from 'fastify'
import { Gauge } from 'prom-client'
import { forwardedHeaders } from '../domain/forwarded-headers'
import { gatewayError } from '../domain/gateway-errors'
import { rawErrorAnswer, statusOfAnswer } from '../domain/raw-answers'
import { requestIdOf } from '../domain/request-id'
import { checkRequestTarget } from '../domain/request-path'
import type { PublicRoute } from '../domain/route-table'
import { gatewayErrorStatuses } from '../error-statuses'

export interface WebsocketTunnelOptions {
  route: PublicRoute
  trustsProxies: boolean
  connectTimeoutMs: number
}

function refuse(socket: Duplex, error: DomainError, requestId: string) {
  const status =
    error.code === 'ROUTE_NOT_FOUND'
      ? 404
      : ((gatewayErrorStatuses as Record<string, number>)[error.code] ?? 400)
  const body = { code: error.code, message: error.message, ...(error.details && { details: error.details }) }
  if (socket.writable) socket.end(rawErrorAnswer(status, body, requestId))
  else socket.destroy()
}

/** The request line and headers of the upgrade, as the upstream gets them. */
function upgradeRequest(path: string, headers: ReturnType<typeof forwardedHeaders>) {
  const lines = [`GET ${path} HTTP/1.1`]
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    for (const item of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${item}`)
  }
  return `${lines.join('\r\n')}\r\n\r\n`
}

/**
 * `/ws` tunnelled to realtime-gateway (tier 3): the upgrade request goes on with the edge's headers,
 * then bytes flow both ways untouched. The handshake's answer (101, or realtime-gateway's own 401,
 * 403, 429 with its error body), every offered subprotocol (`bookstore.v1`, `bearer.<jwt>`) and
 * every frame with its close code pass as they are; @fastify/http-proxy's WebSocket proxy ends the
 * socket at the gateway and forwards the first subprotocol only (docs/gateway.md). One instance per
 * socket, balanced like the REST routes; an instance that refuses the connection is skipped.
 */
export async function websocketTunnel(app: FastifyInstance, options: WebsocketTunnelOptions) {
  const { route } = options
  const pool = app.upstreams.pool(route.upstream)
  const open = new Set<Duplex>()
  new Gauge({
    name: 'gateway_websocket_tunnels',
    help: 'WebSocket connections tunnelled to realtime-gateway now',
    registers: [app.metrics],
    collect() {
      this.set(open.size / 2)
    },
  })

  function tunnel(request: IncomingMessage, client: Duplex, head: Buffer) {
    const requestId = requestIdOf(request.headers['x-request-id'])
    const url = request.url ?? '/'
    const log = app.log.child({ reqId: requestId })
    try {
      checkRequestTarget(url)
      const path = url.split('?', 1)[0]
      if (path !== route.path)
        throw new DomainError('ROUTE_NOT_FOUND', `No WebSocket at ${path}: the live cart is at ${route.path}`)
      if (request.method !== 'GET' || request.headers.upgrade?.toLowerCase() !== 'websocket')
        throw gatewayError('BAD_UPGRADE', 'Only a WebSocket upgrade (GET, Upgrade: websocket) is taken here')
    } catch (error) {
      if (!(error instanceof DomainError)) throw error
      log.info({ url, code: error.code }, 'upgrade refused')
      refuse(client, error, requestId)
      return
    }
    const target = `${route.to}${url.slice(route.path.length)}`
    const startedAt = performance.now()
    const tried = new Set<string>()
    client.on('error', () => client.destroy())

    const attempt = () => {
      const instance = pool.pick(tried)
      if (!instance) {
        refuse(
          client,
          gatewayError('UPSTREAM_UNAVAILABLE', `${route.upstream} is unreachable; retry soon`, {
            upstream: route.upstream,
          }),
          requestId,
        )
        return
      }
      tried.add(instance.url)
      const upstreamUrl = new URL(instance.url)
      const port = Number(upstreamUrl.port) || (upstreamUrl.protocol === 'https:' ? 443 : 80)
      const upstream: Socket =
        upstreamUrl.protocol === 'https:'
          ? connectTls({ host: upstreamUrl.hostname, port, servername: upstreamUrl.hostname })
          : connect({ host: upstreamUrl.hostname, port })
      upstream.setTimeout(options.connectTimeoutMs)
      let connected = false
      const failed = (reason: string) => {
        upstream.destroy()
        if (connected || client.destroyed) return client.destroy()
        app.upstreams.failed(route.upstream, instance.url, 'connect', true)
        log.warn({ upstream: instance.url, reason }, 'websocket upstream attempt failed')
        attempt()
      }
      upstream.on('timeout', () => failed('connect timed out'))
      upstream.on('error', (error) => failed(error.message))
      upstream.once(upstreamUrl.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
        connected = true
        upstream.setTimeout(0)
        upstream.setNoDelay(true)
        if ('setNoDelay' in client && typeof client.setNoDelay === 'function') client.setNoDelay(true)
        const headers = forwardedHeaders(
          { ...request.headers, host: upstreamUrl.host },
          {
            requestId,
            peerAddress: request.socket.remoteAddress,
            protocol: 'encrypted' in request.socket && request.socket.encrypted ? 'https' : 'http',
            host: request.headers.host ?? '',
            trustsProxies: options.trustsProxies,
          },
        )
        upstream.write(upgradeRequest(target, headers))
        if (head.length > 0) upstream.write(head)
        upstream.once('data', (chunk: Buffer) => {
          log.info(
            {
              method: 'GET',
              url,
              status: statusOfAnswer(chunk),
              upstream: instance.url,
              ip: request.socket.remoteAddress,
            },
            'websocket',
          )
        })
        open.add(client)
        open.add(upstream)
        const closeBoth = () => {
          open.delete(client)
          open.delete(upstream)
          client.destroy()
          upstream.destroy()
        }
        client.once('close', closeBoth)
        upstream.once('close', () => {
          log.debug({ url, ms: Math.round(performance.now() - startedAt) }, 'websocket closed')
          closeBoth()
        })
        upstream.pipe(client)
        client.pipe(upstream)
      })
    }
    attempt()
  }

  app.server.on('upgrade', tunnel)
  // Tunnels are not requests: closing the server would wait for them for ever. The clients reconnect
  // (realtime-client backs off and retries) and reach another gateway instance.
  app.addHook('preClose', async () => {
    app.server.off('upgrade', tunnel)
    for (const socket of open) socket.destroy()
  })
}
