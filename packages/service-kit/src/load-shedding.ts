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
  /** Requests one instance works on at once; the next one is refused at once (0: no bound). */
  maxInFlight: number
  /** How late the sampler's last two ticks ran, above which new requests are refused (0: never). */
  maxEventLoopDelayMs: number
  /** How often the event-loop delay is sampled. */
  sampleIntervalMs?: number
}

/** The load-shedding settings of an app's validated config (baseConfigProperties). */
export const loadSheddingOf = (config: { MAX_IN_FLIGHT: number; MAX_EVENT_LOOP_DELAY_MS: number }) => ({
  maxInFlight: config.MAX_IN_FLIGHT,
  maxEventLoopDelayMs: config.MAX_EVENT_LOOP_DELAY_MS,
})

type ShedReason = 'in-flight' | 'event-loop'

/** The paths an operator needs most when the app is overloaded: never shed. */
const neverShed = (url: string | undefined) =>
  url !== undefined && (url.startsWith('/health') || url === '/metrics')

/**
 * Load shedding (issue 18, docs/limits.md): above what it can serve, an app answers a new request
 * with a 503 `OVERLOADED` and `Retry-After` before doing any of its work, instead of queueing it
 * until the client times out. It sits in front of Fastify, on the HTTP server itself: a refusal
 * written there costs a small part of a served request (one through Fastify's hooks costs most of
 * one, so at twice the capacity the refusals alone would fill the process). Two signals: the
 * requests in flight (bounded work in progress, decided per request) and the event-loop delay (a
 * loop that runs late tick after tick; one late tick, a GC pause, is not overload). WebSocket
 * upgrades never pass here (they are the server's 'upgrade' event).
 */
export class LoadGate {
  inFlight = 0
  readonly shed: Record<ShedReason, number> = { 'in-flight': 0, 'event-loop': 0 }
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

  /** Lets the request through (and counts it until its response closes) or answers it with a 503. */
  admit(request: IncomingMessage, response: ServerResponse): boolean {
    if (neverShed(request.url)) return true
    const { maxInFlight } = this.options
    const reason: ShedReason | undefined =
      maxInFlight > 0 && this.inFlight >= maxInFlight ? 'in-flight' : this.loopLate ? 'event-loop' : undefined
    if (reason === undefined) {
      this.inFlight += 1
      // 'close' comes once per response, whether it was sent or the client went away.
      response.once('close', () => {
        this.inFlight -= 1
      })
      return true
    }
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
    return false
  }

  stop(): void {
    clearInterval(this.sampler)
  }
}

const gates = new WeakMap<Server, LoadGate>()

/** Fastify's `serverFactory`: an HTTP server whose requests pass the gate before Fastify sees them. */
export function gatedServerFactory(options: LoadSheddingOptions) {
  return (handler: RequestListener): Server => {
    const gate = new LoadGate(options)
    const server = createServer((request, response) => {
      if (gate.admit(request, response)) handler(request, response)
    })
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
    app.addHook('onClose', async () => gate.stop())
  },
  { name: 'load-shedding', dependencies: ['metrics'] },
)
