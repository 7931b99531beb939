import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Type } from 'typebox'

export type ReadinessCheck = () => Promise<unknown>

declare module 'fastify' {
  interface FastifyInstance {
    /** Adds a dependency that must answer for /health/ready to say ready (SPEC E2). */
    addReadinessCheck: (name: string, check: ReadinessCheck) => void
    /**
     * Adds a dependency /health/ready reports without depending on it: a gateway stays ready while
     * one of its upstreams is away (it answers 502 for that one and serves the others).
     */
    addHealthReport: (name: string, check: ReadinessCheck) => void
  }
}

const HealthResponse = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  checks: Type.Optional(Type.Record(Type.String(), Type.String())),
})

const withTimeout = (promise: Promise<unknown>, ms: number) =>
  Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), ms).unref()),
  ])

export const healthPlugin = fp(
  async (app: FastifyInstance) => {
    const checks = new Map<string, ReadinessCheck>()
    const reportOnly = new Set<string>()
    let closing = false
    app.decorate('addReadinessCheck', (name: string, check: ReadinessCheck) => {
      checks.set(name, check)
    })
    app.decorate('addHealthReport', (name: string, check: ReadinessCheck) => {
      checks.set(name, check)
      reportOnly.add(name)
    })
    // Stop taking new traffic from the load balancer as soon as shutdown starts.
    app.addHook('preClose', async () => {
      closing = true
    })

    const schema = { hide: true, response: { 200: HealthResponse, 503: HealthResponse } }
    app.get('/health/live', { schema, logLevel: 'warn' }, async () => ({ status: 'ok' as const }))
    app.get('/health/ready', { schema, logLevel: 'warn' }, async (_request, reply) => {
      const results: Record<string, string> = {}
      await Promise.all(
        [...checks].map(async ([name, check]) => {
          try {
            await withTimeout(check(), 2000)
            results[name] = 'ok'
          } catch (error) {
            results[name] = error instanceof Error ? error.message : 'failed'
          }
        }),
      )
      if (closing) results.process = 'shutting down'
      const ready =
        !closing && Object.entries(results).every(([name, result]) => result === 'ok' || reportOnly.has(name))
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', checks: results })
    })
  },
  { name: 'health' },
)
