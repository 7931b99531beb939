import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayStack, parseRawAnswer, rawHttp, startGatewayStack } from './harness'

describe('admin tools behind the admin role', () => {
  let stack: GatewayStack

  beforeAll(async () => {
    stack = await startGatewayStack({ apps: ['cart-api', 'realtime-gateway'] })
    // A queue exists once cart-api has put a job on it.
    const { auth } = await stack.shopper()
    const book = await stack.seedBook()
    await fetch(`${stack.url}/api/cart/items`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ bookId: book.bookId }),
    })
  })
  afterAll(() => stack.close())

  const tools = ['/admin/queues', '/api/docs', '/api/docs/json', '/admin/queues/api/queues']

  it('refuses a customer token with 403, and a request without a session with 401', async () => {
    const { auth } = await stack.shopper()
    for (const path of tools) {
      const customer = await fetch(`${stack.url}${path}`, { headers: auth })
      expect(customer.status, path).toBe(403)
      expect(await customer.json(), path).toMatchObject({ error: { code: 'FORBIDDEN' } })
      const anonymous = await fetch(`${stack.url}${path}`, { headers: { accept: 'application/json' } })
      expect(anonymous.status, path).toBe(401)
      expect(await anonymous.json(), path).toMatchObject({ error: { code: 'AUTH_TOKEN_MISSING' } })
    }
  })

  it('sends a browser without an admin session to log in, coming back afterwards', async () => {
    const page = await fetch(`${stack.url}/admin/queues/queue/x?status=failed`, {
      headers: { accept: 'text/html,application/xhtml+xml' },
      redirect: 'manual',
    })
    expect(page.status).toBe(302)
    expect(page.headers.get('location')).toBe('/login?next=%2Fadmin%2Fqueues%2Fqueue%2Fx%3Fstatus%3Dfailed')
    const expired = await fetch(`${stack.url}/api/docs`, {
      headers: {
        accept: 'text/html',
        cookie: `bookstore_admin=${await stack.token('admin-1', { role: 'admin', expiresIn: -10 })}`,
      },
      redirect: 'manual',
    })
    expect(expired.status).toBe(302)
  })

  it('gives an admin Bull Board over every queue and Swagger UI over every app, with public paths', async () => {
    const admin = await stack.adminAuth()
    const board = await fetch(`${stack.url}/admin/queues`, { headers: admin })
    expect(board.status).toBe(200)
    expect(await board.text()).toContain('<div id="root">')
    const queues = (await (
      await fetch(`${stack.url}/admin/queues/api/queues`, { headers: admin })
    ).json()) as {
      queues: Array<{ name: string }>
    }
    expect(queues.queues.map((queue) => queue.name)).toContain('{cart-persistence}')

    const ui = await fetch(`${stack.url}/api/docs`, { headers: admin })
    expect(ui.status).toBe(200)
    expect(await ui.text()).toContain('swagger')
    const document = (await (await fetch(`${stack.url}/api/docs/json`, { headers: admin })).json()) as {
      paths: Record<string, unknown>
    }
    const paths = Object.keys(document.paths)
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/cart/items',
        '/api/cart/items/{bookId}',
        '/api/admin/carts/{userId}',
        '/admin/session',
      ]),
    )
    expect(paths.filter((path) => !path.startsWith('/api/') && path !== '/admin/session')).toEqual([])
  })

  it('turns an admin token into a cookie scoped to the admin tools, which then opens them alone', async () => {
    const customer = await stack.shopper()
    expect(
      (await fetch(`${stack.url}/admin/session`, { method: 'POST', headers: customer.auth })).status,
    ).toBe(403)
    const opened = await fetch(`${stack.url}/admin/session`, {
      method: 'POST',
      headers: await stack.adminAuth(),
    })
    expect(opened.status).toBe(200)
    const cookies = opened.headers.getSetCookie()
    expect(cookies).toHaveLength(2)
    for (const cookie of cookies)
      expect(cookie).toMatch(
        /^bookstore_admin=.+; Path=\/(admin\/queues|api\/docs); Max-Age=\d+; HttpOnly; SameSite=Strict$/,
      )
    const cookie = (cookies[0] ?? '').split(';')[0] ?? ''
    expect((await fetch(`${stack.url}/admin/queues`, { headers: { cookie } })).status).toBe(200)
    expect((await fetch(`${stack.url}/api/docs/json`, { headers: { cookie } })).status).toBe(200)
    const closed = await fetch(`${stack.url}/admin/session`, { method: 'DELETE' })
    expect(closed.status).toBe(204)
    expect(closed.headers.getSetCookie().every((line) => line.includes('Max-Age=0'))).toBe(true)
  })
})

describe('the web shop at /', () => {
  let stack: GatewayStack

  beforeAll(async () => {
    stack = await startGatewayStack({
      apps: ['cart-api'],
      gatewayEnv: { WEB_ROOT: new URL('./fixtures/web', import.meta.url).pathname },
    })
  })
  afterAll(() => stack.close())

  it("serves the shop's pages as index.html and its files with their caching", async () => {
    for (const path of ['/', '/books/book-0001', '/cart', '/login?next=%2Fcart']) {
      const page = await fetch(`${stack.url}${path}`)
      expect(page.status, path).toBe(200)
      expect(page.headers.get('content-type'), path).toContain('text/html')
      expect(page.headers.get('cache-control'), path).toBe('no-cache')
      expect(await page.text(), path).toContain('fixture shop')
    }
    const asset = await fetch(`${stack.url}/assets/index-Ab12Cd34.js`)
    expect(asset.status).toBe(200)
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    // Sent as the build compressed it (its .gz and .br beside it), to a client that accepts it.
    expect(asset.headers.get('content-encoding')).toBe('gzip')
    expect(asset.headers.get('vary')).toContain('accept-encoding')
    expect(await asset.text()).toBe(
      await readFile(new URL('./fixtures/web/assets/index-Ab12Cd34.js', import.meta.url), 'utf8'),
    )
    const identity = parseRawAnswer(
      await rawHttp(
        stack.url,
        'GET /assets/index-Ab12Cd34.js HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n',
      ),
    )
    expect(identity.status).toBe(200)
    expect(String(identity.body)).toContain("console.log('fixture')")
    const brotli = await rawHttp(
      stack.url,
      'GET /assets/index-Ab12Cd34.js HTTP/1.1\r\nHost: shop\r\nAccept-Encoding: br\r\nConnection: close\r\n\r\n',
    )
    expect(brotli.toLowerCase()).toContain('content-encoding: br')
    const robots = await fetch(`${stack.url}/robots.txt`)
    expect([robots.status, robots.headers.get('cache-control')]).toEqual([200, 'no-cache'])
    // Revalidation (fetch would add Cache-Control: no-cache to a conditional request: raw HTTP here).
    const again = await rawHttp(
      stack.url,
      `GET /robots.txt HTTP/1.1\r\nHost: shop\r\nIf-None-Match: ${robots.headers.get('etag')}\r\nConnection: close\r\n\r\n`,
    )
    expect(parseRawAnswer(again).status).toBe(304)
  })

  it('answers a missing file, an unknown API path and a hidden file with a JSON 404, never index.html', async () => {
    for (const path of [
      '/assets/gone-12345678.js',
      '/missing.png',
      '/api/unknown/thing',
      '/admin/nothing',
      '/.env',
    ]) {
      const answer = await fetch(`${stack.url}${path}`)
      expect(answer.status, path).toBe(404)
      expect(await answer.json(), path).toMatchObject({ error: { code: expect.any(String) } })
    }
  })
})
