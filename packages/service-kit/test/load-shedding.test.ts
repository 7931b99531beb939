import { setTimeout as sleep } from 'node:timers/promises'
import Fastify from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { servicePlugin } from '../src'

const apps: ReturnType<typeof Fastify>[] = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

/** An app whose /slow requests wait until released: the work in flight is in the test's hands. */
async function appWithSlowRoute(loadShedding: {
  maxInFlight: number
  maxEventLoopDelayMs: number
  sampleIntervalMs?: number
}) {
  const app = Fastify({ logger: false })
  apps.push(app)
  await app.register(servicePlugin, {
    serviceName: 'shed-test',
    description: 'load shedding test',
    loadShedding,
  })
  const waiting: (() => void)[] = []
  app.get('/slow', () => new Promise<{ ok: true }>((resolve) => waiting.push(() => resolve({ ok: true }))))
  app.get('/fast', async () => ({ ok: true }))
  await app.ready()
  return { app, waiting }
}

const shedCount = async (app: ReturnType<typeof Fastify>, reason: string) => {
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
  return Number(
    new RegExp(`http_requests_shed_total\\{reason="${reason}"[^}]*\\} (\\d+)`).exec(metrics)?.[1] ?? 0,
  )
}

describe('load shedding (issue 18)', () => {
  it('refuses the request over MAX_IN_FLIGHT at once with 503 OVERLOADED and Retry-After, and takes work again when some ends', async () => {
    const { app, waiting } = await appWithSlowRoute({ maxInFlight: 2, maxEventLoopDelayMs: 0 })
    const first = app.inject({ method: 'GET', url: '/slow' })
    const second = app.inject({ method: 'GET', url: '/slow' })
    await expect.poll(() => waiting.length).toBe(2)

    const refused = await app.inject({ method: 'GET', url: '/fast' })
    expect(refused.statusCode).toBe(503)
    expect(refused.headers['retry-after']).toBe('1')
    expect(refused.json()).toMatchObject({ error: { code: 'OVERLOADED' }, requestId: expect.any(String) })
    // What an operator needs under load is never refused.
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200)
    expect(await shedCount(app, 'in-flight')).toBe(1)

    waiting.shift()?.()
    expect((await first).statusCode).toBe(200)
    expect((await app.inject({ method: 'GET', url: '/fast' })).statusCode).toBe(200)
    waiting.shift()?.()
    expect((await second).statusCode).toBe(200)
  })

  it('counts a request whose client went away as ended', async () => {
    const { app, waiting } = await appWithSlowRoute({ maxInFlight: 1, maxEventLoopDelayMs: 0 })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const address = app.server.address()
    const port = typeof address === 'object' && address ? address.port : 0
    const abort = new AbortController()
    const gone = fetch(`http://127.0.0.1:${port}/slow`, { signal: abort.signal }).catch(() => 'aborted')
    await expect.poll(() => waiting.length).toBe(1)
    expect((await fetch(`http://127.0.0.1:${port}/fast`)).status).toBe(503)
    abort.abort()
    expect(await gone).toBe('aborted')
    await expect.poll(async () => (await fetch(`http://127.0.0.1:${port}/fast`)).status).toBe(200)
    waiting.shift()?.()
  })

  it('ignores one late tick (a GC pause)', async () => {
    const { app } = await appWithSlowRoute({ maxInFlight: 0, maxEventLoopDelayMs: 100, sampleIntervalMs: 20 })
    const until = Date.now() + 200
    while (Date.now() < until) {}
    for (let tick = 0; tick < 5; tick += 1) {
      expect((await app.inject({ method: 'GET', url: '/fast' })).statusCode).toBe(200)
      await sleep(20)
    }
  })

  it('refuses new requests while the event loop runs late, and serves again once it catches up', async () => {
    const { app } = await appWithSlowRoute({ maxInFlight: 0, maxEventLoopDelayMs: 100, sampleIntervalMs: 20 })
    // Busy for 200 ms, three times in a row: the loop is as late as an overloaded one, tick after tick.
    for (let round = 0; round < 3; round += 1) {
      const until = Date.now() + 200
      while (Date.now() < until) {}
      await sleep(0)
    }
    // The late sample is taken at the sampler's next tick.
    let refused = await app.inject({ method: 'GET', url: '/fast' })
    for (let tick = 0; refused.statusCode !== 503 && tick < 5; tick += 1) {
      await sleep(20)
      refused = await app.inject({ method: 'GET', url: '/fast' })
    }
    expect(refused.statusCode).toBe(503)
    expect(refused.json().error.code).toBe('OVERLOADED')
    expect(await shedCount(app, 'event-loop')).toBeGreaterThan(0)
    await expect.poll(async () => (await app.inject({ method: 'GET', url: '/fast' })).statusCode).toBe(200)
  })
})
