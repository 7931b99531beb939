import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Cart, cartKeys, queueNames } from '@bookstore/events'
import {
  type LogLine,
  metricValue,
  openTestDatabase,
  type PrivateRedis,
  redisUrl,
  startFaultProxy,
  startPrivateRedis,
  type TestDatabase,
  viaProxy,
  waitFor,
} from '@bookstore/test-kit'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { durableCart, poisonCarts, redisRows, startStack, type TestStack } from './harness'

// The lost-change windows of issue 18: each test causes one and checks that PostgreSQL converges.
let database: TestDatabase
beforeAll(async () => {
  database = await openTestDatabase()
})
afterAll(() => database.drop())

const undo: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const step of undo.splice(0).reverse()) await step()
})

describe('Redis restored from an older snapshot while PostgreSQL holds newer versions', () => {
  it('moves the cart past PostgreSQL with Redis content, PostgreSQL converges, live clients receive it', {
    timeout: 90_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redis-snapshot-'))
    undo.push(async () => rmSync(dir, { recursive: true, force: true }))
    const files = ['--dir', dir, '--dbfilename', 'dump.rdb']
    let redis: PrivateRedis = await startPrivateRedis({ extraArgs: files })
    undo.push(() => redis.stop())
    const stack: TestStack = await startStack(database, { redisUrl: redis.url })
    undo.push(() => stack.close())
    const { userId, auth } = await stack.shopper()
    const [a, b] = [await stack.seedBook(), await stack.seedBook()]
    await stack.addItem(auth, a.bookId, 2)
    await stack.expectConverged([userId])

    // The snapshot (RDB) is taken here, at version 1; the cart goes on to version 3 in both stores.
    await stack.redis.save()
    const snapshot = await redisRows(stack.redis, userId)
    await stack.addItem(auth, a.bookId, 1)
    await stack.addItem(auth, b.bookId, 5)
    await stack.expectConverged([userId])
    expect((await durableCart(database, userId))?.cart.version).toBe(3)

    // A live client of the cart's channel, which has seen version 3.
    const events: Cart[] = []
    const subscriber = new Redis(redis.url)
    undo.push(async () => subscriber.disconnect())
    subscriber.on('smessage', (_channel: string, message: string) =>
      events.push((JSON.parse(message) as { cart: Cart }).cart),
    )
    await subscriber.ssubscribe(cartKeys(userId).events)

    // Redis restarts from the snapshot: the cart (and its counter) are back at version 1.
    await redis.stop()
    redis = await startPrivateRedis({ port: redis.port, extraArgs: files })
    expect(await redisRows(stack.redis, userId).catch(() => undefined)).toEqual(snapshot)
    // The client is subscribed again (as the gateway does after a reconnect) before anything changes.
    await waitFor(() => subscriber.status === 'ready', 'the subscriber to reconnect')
    await subscriber.ssubscribe(cartKeys(userId).events)

    // The shopper carries on: the change commits at version 2 in Redis, older than PostgreSQL's.
    const next = await waitFor(async () => {
      const response = await stack.setQuantity(auth, a.bookId, 4)
      return response.statusCode === 200 && response.json<Cart>()
    }, 'cart-api to answer again after the restart')
    expect(next.version).toBe(2)

    // The worker finds PostgreSQL ahead and moves the cart past it (Redis is the primary).
    await expect
      .poll(async () => (await redisRows(stack.redis, userId))?.cart.version, { timeout: 20_000 })
      .toBeGreaterThan(3)
    await stack.expectConverged([userId])
    const after = await redisRows(stack.redis, userId)
    // Redis' content won: the snapshot's lines, with the shopper's change, not PostgreSQL's.
    expect(after?.items.map((item) => [item.bookId, item.quantity])).toEqual([[a.bookId, 4]])
    await expect
      .poll(() => events.find((cart) => cart.version > 3), { timeout: 10_000 })
      .toMatchObject({ version: after?.cart.version, items: [{ bookId: a.bookId, quantity: 4 }] })
    expect(await metricValue(stack.worker, 'cart_persistence_versions_advanced_total')).toBe(1)
  })
})

describe('cart-api killed while commits sit in its spool and the queue is away', () => {
  it('PostgreSQL converges within 10 s of the queue coming back, not at the next reconciliation', {
    timeout: 90_000,
  }, async () => {
    const target = new URL(redisUrl())
    const proxy = await startFaultProxy(target.hostname, Number(target.port || 6379))
    undo.push(() => proxy.close())
    const stack = await startStack(database)
    undo.push(() => stack.close())
    // The cart-api that dies: a process, its queue reached through the proxy.
    const doomed = await stack.spawn('cart-api', {
      env: { QUEUE_REDIS_URL: viaProxy(target.toString(), proxy), QUEUE_ENQUEUE_TIMEOUT_MS: '300' },
    })
    const shoppers = await Promise.all(Array.from({ length: 5 }, () => stack.shopper()))
    const book = await stack.seedBook()
    const change = async (auth: Record<string, string>, quantity: number) => {
      const response = await fetch(`${doomed.url}/cart/items`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ bookId: book.bookId, quantity }),
      })
      expect(response.status).toBe(200)
    }
    for (const { auth } of shoppers) await change(auth, 1)
    await stack.expectConverged()

    await proxy.cut()
    for (const { auth } of shoppers) await change(auth, 2)
    for (const { auth } of shoppers) await change(auth, 3)
    const spooled = Number(
      /cart_persistence_spool_carts\{[^}]*\} (\d+)/.exec(
        await (await fetch(`${doomed.url}/metrics`)).text(),
      )?.[1],
    )
    expect(spooled).toBe(shoppers.length)
    await doomed.kill('SIGKILL')
    for (const { userId } of shoppers) expect((await durableCart(database, userId))?.cart.version).toBe(1)

    await proxy.restore()
    await stack.expectConverged(undefined, 10_000)
    expect(await metricValue(stack.worker, 'cart_persistence_spool_adopted_total')).toBe(shoppers.length)
  })
})

describe('a job whose worker dies twice, or whose parking fails', () => {
  it('a job stalled past its limit is parked all the same: the alert is raised and the sync repairs the cart', {
    timeout: 120_000,
  }, async () => {
    const stack = await startStack(database, { worker: false })
    undo.push(() => stack.close())
    const env = { STALLED_JOB_TIMEOUT_MS: '1000', DEAD_LETTER_SWEEP_MS: '500', LOG_LEVEL: 'error' }
    let worker = await stack.spawn('persistence-worker', { env })
    const { userId, auth } = await stack.shopper()
    const book = await stack.seedBook()
    await stack.addItem(auth, book.bookId)
    await stack.expectConverged([userId])

    // The cart's row is held: the worker's write of the next change waits, its job stays active.
    const holder = await database.pool.connect()
    await holder.query('BEGIN')
    await holder.query('SELECT 1 FROM carts WHERE user_id = $1 FOR UPDATE', [userId])
    let released = false
    const release = async () => {
      if (released) return
      released = true
      await holder.query('ROLLBACK')
      holder.release()
    }
    undo.push(release)
    expect((await stack.setQuantity(auth, book.bookId, 3)).statusCode).toBe(200)
    const [job] = await waitFor(async () => {
      const active = await stack.queue.getJobs(['active'])
      return active.length > 0 && active
    }, 'the job taken')
    const jobId = String(job?.id)

    // Its worker dies; the next one takes the job over once its lock expired, and dies too.
    await worker.kill('SIGKILL')
    worker = await stack.spawn('persistence-worker', { env })
    await waitFor(
      async () => {
        const again = await stack.queue.getJob(jobId)
        return again?.stalledCounter === 1 && (await again.getState()) === 'active'
      },
      'the job taken over',
      30_000,
    )
    await worker.kill('SIGKILL')

    // Stalled twice: BullMQ fails it without running it. The third worker parks it all the same.
    const logs: LogLine[] = []
    worker = await stack.spawn('persistence-worker', { env, logs })
    undo.push(() => worker.close())
    await expect.poll(() => stack.dlq.getWaitingCount(), { timeout: 30_000 }).toBe(1)
    const [parked] = await stack.dlq.getJobs(['waiting'])
    expect(parked?.data).toMatchObject({ jobId, userIds: [userId] })
    // Its log line travels through the process' stdout: it may come a moment after the entry.
    await expect
      .poll(() => logs.some((line) => line.alert === 'cart-persistence-dead-letter' && line.jobId === jobId))
      .toBe(true)
    const metrics = await (await fetch(`${worker.url}/metrics`)).text()
    expect(metrics).toMatch(/cart_persistence_dead_letter_alerts_total\{[^}]*\} 1/)

    // The sync it set off repairs the cart once the row is free.
    await release()
    await stack.expectConverged([userId], 30_000)
  })

  it('a job whose parking fails still raises the alert and triggers the sync, and is parked once the DLQ takes it', {
    timeout: 90_000,
  }, async () => {
    const carts = await poisonCarts(database)
    const stack = await startStack(database, {
      cartApiEnv: { PERSISTENCE_JOB_ATTEMPTS: '2', PERSISTENCE_JOB_BACKOFF_MS: '20' },
      workerEnv: { SYNC_ATTEMPTS: '100', SYNC_BACKOFF_MS: '20', DEAD_LETTER_SWEEP_MS: '300' },
    })
    undo.push(() => stack.close())
    const { userId, auth } = await stack.shopper()
    const book = await stack.seedBook()
    await carts.poison(userId)
    // The dead-letter queue refuses every entry (its metadata is not what BullMQ expects).
    const dlqMeta = `${stack.queuePrefix}:${queueNames.cartPersistenceDeadLetter}:meta`
    await stack.redis.set(dlqMeta, 'broken')

    expect((await stack.addItem(auth, book.bookId, 2)).statusCode).toBe(200)
    await expect
      .poll(() => metricValue(stack.worker, 'cart_persistence_dead_letter_alerts_total'), { timeout: 15_000 })
      .toBeGreaterThan(0)
    expect(await stack.dlq.getWaitingCount()).toBe(0)

    // The causes go away: the sweep parks the job, and the sync (set off at the first try) repairs.
    await stack.redis.del(dlqMeta)
    await carts.cure(userId)
    await expect.poll(() => stack.dlq.getWaitingCount(), { timeout: 15_000 }).toBeGreaterThan(0)
    await stack.expectConverged([userId], 30_000)
  })
})
