import type { ServerOrderChanged } from '@bookstore/events'
import { createRealtimeClient, type WebSocketConstructor } from '@bookstore/realtime-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { type OrderStack, startOrderStack, waitFor } from './harness'

let stack: OrderStack
beforeAll(async () => {
  stack = await startOrderStack({ apps: ['realtime-gateway'] })
})
afterAll(async () => {
  await stack?.close()
})

/** A shopper's live socket (the typed client), recording every order message it applied. */
async function watchOrders(userId: string) {
  const received: ServerOrderChanged[] = []
  const client = createRealtimeClient({
    url: `${stack.instance('realtime-gateway').url.replace('http', 'ws')}/ws`,
    token: await stack.token(userId),
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    onOrder: (event) => received.push(event),
  })
  stack.onClose(() => client.close())
  await client.ready()
  return received
}

describe('whose orders (SPEC O2, C6, E1)', () => {
  it("pushes an order's states to its shopper's sockets only, and keeps it from other shoppers", async () => {
    const book = await stack.createBook({ stock: 10 })
    const alice = await stack.shopperWith([[book.id, 1]])
    const mallory = await stack.shopper()
    const [aliceSees, mallorySees] = [await watchOrders(alice.userId), await watchOrders(mallory.userId)]
    const answer = await stack.checkout(alice, alice.cartVersion)
    const orderId = answer.body.id as string
    await stack.settled(orderId)
    await waitFor(
      () => aliceSees.some((event) => event.order.status === 'confirmed'),
      'the confirmation on the socket',
    )
    expect(aliceSees.map((event) => [event.from, event.order.status, event.order.revision])).toEqual([
      [null, 'pending', 1],
      ['pending', 'confirmed', 2],
    ])

    const orderUrl = `${stack.orderApiUrl()}/orders/${orderId}`
    expect((await stack.call(orderUrl, { headers: mallory.auth })).body).toMatchObject({
      error: { code: 'ORDER_NOT_FOUND' },
    })
    const cancel = await stack.call(`${orderUrl}/cancel`, { method: 'POST', headers: mallory.auth })
    expect([cancel.status, cancel.body]).toMatchObject([404, { error: { code: 'ORDER_NOT_FOUND' } }])
    expect((await stack.call(`${stack.orderApiUrl()}/orders`, { headers: mallory.auth })).body).toMatchObject(
      {
        totalItems: 0,
      },
    )
    expect((await stack.order(orderId)).status).toBe('confirmed')
    expect(mallorySees).toEqual([])
  })

  it('admin routes need the admin role; admins list, filter, ship and deliver; shipped orders cannot be cancelled', async () => {
    const book = await stack.createBook({ stock: 10 })
    const shopper = await stack.shopperWith([[book.id, 2]])
    const orderId = (await stack.checkout(shopper, shopper.cartVersion)).body.id as string
    await stack.settled(orderId)
    const admin = `${stack.orderApiUrl()}/admin/orders`
    expect((await stack.call(admin)).status).toBe(401)
    expect((await stack.call(admin, { headers: shopper.auth })).body).toMatchObject({
      error: { code: 'FORBIDDEN' },
    })
    const move = (status: string, headers = stack.admin, expectedStatus?: string) =>
      stack.call(`${admin}/${orderId}/status`, {
        method: 'POST',
        headers,
        body: { status, ...(expectedStatus && { expectedStatus }) },
      })
    expect((await move('shipped', shopper.auth)).status).toBe(403)

    const listed = await stack.call(`${admin}?status=confirmed&userId=${shopper.userId}`, {
      headers: stack.admin,
    })
    expect(listed.body).toMatchObject({ totalItems: 1, items: [{ id: orderId, status: 'confirmed' }] })
    expect((await move('delivered')).body).toMatchObject({
      error: {
        code: 'ORDER_TRANSITION_INVALID',
        details: { status: 'confirmed', allowed: ['shipped', 'cancelled'] },
      },
    })
    expect((await move('shipped', stack.admin, 'pending')).body).toMatchObject({
      error: { code: 'ORDER_STATE_CHANGED', details: { status: 'confirmed' } },
    })
    expect((await move('shipped')).body).toMatchObject({ status: 'shipped', revision: 3 })
    const tooLate = await stack.call(`${stack.orderApiUrl()}/orders/${orderId}/cancel`, {
      method: 'POST',
      headers: shopper.auth,
    })
    expect(tooLate.body).toMatchObject({
      error: { code: 'ORDER_TRANSITION_INVALID', details: { status: 'shipped' } },
    })
    const delivered = await move('delivered')
    expect(delivered.body).toMatchObject({
      status: 'delivered',
      history: [
        { to: 'pending' },
        { to: 'confirmed' },
        { to: 'shipped', actor: 'admin' },
        { to: 'delivered', actor: 'admin' },
      ],
    })
    expect(await stack.stockOf(book.id)).toBe(8)
  })

  it('an admin cancelling a confirmed order refunds it and gives the stock back', async () => {
    const book = await stack.createBook({ stock: 4 })
    const shopper = await stack.shopperWith([[book.id, 3]])
    const orderId = (await stack.checkout(shopper, shopper.cartVersion)).body.id as string
    await stack.settled(orderId)
    expect(await stack.stockOf(book.id)).toBe(1)
    const cancelled = await stack.call(`${stack.orderApiUrl()}/admin/orders/${orderId}/status`, {
      method: 'POST',
      headers: stack.admin,
      body: { status: 'cancelled' },
    })
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelReason: 'admin' })
    expect(await stack.settled(orderId)).toMatchObject({ payment: 'refunded', reservation: 'released' })
    expect(await stack.stockOf(book.id)).toBe(4)
    expect(await stack.paidAsItShould(orderId)).toBe(true)
  })

  it('bad input is a 4xx with a code, and changes nothing', async () => {
    const book = await stack.createBook({ stock: 10 })
    const shopper = await stack.shopperWith([[book.id, 1]])
    const url = `${stack.orderApiUrl()}/checkout`
    const post = (headers: Record<string, string>, body: unknown) =>
      stack.call(url, { method: 'POST', headers, body })
    const withKey = { ...shopper.auth, 'idempotency-key': 'k-1' }
    const cases: [Record<string, string>, unknown, number, string][] = [
      [{ 'idempotency-key': 'k-1' }, { cartVersion: 1 }, 401, 'AUTH_TOKEN_MISSING'],
      [shopper.auth, { cartVersion: shopper.cartVersion }, 400, 'VALIDATION_FAILED'],
      [{ ...shopper.auth, 'idempotency-key': 'has spaces' }, { cartVersion: 1 }, 400, 'VALIDATION_FAILED'],
      [withKey, { cartVersion: 0 }, 400, 'VALIDATION_FAILED'],
      [withKey, { cartVersion: 'latest' }, 400, 'VALIDATION_FAILED'],
      [withKey, { cartVersion: 1, extra: true }, 400, 'VALIDATION_FAILED'],
      [withKey, {}, 400, 'VALIDATION_FAILED'],
    ]
    for (const [headers, body, status, code] of cases) {
      const answer = await post(headers, body)
      expect([answer.status, (answer.body.error as { code?: string } | undefined)?.code]).toEqual([
        status,
        code,
      ])
    }
    const notJson = await fetch(url, {
      method: 'POST',
      headers: { ...withKey, 'content-type': 'text/plain' },
      body: 'x',
    })
    expect(notJson.status).toBe(415)
    for (const path of ['/orders/not%20an%20id', '/orders?pageSize=1000', '/admin/orders?status=lost'])
      expect((await stack.call(`${stack.orderApiUrl()}${path}`, { headers: stack.admin })).status).toBe(400)
    expect((await stack.call(`${stack.orderApiUrl()}/orders`, { headers: shopper.auth })).body).toMatchObject(
      {
        totalItems: 0,
      },
    )
    expect(await stack.stockOf(book.id)).toBe(10)
  })
})
