import { randomUUID } from 'node:crypto'
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http'
import { performance } from 'node:perf_hooks'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Gauge } from 'prom-client'

export interface LoadSheddingOptions {
  /** Requests one instance works on at once (0: no bound, nothing waits). */
  maxInFlight: number
  /** Requests that wait for one of those places when all are taken; the next one is refused at once. */
  maxQueued: number
  /** How late the sampler's last two ticks ran, above which new requests are refused (0: never). */
  maxEventLoopDelayMs: number
  /** How often the event-loop delay is sampled. */
  sampleIntervalMs?: number
}

/** The load-shedding settings of an app's validated config (baseConfigProperties). */
export const loadSheddingOf = (config: LoadSheddingConfig): LoadSheddingOptions => ({
  maxInFlight: config.MAX_IN_FLIGHT,
  maxQueued: config.MAX_QUEUED,
  maxEventLoopDelayMs: config.MAX_EVENT_LOOP_DELAY_MS,
})

export interface LoadSheddingConfig {
  MAX_IN_FLIGHT: number
  MAX_QUEUED: number
  MAX_EVENT_LOOP_DELAY_MS: number
}

type ShedReason = 'in-flight' | 'event-loop'

interface Waiting {
  request: IncomingMessage
  response: ServerResponse
  handler: RequestListener
}

/** The paths an operator needs most when the app is overloaded: never shed. */
const neverShed = (url: string | undefined) =>
  url !== undefined && (url.startsWith('/health') || url === '/metrics')

/**
 * Load shedding (issue 18, docs/limits.md): above what it can serve, an app answers a new request
 * with a 503 `OVERLOADED` and `Retry-After` before doing any of its work, instead of queueing
 * without bound until the client times out. It sits in front of Fastify, on the HTTP server
 * itself: a refusal written there costs a small part of a served request (one through Fastify's
 * hooks costs most of one, so at twice the capacity the refusals alone would fill the process).
 *
 * Work in progress is bounded twice. At most `maxInFlight` requests are worked on: they advance
 * together, a step each per turn of the event loop, so a turn (and the wait of a new request to be
 * read at all, even to be refused) grows with them. Behind those, at most `maxQueued` wait, parsed
 * but costing nothing per turn, for a burst or a GC pause to be absorbed rather than refused; the
 * queue's length bounds their wait (about maxQueued / throughput). What finds both full is refused
 * at once: a refusal is never a request that waited first, so it stays fast. The third signal is
 * the event-loop delay (a loop that runs late tick after tick; one late tick, a GC pause, is not
 * overload). WebSocket upgrades never pass here (they are the server's 'upgrade' event).
 */
export class LoadGate {
  inFlight = 0
  readonly shed: Record<ShedReason, number> = { 'in-flight': 0, 'event-loop': 0 }
  private readonly waiting: Waiting[] = []
  private loopLate = false
  private readonly sampler: NodeJS.Timeout | undefined

  constructor(private readonly options: LoadSheddingOptions) {
    if (options.maxEventLoopDelayMs > 0) {
      const interval = options.sampleIntervalMs ?? 100
      let due = performance.now() + interval
      let lateTicks = 0
      this.sampler = setInterval(() => {
        const now = performance.now()
        lateTicks = now - due > options.maxEventLoopDelayMs ? lateTicks + 1 : 0
        this.loopLate = lateTicks >= 2
        due = now + interval
      }, interval)
      this.sampler.unref()
    }
  }

  get queued(): number {
    return this.waiting.length
  }

  /** Hands the request to `handler` now or once a place frees up, or answers it with a 503. */
  admit(request: IncomingMessage, response: ServerResponse, handler: RequestListener): void {
    const { maxInFlight, maxQueued } = this.options
    if (neverShed(request.url)) handler(request, response)
    else if (this.loopLate) this.refuse(request, response, 'event-loop')
    else if (maxInFlight === 0 || this.inFlight < maxInFlight) this.start(request, response, handler)
    else if (this.waiting.length < maxQueued) this.waiting.push({ request, response, handler })
    else this.refuse(request, response, 'in-flight')
  }

  stop(): void {
    clearInterval(this.sampler)
  }

  private start(request: IncomingMessage, response: ServerResponse, handler: RequestListener) {
    this.inFlight += 1
    // 'close' comes once per response, whether it was sent or the client went away.
    response.once('close', () => {
      this.inFlight -= 1
      this.startWaiting()
    })
    handler(request, response)
  }

  /** Gives the places that are free to the requests waiting longest. */
  private startWaiting() {
    while (this.inFlight < this.options.maxInFlight) {
      const next = this.waiting.shift()
      if (next === undefined) return
      // A client that went away while it waited has nothing left to answer.
      if (!next.request.socket.destroyed) this.start(next.request, next.response, next.handler)
    }
  }

  private refuse(request: IncomingMessage, response: ServerResponse, reason: ShedReason) {
    this.shed[reason] += 1
    const requestId = request.headers['x-request-id']
    const body = JSON.stringify({
      error: { code: 'OVERLOADED', message: 'The service is overloaded; retry in a second' },
      requestId: typeof requestId === 'string' ? requestId : randomUUID(),
    })
    // The body is not read: the connection stays usable only if the request had none left to send.
    request.resume()
    response.writeHead(503, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'retry-after': '1',
    })
    response.end(body)
  }
}

const gates = new WeakMap<Server, LoadGate>()

/** How long a client may take: the app's config (baseConfigProperties). */
export interface ServerTimeoutConfig {
  HTTP_HEADERS_TIMEOUT_MS: number
  HTTP_REQUEST_TIMEOUT_MS: number
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number
}

/**
 * Fastify's `serverFactory`: an HTTP server whose requests pass the gate before Fastify sees them.
 * Fastify applies none of its timeouts to a server it did not make, so they are set here, and the
 * server checks them every second rather than Node's 30 s (a slow client is cut near its limit).
 */
export function gatedServerFactory(options: LoadSheddingOptions, timeouts: ServerTimeoutConfig) {
  return (handler: RequestListener): Server => {
    const gate = new LoadGate(options)
    const requestTimeout = timeouts.HTTP_REQUEST_TIMEOUT_MS
    // Node refuses a headers timeout longer than the request's.
    const headersTimeout = Math.min(timeouts.HTTP_HEADERS_TIMEOUT_MS, requestTimeout)
    const server = createServer(
      {
        headersTimeout,
        requestTimeout,
        connectionsCheckingInterval: Math.min(1000, headersTimeout),
      },
      (request, response) => gate.admit(request, response, handler),
    )
    server.keepAliveTimeout = timeouts.HTTP_KEEP_ALIVE_TIMEOUT_MS
    gates.set(server, gate)
    return server
  }
}

/** The gate's figures as metrics, and its sampler stopped on close (servicePlugin registers it). */
export const loadSheddingPlugin = fp(
  async (app: FastifyInstance) => {
    const gate = gates.get(app.server)
    if (gate === undefined) return
    new Counter({
      name: 'http_requests_shed_total',
      help: 'Requests refused with 503 OVERLOADED before reaching the app, by reason',
      labelNames: ['reason'],
      registers: [app.metrics],
      collect() {
        this.reset()
        for (const [reason, count] of Object.entries(gate.shed)) this.inc({ reason }, count)
      },
    })
    new Gauge({
      name: 'http_requests_in_flight',
      help: 'Requests being worked on now (WebSocket connections not counted)',
      registers: [app.metrics],
      collect() {
        this.set(gate.inFlight)
      },
    })
    new Gauge({
      name: 'http_requests_queued',
      help: 'Requests waiting for a place among those worked on',
      registers: [app.metrics],
      collect() {
        this.set(gate.queued)
      },
    })
    app.addHook('onClose', async () => gate.stop())
  },
  { name: 'load-shedding', dependencies: ['metrics'] },
)
