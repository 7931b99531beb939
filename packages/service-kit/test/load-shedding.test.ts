import { connect, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { fastifyOptions, type ServerTimeoutConfig, servicePlugin } from '../src'

const apps: ReturnType<typeof Fastify>[] = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

/**
 * An app booted as production boots one (fastifyOptions: the gate in front of Fastify), listening on
 * a free port; its /slow requests wait until released: the work in flight is in the test's hands.
 */
async function appWithSlowRoute(
  shedding: { maxInFlight: number; maxQueued?: number; maxEventLoopDelayMs: number },
  timeouts: Partial<ServerTimeoutConfig> = {},
) {
  const config = {
    LOG_LEVEL: 'silent',
    MAX_IN_FLIGHT: shedding.maxInFlight,
    MAX_QUEUED: shedding.maxQueued ?? 0,
    MAX_EVENT_LOOP_DELAY_MS: shedding.maxEventLoopDelayMs,
    HTTP_HEADERS_TIMEOUT_MS: 10_000,
    HTTP_REQUEST_TIMEOUT_MS: 30_000,
    HTTP_KEEP_ALIVE_TIMEOUT_MS: 5_000,
    ...timeouts,
  }
  const app = Fastify(fastifyOptions(config))
  apps.push(app)
  await app.register(servicePlugin, { serviceName: 'shed-test', description: 'load shedding test' })
  const waiting: (() => void)[] = []
  const started = { fast: 0 }
  app.get('/slow', () => new Promise<{ ok: true }>((resolve) => waiting.push(() => resolve({ ok: true }))))
  app.get('/fast', async () => {
    started.fast += 1
    return { ok: true }
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  const get = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${port}${path}`, init)
  return { app, waiting, started, get, port }
}

const shedCount = async (get: (path: string) => Promise<Response>, reason: string) => {
  const metrics = await (await get('/metrics')).text()
  return Number(
    new RegExp(`http_requests_shed_total\\{reason="${reason}"[^}]*\\} (\\d+)`).exec(metrics)?.[1] ?? 0,
  )
}

/** An app with its one place taken by a /slow request (`first`) and room for two to wait. */
async function appWithOnePlaceTaken() {
  const app = await appWithSlowRoute({ maxInFlight: 1, maxQueued: 2, maxEventLoopDelayMs: 0 })
  const first = app.get('/slow')
  await expect.poll(() => app.waiting.length).toBe(1)
  return { ...app, first }
}

const untilQueued = (get: (path: string) => Promise<Response>, count: number) =>
  expect
    .poll(async () => (await get('/metrics')).text())
    .toMatch(new RegExp(`^http_requests_queued(\\{[^}]*\\})? ${count}$`, 'm'))

/** Keeps the event loop busy for `ms`, as a backlog of work would. */
function busy(ms: number) {
  const until = Date.now() + ms
  while (Date.now() < until) {}
}

describe('load shedding (issue 18)', () => {
  it('refuses the request over MAX_IN_FLIGHT at once with 503 OVERLOADED and Retry-After, and takes work again when some ends', async () => {
    const { waiting, get } = await appWithSlowRoute({ maxInFlight: 2, maxEventLoopDelayMs: 0 })
    const first = get('/slow')
    const second = get('/slow')
    await expect.poll(() => waiting.length).toBe(2)

    const refused = await get('/fast', { method: 'GET', headers: { 'x-request-id': 'shed-1' } })
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(await refused.json()).toEqual({
      error: { code: 'OVERLOADED', message: expect.any(String) },
      requestId: 'shed-1',
    })
    // A refused request with a body leaves the connection usable.
    expect((await get('/fast', { method: 'POST', body: JSON.stringify({ a: 1 }) })).status).toBe(503)
    // What an operator needs under load is never refused.
    expect((await get('/health/live')).status).toBe(200)
    expect(await shedCount(get, 'in-flight')).toBe(2)

    waiting.shift()?.()
    expect((await first).status).toBe(200)
    expect((await get('/fast')).status).toBe(200)
    waiting.shift()?.()
    expect((await second).status).toBe(200)
  })

  it('lets a request wait behind a full MAX_IN_FLIGHT, up to MAX_QUEUED, and refuses the next at once', async () => {
    const { waiting, started, get, first } = await appWithOnePlaceTaken()
    const queued = [get('/fast'), get('/fast')]
    await untilQueued(get, 2)
    expect(started.fast).toBe(0)

    expect((await get('/fast')).status).toBe(503)
    expect(await shedCount(get, 'in-flight')).toBe(1)

    waiting.shift()?.()
    expect((await first).status).toBe(200)
    expect((await Promise.all(queued)).map((response) => response.status)).toEqual([200, 200])
    expect(started.fast).toBe(2)
  })

  it('does not start a waiting request whose client went away', async () => {
    const { waiting, started, get, first } = await appWithOnePlaceTaken()
    const abort = new AbortController()
    const gone = get('/fast', { signal: abort.signal }).catch(() => 'aborted')
    const kept = get('/fast')
    await untilQueued(get, 2)
    abort.abort()
    expect(await gone).toBe('aborted')
    await sleep(50)
    waiting.shift()?.()
    expect((await first).status).toBe(200)
    expect((await kept).status).toBe(200)
    expect(started.fast).toBe(1)
  })

  it('counts a request whose client went away as ended', async () => {
    const { waiting, get } = await appWithSlowRoute({ maxInFlight: 1, maxEventLoopDelayMs: 0 })
    const abort = new AbortController()
    const gone = get('/slow', { signal: abort.signal }).catch(() => 'aborted')
    await expect.poll(() => waiting.length).toBe(1)
    expect((await get('/fast')).status).toBe(503)
    abort.abort()
    expect(await gone).toBe('aborted')
    await expect.poll(async () => (await get('/fast')).status).toBe(200)
    waiting.shift()?.()
  })

  it('ignores one late tick (a GC pause)', async () => {
    const { get } = await appWithSlowRoute({ maxInFlight: 0, maxEventLoopDelayMs: 100 })
    busy(300)
    for (let tick = 0; tick < 5; tick += 1) {
      expect((await get('/fast')).status).toBe(200)
      await sleep(50)
    }
  })

  it('refuses new requests while the event loop runs late, and serves again once it catches up', async () => {
    const { get } = await appWithSlowRoute({ maxInFlight: 0, maxEventLoopDelayMs: 100 })
    // Late tick after tick, as an overloaded loop is.
    for (let round = 0; round < 3; round += 1) {
      busy(300)
      await sleep(0)
    }
    const refused = await get('/fast')
    expect(refused.status).toBe(503)
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('OVERLOADED')
    expect(await shedCount(get, 'event-loop')).toBeGreaterThan(0)
    await expect.poll(async () => (await get('/fast')).status, { timeout: 3000 }).toBe(200)
  })
})

/** A raw connection to the app: what it was sent back and when the server closed it. */
async function rawClient(port: number) {
  const socket: Socket = connect({ port, host: '127.0.0.1' })
  await new Promise((resolve) => socket.once('connect', resolve))
  const opened = performance.now()
  let received = ''
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1')
  })
  const closed = new Promise<number>((resolve) =>
    socket.once('close', () => resolve(performance.now() - opened)),
  )
  return { socket, closed, received: () => received }
}

describe('slow clients (issue 18)', () => {
  const timeouts = {
    HTTP_HEADERS_TIMEOUT_MS: 300,
    HTTP_REQUEST_TIMEOUT_MS: 600,
    HTTP_KEEP_ALIVE_TIMEOUT_MS: 400,
  }
  const open = { maxInFlight: 0, maxEventLoopDelayMs: 0 }

  it('answers 408 and closes a connection whose headers do not arrive within HTTP_HEADERS_TIMEOUT_MS', async () => {
    const { port, started } = await appWithSlowRoute(open, timeouts)
    const client = await rawClient(port)
    client.socket.write('GET /fast HTTP/1.1\r\nhost: test\r\nx-slow: ')
    const closedAfter = await client.closed
    expect(client.received()).toMatch(/^HTTP\/1\.1 408/)
    expect(closedAfter).toBeGreaterThanOrEqual(250)
    expect(closedAfter).toBeLessThan(3000)
    expect(started.fast).toBe(0)
  })

  it('closes a connection whose body does not arrive within HTTP_REQUEST_TIMEOUT_MS', async () => {
    const { port } = await appWithSlowRoute(open, timeouts)
    const client = await rawClient(port)
    client.socket.write(
      'POST /fast HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{',
    )
    const closedAfter = await client.closed
    expect(client.received()).toMatch(/^HTTP\/1\.1 408/)
    expect(closedAfter).toBeGreaterThanOrEqual(550)
    expect(closedAfter).toBeLessThan(3000)
  })

  it('closes an idle kept-alive connection after HTTP_KEEP_ALIVE_TIMEOUT_MS', async () => {
    const { port } = await appWithSlowRoute(open, timeouts)
    const client = await rawClient(port)
    client.socket.write('GET /fast HTTP/1.1\r\nhost: test\r\n\r\n')
    await expect.poll(() => client.received()).toMatch(/^HTTP\/1\.1 200/)
    const answeredAt = performance.now()
    await client.closed
    const idleFor = performance.now() - answeredAt
    expect(idleFor).toBeGreaterThanOrEqual(300)
    expect(idleFor).toBeLessThan(3000)
  })
})
