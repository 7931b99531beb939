import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Gauge } from 'prom-client'
import { Agent } from 'undici'
import type { UpstreamFailure } from '../domain/retry-policy'
import { type UpstreamName, upstreamNames } from '../domain/route-table'
import { createUpstreamPool, type UpstreamPool } from '../domain/upstream-pool'

export interface Upstreams {
  pool: (name: UpstreamName) => UpstreamPool
  /** One connection pool per instance, kept alive, shared by every route to it. */
  agent: Agent
  connectTimeoutMs: number
  /** Counts a failed attempt (and takes the instance down when the failure says it is gone). */
  failed: (name: UpstreamName, url: string, failure: UpstreamFailure, takesDown: boolean) => void
  retried: (name: UpstreamName) => void
}

declare module 'fastify' {
  interface FastifyInstance {
    upstreams: Upstreams
  }
}

export interface UpstreamsOptions {
  urls: Record<UpstreamName, string[]>
  connections: number
  connectTimeoutMs: number
  probeIntervalMs: number
}

/** Asks an instance whether it takes traffic (its readiness, as a load balancer would). */
async function probe(url: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(timeoutMs) })
    await response.body?.cancel()
    return response.status === 200 ? undefined : `not ready (${response.status})`
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error
    return cause instanceof Error ? cause.message : 'does not answer'
  }
}

/** Every upstream's instances, their health (probed) and the connections to them (tier 1). */
export const upstreamsPlugin = fp(
  async (app: FastifyInstance, options: UpstreamsOptions) => {
    const pools = new Map(upstreamNames.map((name) => [name, createUpstreamPool(name, options.urls[name])]))
    const agent = new Agent({
      connections: options.connections,
      connect: { timeout: options.connectTimeoutMs },
      keepAliveTimeout: 30_000,
    })
    const errors = new Counter({
      name: 'gateway_upstream_errors_total',
      help: 'Failed attempts to reach an upstream, by kind (connect, reset, timeout, other)',
      labelNames: ['upstream', 'kind'],
      registers: [app.metrics],
    })
    const retries = new Counter({
      name: 'gateway_upstream_retries_total',
      help: 'Requests sent to another instance after a failed attempt',
      labelNames: ['upstream'],
      registers: [app.metrics],
    })
    new Gauge({
      name: 'gateway_upstream_instances_up',
      help: 'Instances of each upstream that answer',
      labelNames: ['upstream'],
      registers: [app.metrics],
      collect() {
        for (const [name, pool] of pools)
          this.set({ upstream: name }, pool.instances.filter((instance) => instance.up).length)
      },
    })

    let probing = false
    const probeAll = async () => {
      if (probing) return
      probing = true
      try {
        await Promise.all(
          [...pools.values()].flatMap((pool) =>
            pool.instances.map(async (instance) => {
              const failure = await probe(instance.url, Math.max(options.probeIntervalMs, 500))
              if (failure === undefined) pool.markUp(instance.url)
              else pool.markDown(instance.url, failure)
            }),
          ),
        )
      } finally {
        probing = false
      }
    }
    const timer = setInterval(() => void probeAll(), options.probeIntervalMs)
    timer.unref()

    for (const [name, pool] of pools) {
      if (pool.instances.length === 0) continue
      // Reported, not required: the gateway serves the other upstreams while one is away.
      app.addHealthReport(`upstream ${name}`, async () => {
        const state = pool.describe()
        if (state !== 'ok') throw new Error(state)
      })
    }

    app.decorate('upstreams', {
      pool: (name: UpstreamName) => pools.get(name) as UpstreamPool,
      agent,
      connectTimeoutMs: options.connectTimeoutMs,
      failed(name, url, failure, takesDown) {
        errors.inc({ upstream: name, kind: failure })
        if (takesDown) pools.get(name)?.markDown(url, `${failure} failed`)
      },
      retried(name) {
        retries.inc({ upstream: name })
      },
    } satisfies Upstreams)
    app.addHook('onReady', probeAll)
    app.addHook('onClose', async () => {
      clearInterval(timer)
      await agent.close()
    })
  },
  { name: 'upstreams', dependencies: ['metrics', 'health'] },
)
