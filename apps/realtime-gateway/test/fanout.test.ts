import { cartKeys } from '@bookstore/events'
import { onRedisCluster, usersOnEveryMaster } from '@bookstore/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { channelSubscribers, newUser, startSystem, type TestSystem, waitFor } from './harness'

let system: TestSystem
beforeAll(async () => {
  system = await startSystem({ gateways: 2, cartApis: 2 })
})
afterAll(() => system.close())

describe('fan-out over two gateways and two cart-apis (RT1, RT2)', () => {
  it('gives every socket of the user every change, in version order, and other users none', async () => {
    const alice = newUser()
    const bob = newUser()
    const aliceToken = await system.token(alice)
    const bobToken = await system.token(bob)
    const books = await Promise.all([system.seedBook(), system.seedBook(), system.seedBook()])

    const aliceSockets = [
      system.client(0, aliceToken),
      system.client(0, aliceToken),
      system.client(1, aliceToken),
    ]
    const bobSocket = system.client(1, bobToken)
    await Promise.all([...aliceSockets, bobSocket].map(({ client }) => client.ready()))

    const changes = 12
    let last = 0
    for (let change = 0; change < changes; change++) {
      const book = books[change % books.length]!
      // Alternate the cart-api instance: which one commits must not matter.
      last = (await system.addItem(change % 2, aliceToken, book.bookId)).version
    }
    expect(last).toBe(changes)

    for (const { client, events } of aliceSockets) {
      await waitFor(() => client.version === last, 'every alice socket to reach the last version')
      expect(events().map((event) => event.version)).toEqual(Array.from({ length: changes }, (_, i) => i + 1))
      expect(events().every((event) => event.outcome === 'applied')).toBe(true)
      expect(client.cart?.itemCount).toBe(changes)
      expect(client.cart?.items.map((item) => item.bookId).sort()).toEqual(books.map((b) => b.bookId).sort())
    }
    expect(bobSocket.events()).toEqual([])
    expect(bobSocket.client.version).toBe(0)
  })

  it('subscribes a user channel while a socket of the user is connected, and unsubscribes after the last', async () => {
    const carol = newUser()
    const token = await system.token(carol)
    expect(await channelSubscribers(system.redis, carol)).toBe(0)
    const first = system.client(0, token)
    const second = system.client(0, token)
    const third = system.client(1, token)
    await Promise.all([first, second, third].map(({ client }) => client.ready()))
    // One subscription per gateway instance, however many sockets it holds.
    expect(await channelSubscribers(system.redis, carol)).toBe(2)
    first.client.close()
    third.client.close()
    await waitFor(
      async () => (await channelSubscribers(system.redis, carol)) === 1,
      'gateway 1 to unsubscribe',
    )
    second.client.close()
    await waitFor(
      async () => (await channelSubscribers(system.redis, carol)) === 0,
      'gateway 0 to unsubscribe',
    )
  })

  it('survives a socket reloading over and over (subscribe and unsubscribe racing)', async () => {
    const dave = newUser()
    const token = await system.token(dave)
    const book = await system.seedBook()
    for (let round = 0; round < 10; round++) {
      const { client } = system.client(0, token)
      await client.ready()
      client.close()
    }
    const { client } = system.client(0, token)
    await client.ready()
    const { version } = await system.addItem(0, token, book.bookId)
    await waitFor(() => client.version === version, 'the change after many reloads')
    client.close()
    await waitFor(async () => (await channelSubscribers(system.redis, dave)) === 0, 'the last unsubscribe')
  })

  it('delivers to shoppers spread over every shard (on Redis Cluster: two on each master), each their own changes', async () => {
    const users = await usersOnEveryMaster(2, (userId) => cartKeys(userId).events, newUser)
    const book = await system.seedBook()
    const shoppers = await Promise.all(
      users.map(async (userId, index) => {
        const token = await system.token(userId)
        return { userId, token, index, socket: system.client(index % 2, token) }
      }),
    )
    await Promise.all(shoppers.map(({ socket }) => socket.client.ready()))
    if (onRedisCluster()) expect(shoppers.length).toBe(6)
    for (const { token, index } of shoppers) {
      for (let change = 0; change <= index % 3; change++)
        await system.addItem((index + change) % 2, token, book.bookId)
    }
    for (const { socket, index } of shoppers) {
      const changes = (index % 3) + 1
      await waitFor(() => socket.client.version === changes, 'every shopper to get their own changes')
      expect(socket.events().map((event) => event.version)).toEqual(
        Array.from({ length: changes }, (_, i) => i + 1),
      )
      expect(socket.client.cart?.itemCount).toBe(changes)
      socket.client.close()
    }
  })
})
