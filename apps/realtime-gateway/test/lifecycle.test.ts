import { RealtimeCloseCode } from '@bookstore/events'
import { startPrivateRedis } from '@bookstore/test-kit'
import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { newUser, startSystem, waitFor } from './harness'

describe('lifecycle (RT4, E4)', () => {
  it('closes every socket with 1001 on shutdown', async () => {
    const system = await startSystem()
    const codes: number[] = []
    const token = await system.token(newUser())
    const tabs = [1, 2].map(() =>
      system.client(0, token, {
        reconnect: false,
        onStatus: (status, detail) => {
          if (status === 'closed' && detail) codes.push(detail.code)
        },
      }),
    )
    await Promise.all(tabs.map(({ client }) => client.ready()))
    await system.gateways[0]?.app.close()
    await waitFor(() => codes.length === 2, 'both sockets to close')
    expect(codes).toEqual([RealtimeCloseCode.goingAway, RealtimeCloseCode.goingAway])
    await system.close()
  })

  it('resubscribes after losing its subscriber connection and sends what was missed as a snapshot', async () => {
    // A private Redis: killing Pub/Sub connections on the shared one would hit other tests.
    const redis = await startPrivateRedis()
    const system = await startSystem({ redisUrl: redis.url })
    try {
      const token = await system.token(newUser())
      const book = await system.seedBook()
      const { client } = system.client(0, token)
      await client.ready()
      await system.addItem(0, token, book.bookId)
      await waitFor(() => client.version === 1, 'the first change')

      const admin = new Redis(redis.url)
      await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')
      // Published while the gateway is not subscribed: never delivered as an event.
      const { version } = await system.addItem(0, token, book.bookId)
      await waitFor(() => client.version === version, 'the missed change to arrive (snapshot)')
      const { version: next } = await system.addItem(0, token, book.bookId)
      await waitFor(() => client.version === next, 'changes to flow again')
      expect(client.cart?.items[0]?.quantity).toBe(3)
      admin.disconnect()
    } finally {
      await system.close()
      await redis.stop()
    }
  })
})
