import { randomUUID } from 'node:crypto'
import { metricValue, waitFor } from '@bookstore/test-kit'
import { afterEach, describe, expect, it } from 'vitest'
import { type GatewayStack, startGatewayStack } from './harness'

describe('upstream failures', () => {
  let stack: GatewayStack | undefined
  afterEach(async () => {
    await stack?.close()
    stack = undefined
  })

  it('one of two cart-apis killed under load: requests keep succeeding through the other, no 5xx', async () => {
    const current = await startGatewayStack({
      apps: [
        { name: 'cart-api', process: true },
        { name: 'cart-api', process: true },
      ],
      gatewayEnv: { UPSTREAM_PROBE_INTERVAL_MS: '200' },
    })
    stack = current
    const gateway = current.gateways[0]
    if (!gateway) throw new Error('no gateway')
    const book = await current.seedBook({ stock: 100_000 })
    const shoppers = await Promise.all(Array.from({ length: 8 }, () => current.shopper()))
    const statuses = new Map<number, number>()
    const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1)
    let running = true
    let killed = false
    let afterKill = 0

    // Each shopper changes its cart (with an Idempotency-Key, as the shop does) and reads it, nonstop.
    const loops = shoppers.map(async ({ auth }) => {
      while (running) {
        const change = await fetch(`${gateway.url}/api/cart/items`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          body: JSON.stringify({ bookId: book.bookId, quantity: 1 }),
        })
        await change.body?.cancel()
        count(change.status)
        const read = await fetch(`${gateway.url}/api/cart`, { headers: auth })
        await read.body?.cancel()
        count(read.status)
        if (killed) afterKill += 2
      }
    })
    await waitFor(() => [...statuses.values()].reduce((a, b) => a + b, 0) > 200, 'load under way')
    const [victim] = current.running('cart-api')
    if (victim?.kind !== 'process') throw new Error('no cart-api process')
    await victim.kill('SIGKILL')
    killed = true
    await waitFor(() => afterKill > 300, 'requests after the kill', 30_000)
    running = false
    await Promise.all(loops)

    expect([...statuses.keys()]).toEqual([200])
    // The kill did hit traffic: attempts failed on the dead instance and went to the other one.
    expect(
      await metricValue(gateway.app, 'gateway_upstream_errors_total', 'upstream="cart-api"'),
    ).toBeGreaterThan(0)
    const ready = await (await fetch(`${gateway.url}/health/ready`)).json()
    expect(ready).toMatchObject({
      status: 'ok',
      checks: { 'upstream cart-api': expect.stringContaining('1 of 2 instances answer') },
    })
    expect(await metricValue(gateway.app, 'gateway_upstream_instances_up', 'upstream="cart-api"')).toBe(1)
    // Two app processes to start on a machine that may be busy.
  }, 90_000)

  it('an upstream that stops answering: 504 UPSTREAM_TIMEOUT, then answers again once it is back', async () => {
    const current = await startGatewayStack({
      apps: [{ name: 'cart-api', process: true }],
      gatewayEnv: { UPSTREAM_TIMEOUT_MS: '500' },
    })
    stack = current
    const { auth } = await current.shopper()
    const [cartApi] = current.running('cart-api')
    if (cartApi?.kind !== 'process') throw new Error('no cart-api process')
    expect((await fetch(`${current.url}/api/cart`, { headers: auth })).status).toBe(200)
    process.kill(cartApi.pid, 'SIGSTOP')
    try {
      const stalled = await fetch(`${current.url}/api/cart`, { headers: auth })
      expect(stalled.status).toBe(504)
      expect(await stalled.json()).toMatchObject({
        error: { code: 'UPSTREAM_TIMEOUT', details: { upstream: 'cart-api' } },
        requestId: expect.any(String),
      })
    } finally {
      process.kill(cartApi.pid, 'SIGCONT')
    }
    await waitFor(
      async () => (await fetch(`${current.url}/api/cart`, { headers: auth })).status === 200,
      'cart-api back',
    )
  }, 60_000)

  it('an upstream not configured or not listening: 502 UPSTREAM_UNAVAILABLE in the apps error shape', async () => {
    const current = await startGatewayStack({ apps: [], gatewayEnv: { CART_API_URLS: 'http://127.0.0.1:1' } })
    stack = current
    const { auth } = await current.shopper()
    for (const path of ['/api/cart', '/api/orders', '/api/checkout', '/api/admin/orders']) {
      const response = await fetch(`${current.url}${path}`, { method: 'GET', headers: auth })
      expect(response.status, path).toBe(502)
      expect(await response.json(), path).toMatchObject({
        error: { code: 'UPSTREAM_UNAVAILABLE', message: expect.any(String) },
        requestId: expect.any(String),
      })
    }
    // The gateway itself stays ready: it reports the upstream, it does not depend on it.
    const ready = await fetch(`${current.url}/health/ready`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toMatchObject({
      checks: { 'upstream cart-api': expect.stringContaining('0 of 1') },
    })
  })
})
