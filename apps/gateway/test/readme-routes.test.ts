import { randomUUID } from 'node:crypto'
import { type SmtpSink, startSmtpSink } from '@bookstore/smtp-sink'
import type { AppName } from '@bookstore/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { publicPathOf, type UpstreamName } from '../src/domain/route-table'
import { type GatewayStack, startGatewayStack } from './harness'

/** One answer, as much of it as two runs of the same steps with different ids can share. */
interface Answer {
  step: string
  status: number
  body: unknown
  cookie?: boolean
}

/** An upstream of the route table that runs in this stack (order-api is not in yet). */
type RunningUpstream = Extract<UpstreamName, AppName>

type Call = (
  upstream: RunningUpstream,
  method: string,
  path: string,
  init?: { headers?: Record<string, string>; body?: unknown },
) => Promise<{ status: number; json: () => unknown; text: string; setCookie: string[] }>

/** Fields that differ between two runs by nature (times, generated ids, signed tokens). */
const volatile = new Set([
  'requestId',
  'createdAt',
  'updatedAt',
  'addedAt',
  'deletedAt',
  'accessToken',
  'refreshToken',
  'jobId',
  'id',
  // The schedules' run history: a run the other walk started may finish between the two reads.
  'recentRuns',
  'nextRunAt',
  'totalItems',
  'totalPages',
  'books',
])

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !volatile.has(key))
      .map(([key, item]) => [key, normalize(item)]),
  )
}

/** The README's routes (every app's table), in order, against `call`; ids are fresh for each run. */
async function readmeWalk(call: Call, stack: GatewayStack): Promise<Answer[]> {
  const answers: Answer[] = []
  const placeholders: Array<[string, string]> = []
  const fresh = (name: string, value: string) => {
    placeholders.push([value, `<${name}>`])
    return value
  }
  const run = fresh('run', randomUUID().slice(0, 8))
  const record = async (step: string, answer: Awaited<ReturnType<Call>>) => {
    let text = answer.text
    for (const [value, name] of placeholders) text = text.replaceAll(value, name)
    let body: unknown = text
    try {
      body = normalize(JSON.parse(text))
    } catch {
      // Not JSON (an empty 204): compared as text.
    }
    answers.push({ step, status: answer.status, body, ...(answer.setCookie.length > 0 && { cookie: true }) })
    return answer
  }
  const json = { 'content-type': 'application/json' }

  // cart-api
  const { userId, auth } = await stack.shopper()
  fresh('user', userId)
  const book = await stack.seedBook({ stock: 50 })
  fresh('book', book.bookId)
  const admin = await stack.adminAuth()
  await record('GET /cart', await call('cart-api', 'GET', '/cart', { headers: auth }))
  const add = {
    headers: { ...auth, ...json, 'idempotency-key': `add-${run}` },
    body: { bookId: book.bookId, quantity: 2 },
  }
  await record('POST /cart/items', await call('cart-api', 'POST', '/cart/items', add))
  await record('POST /cart/items replayed', await call('cart-api', 'POST', '/cart/items', add))
  await record(
    'PUT /cart/items/:bookId',
    await call('cart-api', 'PUT', `/cart/items/${book.bookId}`, {
      headers: { ...auth, ...json },
      body: { quantity: 3 },
    }),
  )
  await record('GET /cart/total', await call('cart-api', 'GET', '/cart/total', { headers: auth }))
  await record(
    'POST /cart/items unknown book',
    await call('cart-api', 'POST', '/cart/items', {
      headers: { ...auth, ...json },
      body: { bookId: `nope-${run}` },
    }),
  )
  await record(
    'POST /cart/items bad body',
    await call('cart-api', 'POST', '/cart/items', {
      headers: { ...auth, ...json },
      body: { quantity: 'many' },
    }),
  )
  await record(
    'GET /admin/carts/:userId',
    await call('cart-api', 'GET', `/admin/carts/${userId}`, { headers: admin }),
  )
  await record(
    'GET /admin/carts as a customer',
    await call('cart-api', 'GET', `/admin/carts/${userId}`, { headers: auth }),
  )
  await record(
    'DELETE /cart/items/:bookId',
    await call('cart-api', 'DELETE', `/cart/items/${book.bookId}`, { headers: auth }),
  )
  await record('DELETE /cart', await call('cart-api', 'DELETE', '/cart', { headers: auth }))
  await record('GET /cart without a token', await call('cart-api', 'GET', '/cart'))

  // auth-api
  const email = fresh('email', `readme-${run}@example.com`)
  const account = { headers: json, body: { email, password: 'correct horse battery staple' } }
  await record('POST /auth/register', await call('auth-api', 'POST', '/auth/register', account))
  await record('POST /auth/register again', await call('auth-api', 'POST', '/auth/register', account))
  const login = await record('POST /auth/login', await call('auth-api', 'POST', '/auth/login', account))
  const tokens = login.json() as { accessToken: string; refreshToken: string }
  const bearer = { authorization: `Bearer ${tokens.accessToken}` }
  await record('GET /auth/me', await call('auth-api', 'GET', '/auth/me', { headers: bearer }))
  const refreshed = await record(
    'POST /auth/refresh',
    await call('auth-api', 'POST', '/auth/refresh', {
      headers: json,
      body: { refreshToken: tokens.refreshToken },
    }),
  )
  const { refreshToken } = refreshed.json() as { refreshToken: string }
  await record(
    'POST /auth/logout',
    await call('auth-api', 'POST', '/auth/logout', { headers: json, body: { refreshToken } }),
  )
  await record('GET /auth/jwks.json', await call('auth-api', 'GET', '/auth/jwks.json'))
  const session = await record('POST /auth/session', await call('auth-api', 'POST', '/auth/session', account))
  const cookie = (session.setCookie[0] ?? '').split(';')[0] ?? ''
  await record(
    'POST /auth/session/refresh without X-Requested-With',
    await call('auth-api', 'POST', '/auth/session/refresh', { headers: { cookie } }),
  )
  const rotated = await record(
    'POST /auth/session/refresh',
    await call('auth-api', 'POST', '/auth/session/refresh', {
      headers: { cookie, 'x-requested-with': 'fetch' },
    }),
  )
  const rotatedCookie = (rotated.setCookie[0] ?? '').split(';')[0] ?? ''
  await record(
    'POST /auth/session/logout',
    await call('auth-api', 'POST', '/auth/session/logout', {
      headers: { cookie: rotatedCookie, 'x-requested-with': 'fetch' },
    }),
  )

  // book-api
  const category = fresh('category', `readme-${run}`)
  const bookId = fresh('new-book', `readme-book-${run}`)
  const adminJson = { ...admin, ...json }
  await record(
    'POST /admin/categories',
    await call('book-api', 'POST', '/admin/categories', {
      headers: adminJson,
      body: { id: category, name: `Readme ${run}` },
    }),
  )
  await record(
    'POST /admin/books',
    await call('book-api', 'POST', '/admin/books', {
      headers: adminJson,
      body: {
        id: bookId,
        title: `Gateway walk ${run}`,
        author: 'Ann Author',
        priceCents: 1999,
        stock: 3,
        categories: [category],
      },
    }),
  )
  await record(
    'POST /admin/books as a customer',
    await call('book-api', 'POST', '/admin/books', { headers: { ...auth, ...json }, body: {} }),
  )
  await record('GET /books/:bookId', await call('book-api', 'GET', `/books/${bookId}`))
  await record(
    'GET /books?category',
    await call('book-api', 'GET', `/books?category=${category}&sort=price-asc&pageSize=5`),
  )
  await record('GET /books?bad query', await call('book-api', 'GET', '/books?pageSize=1000'))
  const categories = await call('book-api', 'GET', '/categories')
  answers.push({
    step: 'GET /categories',
    status: categories.status,
    body: (categories.json() as unknown[]).length > 0,
  })
  await record(
    'PATCH /admin/books/:bookId',
    await call('book-api', 'PATCH', `/admin/books/${bookId}`, {
      headers: adminJson,
      body: { priceCents: 2499 },
    }),
  )
  await record(
    'PUT /admin/books/:bookId/stock',
    await call('book-api', 'PUT', `/admin/books/${bookId}/stock`, { headers: adminJson, body: { stock: 7 } }),
  )
  await record(
    'POST /admin/books/:bookId/stock/adjust',
    await call('book-api', 'POST', `/admin/books/${bookId}/stock/adjust`, {
      headers: adminJson,
      body: { delta: -2 },
    }),
  )
  await record(
    'DELETE /admin/books/:bookId',
    await call('book-api', 'DELETE', `/admin/books/${bookId}`, { headers: admin }),
  )
  await record('GET /books/:bookId deleted', await call('book-api', 'GET', `/books/${bookId}`))
  await record(
    'POST /admin/read-model/rebuild',
    await call('book-api', 'POST', '/admin/read-model/rebuild', { headers: admin }),
  )

  // persistence-worker and mail-worker: the dead-letter queues; the scheduler
  for (const worker of ['persistence-worker', 'mail-worker'] as const) {
    await record(
      `${worker} GET /admin/dead-letters`,
      await call(worker, 'GET', '/admin/dead-letters?limit=5', { headers: admin }),
    )
    await record(
      `${worker} POST /admin/dead-letters/:id/replay`,
      await call(worker, 'POST', `/admin/dead-letters/none-${run}/replay`, { headers: admin }),
    )
    await record(
      `${worker} DELETE /admin/dead-letters/:id`,
      await call(worker, 'DELETE', `/admin/dead-letters/none-${run}`, { headers: admin }),
    )
  }
  await record('GET /admin/schedules', await call('scheduler', 'GET', '/admin/schedules', { headers: admin }))
  await record(
    'POST /admin/schedules/:name/run unknown',
    await call('scheduler', 'POST', '/admin/schedules/nope/run', { headers: admin }),
  )
  await record(
    'POST /admin/schedules/:name/run',
    await call('scheduler', 'POST', '/admin/schedules/reconcile-carts/run', { headers: admin }),
  )
  return answers
}

describe('every README route through the gateway answers as the app does directly', () => {
  let stack: GatewayStack
  let sink: SmtpSink

  beforeAll(async () => {
    sink = await startSmtpSink()
    stack = await startGatewayStack({
      apps: [
        'cart-api',
        'persistence-worker',
        'realtime-gateway',
        'auth-api',
        'book-api',
        'mail-worker',
        'scheduler',
      ],
      database: true,
      appEnv: { 'mail-worker': { SMTP_URL: sink.url } },
    })
  }, 60_000)
  afterAll(async () => {
    await stack?.close()
    await sink?.close()
  })

  const caller =
    (through: 'direct' | 'gateway'): Call =>
    async (upstream, method, path, init = {}) => {
      const [pathname = '', query] = path.split('?')
      const publicPath = publicPathOf(upstream, pathname)
      if (publicPath === undefined) throw new Error(`${upstream} ${pathname} is not in the route table`)
      const url =
        through === 'direct'
          ? `${stack.instance(upstream).url}${path}`
          : `${stack.url}${publicPath}${query === undefined ? '' : `?${query}`}`
      const response = await fetch(url, {
        method,
        headers: init.headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      })
      const text = await response.text()
      return {
        status: response.status,
        text,
        json: () => JSON.parse(text),
        setCookie: response.headers.getSetCookie(),
      }
    }

  it('cart, accounts, catalog, dead letters and schedules: same statuses and bodies', async () => {
    const direct = await readmeWalk(caller('direct'), stack)
    const through = await readmeWalk(caller('gateway'), stack)
    expect(through).toEqual(direct)
    // Not a walk of refusals: most steps succeeded.
    expect(direct.filter((answer) => answer.status < 300).length).toBeGreaterThan(30)
  }, 60_000)
})
