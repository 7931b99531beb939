import { cartKeys } from '@bookstore/events'
import { testSubscriber } from '@bookstore/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newUser, startSystem, type TestSystem, waitFor } from './harness'

let system: TestSystem
beforeAll(async () => {
  system = await startSystem({ cartApis: 1 })
})
afterAll(() => system.close())

describe('versions (RT3)', () => {
  it('gives a reconnecting client with a stale version a snapshot, and a current one up-to-date', async () => {
    const user = newUser()
    const token = await system.token(user)
    const book = await system.seedBook()
    const first = system.client(0, token)
    await first.client.ready()
    for (let i = 0; i < 3; i++) await system.addItem(0, token, book.bookId)
    await waitFor(() => first.client.version === 3, 'version 3')
    first.client.close()

    // Two changes while the shopper is away.
    await system.addItem(0, token, book.bookId)
    await system.addItem(0, token, book.bookId, 2)

    const stale = system.client(0, token, { lastVersion: 3 })
    await stale.client.ready()
    expect(stale.messages[0]).toMatchObject({ type: 'snapshot', version: 5, outcome: 'applied' })
    expect(stale.client.cart?.items[0]?.quantity).toBe(6)

    const current = system.client(0, token, { lastVersion: 5 })
    await current.client.ready()
    expect(current.messages).toEqual([{ type: 'up-to-date', version: 5, outcome: 'up-to-date' }])

    // No version at all (a new device): the snapshot. A user with no cart: empty at version 0.
    const fresh = system.client(0, token)
    await fresh.client.ready()
    expect(fresh.messages[0]).toMatchObject({ type: 'snapshot', version: 5 })
    const nobody = system.client(0, await system.token(newUser()))
    await nobody.client.ready()
    expect(nobody.client.cart).toMatchObject({ version: 0, items: [], totalCents: 0 })
  })

  it('ignores a duplicate event (delivered twice) by its version', async () => {
    const user = newUser()
    const token = await system.token(user)
    const book = await system.seedBook()
    const { client, messages } = system.client(0, token)
    await client.ready()
    // Catch the event exactly as cart-api published it, then publish it again.
    const listener = testSubscriber()
    const raw = new Promise<string>((resolve) =>
      listener.on('smessage', (_channel, message) => resolve(message)),
    )
    await listener.ssubscribe(cartKeys(user).events)
    await system.addItem(0, token, book.bookId)
    const published = await raw
    await waitFor(() => client.version === 1, 'the first delivery')
    const cartBefore = client.cart
    await system.redis.spublish(cartKeys(user).events, published)
    await waitFor(() => messages.some((m) => m.outcome === 'ignored'), 'the duplicate to arrive')
    expect(messages.filter((m) => m.type === 'cart.changed')).toEqual([
      { type: 'cart.changed', version: 1, outcome: 'applied' },
      { type: 'cart.changed', version: 1, outcome: 'ignored' },
    ])
    expect(client.cart).toBe(cartBefore)
    expect(client.stats).toMatchObject({ applied: 1, ignored: 1 })
    listener.disconnect()
  })

  it('forwards fields and operations it does not know (catalog notices) untouched', async () => {
    const user = newUser()
    const token = await system.token(user)
    const received: unknown[] = []
    const { client } = system.client(0, token, { onCart: (_cart, source) => received.push(source) })
    await client.ready()
    const cart = {
      userId: user,
      version: 1,
      items: [],
      totalCents: 0,
      itemCount: 0,
      updatedAt: Date.now(),
    }
    const event = {
      type: 'cart.changed',
      op: 'book-price-changed',
      cart,
      notices: [{ kind: 'price-changed', bookId: 'book-1', oldPriceCents: 1000, newPriceCents: 1200 }],
    }
    await system.redis.spublish(cartKeys(user).events, JSON.stringify(event))
    await waitFor(() => received.length === 2, 'the event')
    expect(received[1]).toEqual({ kind: 'event', event: { ...event, version: 1 } })
  })
})
