import { gatewayUpstreamVariable } from '@bookstore/test-kit'
import { describe, expect, it } from 'vitest'
import { upstreamEnvName } from '../src/config'
import { adminCookies, cookieValue, loginRedirect, wantsPage } from '../src/domain/admin-cookie'
import { forwardedHeaders } from '../src/domain/forwarded-headers'
import { mergeOpenApi } from '../src/domain/openapi-merge'
import { requestIdOf } from '../src/domain/request-id'
import { checkRequestTarget } from '../src/domain/request-path'
import { classifyFailure, mayRetry } from '../src/domain/retry-policy'
import { publicPathOf, routeTable, upstreamNames } from '../src/domain/route-table'
import { cacheControlFor, isPagePath } from '../src/domain/static-caching'
import { clientResponseHeaders, notSentUpstream } from '../src/domain/upstream-call'
import { createUpstreamPool } from '../src/domain/upstream-pool'

describe('the route table', () => {
  it('strips only /api: each public path is the app path under /api, except the shared dead letters', () => {
    for (const route of routeTable) {
      if (route.path.startsWith('/api/admin/dead-letters/')) continue
      expect(route.path).toBe(`/api${route.to}`)
    }
    expect(publicPathOf('cart-api', '/cart/items/{bookId}')).toBe('/api/cart/items/{bookId}')
    expect(publicPathOf('book-api', '/categories')).toBe('/api/categories')
    expect(publicPathOf('mail-worker', '/admin/dead-letters/{id}/replay')).toBe(
      '/api/admin/dead-letters/email/{id}/replay',
    )
    expect(publicPathOf('persistence-worker', '/admin/dead-letters')).toBe(
      '/api/admin/dead-letters/persistence',
    )
    expect(publicPathOf('realtime-gateway', '/ws')).toBe('/ws')
    // Not exposed, and never a near miss of a prefix.
    expect(publicPathOf('cart-api', '/health/ready')).toBeUndefined()
    expect(publicPathOf('cart-api', '/cartography')).toBeUndefined()
  })

  it('names each upstream setting as test-kit and the local stack build it', () => {
    for (const name of upstreamNames) expect(upstreamEnvName(name)).toBe(gatewayUpstreamVariable(name))
    expect(upstreamEnvName('cart-api')).toBe('CART_API_URLS')
  })
})

describe('an upstream pool', () => {
  it('balances over the instances that answer and skips one that is down until it is up again', () => {
    const pool = createUpstreamPool('cart-api', ['http://a', 'http://b'])
    const picks = Array.from({ length: 4 }, () => pool.pick()?.url)
    expect(new Set(picks)).toEqual(new Set(['http://a', 'http://b']))
    pool.markDown('http://a', 'connect failed')
    expect(Array.from({ length: 4 }, () => pool.pick()?.url)).toEqual(Array(4).fill('http://b'))
    expect(pool.describe()).toBe('1 of 2 instances answer; http://a: connect failed')
    pool.markUp('http://a')
    expect(new Set(Array.from({ length: 4 }, () => pool.pick()?.url))).toEqual(
      new Set(['http://a', 'http://b']),
    )
    expect(pool.describe()).toBe('ok')
  })

  it('tries a down instance when none is up, and never one already tried', () => {
    const pool = createUpstreamPool('cart-api', ['http://a', 'http://b'])
    pool.markDown('http://a', 'x')
    pool.markDown('http://b', 'y')
    expect(pool.pick()).toBeDefined()
    expect(pool.pick(new Set(['http://a']))?.url).toBe('http://b')
    expect(pool.pick(new Set(['http://a', 'http://b']))).toBeUndefined()
    expect(createUpstreamPool('order-api', []).pick()).toBeUndefined()
  })
})

describe('the retry policy', () => {
  const error = (code: string) =>
    Object.assign(new Error('wrapped'), { code: 'FST_X', cause: Object.assign(new Error(code), { code }) })

  it('tells connection failures, resets and timeouts apart by their innermost code', () => {
    expect(classifyFailure(error('ECONNREFUSED'))).toBe('connect')
    expect(classifyFailure(error('UND_ERR_SOCKET'))).toBe('reset')
    expect(classifyFailure(Object.assign(new Error('t'), { code: 'UND_ERR_HEADERS_TIMEOUT' }))).toBe(
      'timeout',
    )
    expect(classifyFailure(new Error('?'))).toBe('other')
  })

  it('sends a request elsewhere only when doing it twice is harmless', () => {
    const post = { method: 'POST', hasIdempotencyKey: false }
    // Never connected: nothing was sent.
    expect(mayRetry('connect', post)).toBe(true)
    // Lost under way: a POST only with an Idempotency-Key (the app replays its first answer).
    expect(mayRetry('reset', post)).toBe(false)
    expect(mayRetry('reset', { ...post, hasIdempotencyKey: true })).toBe(true)
    expect(mayRetry('reset', { method: 'GET', hasIdempotencyKey: false })).toBe(true)
    expect(mayRetry('reset', { method: 'PATCH', hasIdempotencyKey: false })).toBe(false)
    // Still running upstream: never doubled.
    expect(mayRetry('timeout', { method: 'GET', hasIdempotencyKey: true })).toBe(false)
  })
})

describe('the request target', () => {
  it('refuses paths an app could read differently from the gateway', () => {
    for (const bad of [
      '/api/cart/../admin/carts/x',
      '/api/cart/%2e%2e/admin',
      '/api/cart/%2E%2E%2Fadmin',
      '/api/cart//items',
      '/api/cart/items%00',
      '/api/cart/%zz',
      '/api/cart\\items',
      `/api/${'x'.repeat(3000)}`,
    ])
      expect(() => checkRequestTarget(bad), bad).toThrow(expect.objectContaining({ code: 'BAD_PATH' }))
    for (const good of ['/', '/api/cart/items/book-1?x=..', '/api/books?q=dune%20messiah', '/books/dune/'])
      expect(() => checkRequestTarget(good), good).not.toThrow()
  })

  it('takes a request id that looks like one and makes one otherwise', () => {
    expect(requestIdOf('abc-123')).toBe('abc-123')
    const made = [requestIdOf('bad id\r\nx'), requestIdOf(undefined), requestIdOf(['', 'x'])]
    for (const id of made) expect(id).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/)
    expect(new Set(made).size).toBe(3)
  })
})

describe('forwarded headers', () => {
  const original = { requestId: 'r1', peerAddress: '10.1.2.3', protocol: 'http', host: 'shop.example' }

  it('at the edge, drops what the client claims and names the peer', () => {
    const headers = forwardedHeaders(
      { 'x-forwarded-for': '1.1.1.1', forwarded: 'for=1.1.1.1', authorization: 'Bearer t' },
      { ...original, trustsProxies: false },
    )
    expect(headers).toEqual({
      authorization: 'Bearer t',
      'x-forwarded-for': '10.1.2.3',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'shop.example',
      'x-request-id': 'r1',
    })
  })

  it('behind trusted proxies, keeps their chain and appends the peer', () => {
    const headers = forwardedHeaders(
      { 'x-forwarded-for': '203.0.113.9' },
      { ...original, trustsProxies: true },
    )
    expect(headers['x-forwarded-for']).toBe('203.0.113.9, 10.1.2.3')
  })
})

describe('headers across the hop', () => {
  it("keeps the connection's own headers and what undici sets from the request", () => {
    const sent = forwardedHeaders(
      {
        host: 'shop.example',
        connection: 'keep-alive, x-secret',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        'content-length': '12',
        upgrade: 'h2c',
        te: 'trailers',
        authorization: 'Bearer t',
        'idempotency-key': 'k1',
        'content-type': 'application/json',
      },
      {
        requestId: 'r1',
        peerAddress: '10.0.0.9',
        protocol: 'http',
        host: 'shop.example',
        trustsProxies: false,
      },
      notSentUpstream,
    )
    expect(sent).toEqual({
      authorization: 'Bearer t',
      'idempotency-key': 'k1',
      'content-type': 'application/json',
      'x-forwarded-for': '10.0.0.9',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'shop.example',
      'x-request-id': 'r1',
    })
  })

  it('passes every answer header on but the hop ones, several Set-Cookie lines included', () => {
    const answer = clientResponseHeaders({
      'content-type': 'application/json',
      'content-length': '2',
      'set-cookie': ['a=1; HttpOnly', 'b=2; HttpOnly'],
      connection: 'keep-alive',
      'keep-alive': 'timeout=72',
      'transfer-encoding': 'chunked',
    })
    expect(answer).toEqual({
      'content-type': 'application/json',
      'content-length': '2',
      'set-cookie': ['a=1; HttpOnly', 'b=2; HttpOnly'],
    })
  })
})

describe('the admin cookie', () => {
  it('is httpOnly, SameSite=Strict and scoped to each admin tool', () => {
    const cookies = adminCookies('tok', { maxAgeSeconds: 60, secure: true })
    expect(cookies).toEqual([
      'bookstore_admin=tok; Path=/admin/queues; Max-Age=60; HttpOnly; SameSite=Strict; Secure',
      'bookstore_admin=tok; Path=/api/docs; Max-Age=60; HttpOnly; SameSite=Strict; Secure',
    ])
    expect(adminCookies('tok', { maxAgeSeconds: 0, secure: false })[0]).toBe(
      'bookstore_admin=; Path=/admin/queues; Max-Age=0; HttpOnly; SameSite=Strict',
    )
    expect(cookieValue('a=1; bookstore_admin=xyz; b=2', 'bookstore_admin')).toBe('xyz')
    expect(cookieValue('bookstore_administrator=1', 'bookstore_admin')).toBeUndefined()
  })

  it('sends a browser asking for a page to log in, and comes back after', () => {
    expect(wantsPage('GET', 'text/html,application/xhtml+xml')).toBe(true)
    expect(wantsPage('GET', 'application/json')).toBe(false)
    expect(wantsPage('POST', 'text/html')).toBe(false)
    expect(loginRedirect('/login', '/admin/queues/queue/x?y=1')).toBe(
      '/login?next=%2Fadmin%2Fqueues%2Fqueue%2Fx%3Fy%3D1',
    )
  })
})

describe('the shop files', () => {
  it('caches hashed assets for good and revalidates everything else', () => {
    expect(cacheControlFor('/assets/index-B3x9_kQa.js')).toBe('public, max-age=31536000, immutable')
    expect(cacheControlFor('/index.html')).toBe('no-cache')
    expect(cacheControlFor('/robots.txt')).toBe('no-cache')
    expect(cacheControlFor('/assets/logo.svg')).toBe('no-cache')
    expect(isPagePath('/books/dune')).toBe(true)
    expect(isPagePath('/favicon.ico')).toBe(false)
  })
})

describe('the merged OpenAPI document', () => {
  const error = { $id: 'ErrorResponse', type: 'object' }
  const cartDocument = {
    paths: {
      '/cart/items': { post: { responses: { 400: { $ref: '#/components/schemas/ErrorResponse' } } } },
      '/health/ready': { get: {} },
    },
    components: { schemas: { ErrorResponse: error, Thing: { type: 'string' } } },
  }
  const mailDocument = {
    paths: {
      '/admin/dead-letters': {
        get: { tags: ['dead-letter queue'], responses: { 200: { $ref: '#/components/schemas/Thing' } } },
      },
    },
    components: { schemas: { ErrorResponse: error, Thing: { type: 'integer' } } },
  }

  it('shows every path as the public one, keeps shared schemas once and renames clashing ones', () => {
    const merged = mergeOpenApi(
      [
        { upstream: 'cart-api', document: cartDocument },
        { upstream: 'mail-worker', document: mailDocument },
      ],
      { title: 't', description: 'd', version: '1' },
    )
    expect(Object.keys(merged.paths ?? {})).toEqual(['/api/admin/dead-letters/email', '/api/cart/items'])
    expect(merged.components?.schemas).toEqual({
      ErrorResponse: error,
      Thing: { type: 'string' },
      'mail-worker.Thing': { type: 'integer' },
    })
    expect(JSON.stringify(merged.paths?.['/api/admin/dead-letters/email'])).toContain(
      '#/components/schemas/mail-worker.Thing',
    )
    expect(merged.paths?.['/api/cart/items']?.post).toMatchObject({ tags: ['cart-api'] })
  })
})
