import type { Socket } from 'node:net'
import { type BuildOptions, fastifyOptions, trustedProxies } from '@bookstore/service-kit'
import Fastify, { LogController } from 'fastify'
import { gateway } from './app'
import type { GatewayConfig } from './config'
import { rawErrorAnswer } from './domain/raw-answers'
import { requestIdOf } from './domain/request-id'

/**
 * A request Node's HTTP parser refused (both Content-Length and Transfer-Encoding, a bad header,
 * headers too large): answered in the apps' error shape, and never forwarded.
 */
function clientErrorHandler(error: Error & { code?: string }, socket: Socket) {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const [status, code] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'HEADERS_TOO_LARGE']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT']
        : [400, 'BAD_REQUEST']
  const message = `The request could not be read (${error.code ?? 'malformed'})`
  socket.end(rawErrorAnswer(status, { code, message }, requestIdOf(undefined)))
}

/** Builds the ready-to-listen gateway from a validated config: used by main.ts, tests and benchmarks. */
export async function buildGateway(config: GatewayConfig, options: BuildOptions = {}) {
  const app = Fastify({
    ...fastifyOptions(config, options),
    // The edge takes a client's X-Request-Id only when it looks like one (domain/request-id.ts).
    requestIdHeader: false,
    genReqId: (request) => requestIdOf(request.headers['x-request-id']),
    // One access line per request (plugins/edge.ts) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: trustedProxies(config.TRUST_PROXY) ?? false,
    bodyLimit: config.BODY_LIMIT_BYTES,
    clientErrorHandler,
  })
  await app.register(gateway, { config })
  await app.ready()
  return app
}
