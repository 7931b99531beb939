import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client'

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's Prometheus registry, for metrics of its own. */
    metrics: Registry
  }
}

/** Prometheus metrics at GET /metrics: process metrics and HTTP latency per route (SPEC E2). */
export const metricsPlugin = fp(
  async (app: FastifyInstance, options: { serviceName: string }) => {
    const registry = new Registry()
    registry.setDefaultLabels({ service: options.serviceName })
    collectDefaultMetrics({ register: registry })
    const httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    })
    app.decorate('metrics', registry)
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url
      if (route !== undefined)
        httpDuration.observe(
          { method: request.method, route, status: String(reply.statusCode) },
          reply.elapsedTime / 1000,
        )
      done()
    })
    app.get('/metrics', { schema: { hide: true }, logLevel: 'warn' }, async (_request, reply) =>
      reply.type(registry.contentType).send(await registry.metrics()),
    )
  },
  { name: 'metrics' },
)
