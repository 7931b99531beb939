import { performance } from 'node:perf_hooks'
import type { FastifyInstance, FastifyRequest } from 'fastify'
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

/** The paths an operator needs most when the app is overloaded: never shed. */
const neverShed = (request: FastifyRequest) => request.url.startsWith('/health') || request.url === '/metrics'

/**
 * Load shedding (issue 18, docs/limits.md): above what it can serve, an app answers a new request
 * with a 503 `OVERLOADED` and `Retry-After` before doing any of its work, instead of queueing it
 * until the client times out. Two signals: the requests in flight (bounded work in progress,
 * decided per request) and the event-loop delay (a loop that already runs late; sampled). The
 * answer is written here, not through the error handler, so a refusal costs a few microseconds and
 * logs nothing. WebSocket upgrades are not counted: a socket lives for hours.
 */
export const loadSheddingPlugin = fp(
  async (app: FastifyInstance, options: LoadSheddingOptions) => {
    const shed = new Counter({
      name: 'http_requests_shed_total',
      help: 'Requests refused with 503 OVERLOADED, by reason',
      labelNames: ['reason'],
      registers: [app.metrics],
    })
    let inFlight = 0
    new Gauge({
      name: 'http_requests_in_flight',
      help: 'Requests being worked on now (WebSocket upgrades not counted)',
      registers: [app.metrics],
      collect() {
        this.set(inFlight)
      },
    })

    // The loop's delay is how late a timer of our own runs: a loop busy with a backlog runs it late
    // tick after tick. One late tick (a GC pause, a module loaded) is not overload.
    let loopLate = false
    let lateTicks = 0
    let sampler: NodeJS.Timeout | undefined
    if (options.maxEventLoopDelayMs > 0) {
      const interval = options.sampleIntervalMs ?? 100
      let due = performance.now() + interval
      sampler = setInterval(() => {
        const now = performance.now()
        lateTicks = now - due > options.maxEventLoopDelayMs ? lateTicks + 1 : 0
        loopLate = lateTicks >= 2
        due = now + interval
      }, interval)
      sampler.unref()
    }
    app.addHook('onClose', async () => {
      clearInterval(sampler)
    })

    app.addHook('onRequest', (request, reply, done) => {
      if (request.headers.upgrade !== undefined || neverShed(request)) return done()
      const reason =
        options.maxInFlight > 0 && inFlight >= options.maxInFlight
          ? 'in-flight'
          : loopLate
            ? 'event-loop'
            : undefined
      if (reason !== undefined) {
        shed.inc({ reason })
        reply
          .code(503)
          .header('retry-after', '1')
          .send({
            error: { code: 'OVERLOADED', message: 'The service is overloaded; retry in a second' },
            requestId: request.id,
          })
        return
      }
      inFlight += 1
      // 'close' comes once per response, whether it was sent or the client went away.
      reply.raw.once('close', () => {
        inFlight -= 1
      })
      done()
    })
  },
  { name: 'load-shedding', dependencies: ['metrics'] },
)
