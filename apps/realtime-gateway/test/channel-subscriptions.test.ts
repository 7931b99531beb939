import { redisUrl, uniqueId } from '@bookstore/test-kit'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createChannelSubscriptions } from '../src/domain/channel-subscriptions'
import { waitFor } from './harness'

let subscriber: Redis
let admin: Redis
beforeAll(async () => {
  subscriber = new Redis(redisUrl(), {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
  })
  await subscriber.connect()
  admin = new Redis(redisUrl())
})
afterAll(() => {
  subscriber.disconnect()
  admin.disconnect()
})

const subscribers = async (channel: string) =>
  Number(((await admin.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number])[1])

describe('reference-counted subscriptions', () => {
  it('ends subscribed exactly while holds remain, however acquires and releases interleave', async () => {
    let commands = 0
    const subscriptions = createChannelSubscriptions({
      subscribe: (channel) => {
        commands++
        return subscriber.ssubscribe(channel)
      },
      unsubscribe: (channel) => {
        commands++
        return subscriber.sunsubscribe(channel)
      },
    })
    const channel = `cart-events:{${uniqueId('user')}}`
    // A burst of tabs opening and closing without waiting for each other.
    const pending: Promise<void>[] = []
    for (let round = 0; round < 20; round++) {
      pending.push(subscriptions.acquire(channel))
      pending.push(subscriptions.release(channel))
    }
    pending.push(subscriptions.acquire(channel))
    await Promise.all(pending)
    await waitFor(async () => (await subscribers(channel)) === 1, 'one subscription')
    expect(subscriptions.subscribed()).toEqual([channel])
    // Far fewer commands than holds: the loop skips states nobody waits for any more.
    expect(commands).toBeLessThan(41)

    await subscriptions.release(channel)
    await waitFor(async () => (await subscribers(channel)) === 0, 'the unsubscribe')
    expect(subscriptions.size).toBe(0)
  })

  it('ends an acquire whose hold is let go before the subscribe answers (a socket closed at once)', async () => {
    const commands: string[] = []
    let answer = () => {}
    const subscriptions = createChannelSubscriptions({
      subscribe: () => {
        commands.push('subscribe')
        return new Promise<void>((resolve) => {
          answer = resolve
        })
      },
      unsubscribe: async () => {
        commands.push('unsubscribe')
      },
    })
    const channel = `cart-events:{${uniqueId('user')}}`
    const acquired = subscriptions.acquire(channel)
    const released = subscriptions.release(channel)
    answer()
    // (This acquire once never settled: it spun on microtasks and blocked the process.)
    await Promise.all([acquired, released])
    expect(commands).toEqual(['subscribe', 'unsubscribe'])
    expect(subscriptions.size).toBe(0)
  })

  it('fails an acquire at once when the connection is away, and tries again on the next one', async () => {
    const broken = new Redis(redisUrl(), {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    })
    let attempts = 0
    let connection = broken
    const subscriptions = createChannelSubscriptions({
      subscribe: (channel) => {
        attempts++
        return connection.ssubscribe(channel)
      },
      unsubscribe: (channel) => connection.sunsubscribe(channel),
    })
    const channel = `cart-events:{${uniqueId('user')}}`
    await expect(subscriptions.acquire(channel)).rejects.toThrow()
    expect(attempts).toBe(1)
    connection = subscriber
    await subscriptions.acquire(channel)
    expect(await subscribers(channel)).toBe(1)
    await subscriptions.release(channel)
    await subscriptions.release(channel)
    await waitFor(async () => (await subscribers(channel)) === 0, 'the unsubscribe')
    broken.disconnect()
  })

  it('resolves an acquire whose hold was released before the subscribe answered (a socket closed at once)', async () => {
    const subscriptions = createChannelSubscriptions({
      subscribe: (channel) => subscriber.ssubscribe(channel),
      unsubscribe: (channel) => subscriber.sunsubscribe(channel),
    })
    const channel = `cart-events:{${uniqueId('user')}}`
    // Before the fix this acquire never settled: it looped on microtasks for ever (the worker hung).
    const acquired = subscriptions.acquire(channel)
    const released = subscriptions.release(channel)
    await Promise.all([acquired, released])
    expect(subscriptions.subscribed()).toEqual([])
    expect(subscriptions.size).toBe(0)
    expect(await subscribers(channel)).toBe(0)
  })
})
