import { type LogLine, metricValue, waitFor } from '@bookstore/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { answeredCount, type GatewayStack, parseRawAnswer, rawHttp, startGatewayStack } from './harness'

describe('bad input at the edge: a clear 4xx, the upstream untouched', () => {
  let stack: GatewayStack
  let cartApiUrl: string
  const cartRoutesAnswered = async () =>
    (await answeredCount(cartApiUrl, '/cart/items')) + (await answeredCount(cartApiUrl, '/cart'))

  beforeAll(async () => {
    stack = await startGatewayStack({
      apps: ['cart-api', 'realtime-gateway'],
      gatewayEnv: { BODY_LIMIT_BYTES: '4096', CORS_ORIGINS: 'https://partner.example' },
    })
    cartApiUrl = stack.instance('cart-api').url
  })
  afterAll(() => stack.close())

  const post = (path: string, headers: Record<string, string>, body: string) =>
    `POST ${path} HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n${Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')}\r\n${body}`

  it('refuses a body over the limit, announced or streamed, with 413 PAYLOAD_TOO_LARGE', async () => {
    const { auth } = await stack.shopper()
    const before = await cartRoutesAnswered()
    const huge = JSON.stringify({ bookId: 'book-1', quantity: 1, pad: 'x'.repeat(10_000) })
    const announced = await fetch(`${stack.url}/api/cart/items`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: huge,
    })
    expect(announced.status).toBe(413)
    expect(await announced.json()).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE' },
      requestId: expect.any(String),
    })
    const chunk = huge.slice(0, 3000)
    const streamed = parseRawAnswer(
      await rawHttp(
        stack.url,
        post(
          '/api/cart/items',
          { ...auth, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
          [
            `${chunk.length.toString(16)}\r\n${chunk}\r\n`,
            `${chunk.length.toString(16)}\r\n${chunk}\r\n`,
            '0\r\n\r\n',
          ].join(''),
        ),
      ),
    )
    expect(streamed).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } })
    expect(await cartRoutesAnswered()).toBe(before)
  })

  it('refuses paths that could reach another route upstream with 400 BAD_PATH', async () => {
    const { auth } = await stack.shopper()
    const before = await cartRoutesAnswered()
    for (const path of [
      '/api/cart/../admin/carts/x',
      '/api/cart/%2e%2e/admin/carts/x',
      '/api/cart//items',
      '/api/cart/items%00',
    ]) {
      const answer = parseRawAnswer(
        await rawHttp(
          stack.url,
          `GET ${path} HTTP/1.1\r\nHost: shop\r\nAuthorization: ${auth.authorization}\r\nConnection: close\r\n\r\n`,
        ),
      )
      expect(answer, path).toMatchObject({ status: 400, body: { error: { code: 'BAD_PATH' } } })
    }
    const unknown = await fetch(`${stack.url}/api/nothing-here`)
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } })
    expect(await cartRoutesAnswered()).toBe(before)
  })

  it('refuses a request with both Content-Length and Transfer-Encoding (smuggling) with 400', async () => {
    const { auth } = await stack.shopper()
    const before = await cartRoutesAnswered()
    const smuggled = `${post(
      '/api/cart/items',
      { ...auth, 'Content-Type': 'application/json', 'Content-Length': '4', 'Transfer-Encoding': 'chunked' },
      '0\r\n\r\n',
    )}GET /api/cart HTTP/1.1\r\nHost: shop\r\nAuthorization: ${auth.authorization}\r\n\r\n`
    const answer = await rawHttp(stack.url, smuggled)
    expect(parseRawAnswer(answer)).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } })
    // One answer only: the request hidden after the first was never read.
    expect(answer.match(/HTTP\/1\.1 /g)).toHaveLength(1)
    expect(await cartRoutesAnswered()).toBe(before)
  })

  it('refuses an upgrade to any path but /ws, and an upgrade that is not a WebSocket', async () => {
    const realtimeUrl = stack.instance('realtime-gateway').url
    const before =
      (await answeredCount(realtimeUrl, '/ws')) +
      (await metricValue(stack.instance('realtime-gateway').app, 'realtime_upgrades_rejected_total'))
    const upgrade = (path: string, protocol: string) =>
      `GET ${path} HTTP/1.1\r\nHost: shop\r\nConnection: Upgrade\r\nUpgrade: ${protocol}\r\n` +
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'
    expect(parseRawAnswer(await rawHttp(stack.url, upgrade('/api/cart', 'websocket')))).toMatchObject({
      status: 404,
      body: { error: { code: 'ROUTE_NOT_FOUND' } },
    })
    expect(parseRawAnswer(await rawHttp(stack.url, upgrade('/ws', 'h2c')))).toMatchObject({
      status: 400,
      body: { error: { code: 'BAD_UPGRADE' } },
    })
    expect(parseRawAnswer(await rawHttp(stack.url, upgrade('/ws/../api/cart', 'websocket')))).toMatchObject({
      status: 400,
      body: { error: { code: 'BAD_PATH' } },
    })
    const after =
      (await answeredCount(realtimeUrl, '/ws')) +
      (await metricValue(stack.instance('realtime-gateway').app, 'realtime_upgrades_rejected_total'))
    expect(after).toBe(before)
  })

  it('takes a well-formed X-Request-Id and passes it upstream; replaces one that is not', async () => {
    const { auth } = await stack.shopper()
    const given = await fetch(`${stack.url}/api/cart`, {
      headers: { ...auth, 'x-request-id': 'edge-test-42' },
    })
    expect(given.headers.get('x-request-id')).toBe('edge-test-42')
    const refused = await fetch(`${stack.url}/api/cart`, { headers: { 'x-request-id': 'edge-test-43' } })
    // cart-api's own 401 carries the id the gateway passed on.
    expect(await refused.json()).toMatchObject({
      error: { code: 'AUTH_TOKEN_MISSING' },
      requestId: 'edge-test-43',
    })
    const replaced = await fetch(`${stack.url}/api/cart`, {
      headers: { ...auth, 'x-request-id': 'x'.repeat(300) },
    })
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/)
  })

  it('writes one access line per request and measures latency per route', async () => {
    const logs: LogLine[] = []
    const logged = await stack.start('gateway', {
      logs,
      env: { ...stack.gatewayUpstreams(), LOG_LEVEL: 'info' },
    })
    const { auth } = await stack.shopper()
    const answer = await fetch(`${logged.url}/api/cart`, {
      headers: { ...auth, 'x-request-id': 'access-line-1' },
    })
    expect(answer.status).toBe(200)
    await waitFor(() => logs.some((line) => line.msg === 'request'), 'the access line')
    const lines = logs.filter((line) => line.reqId === 'access-line-1')
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'request',
        method: 'GET',
        url: '/api/cart',
        status: 200,
        ip: '127.0.0.1',
        upstream: stack.instance('cart-api').url,
      }),
    ])
    expect(
      await metricValue(
        logged.app,
        'http_request_duration_seconds_count',
        'route="/api/cart"',
        'status="200"',
      ),
    ).toBe(1)
    await logged.close()
  })

  it('sets security headers, and CORS headers for configured origins only', async () => {
    const page = await fetch(`${stack.url}/api/cart`, { headers: { origin: 'https://partner.example' } })
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(page.headers.get('access-control-allow-origin')).toBe('https://partner.example')
    const foreign = await fetch(`${stack.url}/api/cart`, { headers: { origin: 'https://evil.example' } })
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull()
    const preflight = await fetch(`${stack.url}/api/cart/items`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://partner.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,idempotency-key',
      },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-headers')).toContain('idempotency-key')
  })
})
