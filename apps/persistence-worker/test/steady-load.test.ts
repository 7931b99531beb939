import {
  metricValue,
  openTestDatabase,
  startFaultProxy,
  type TestDatabase,
  viaProxy,
} from '@bookstore/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type TestStack } from './harness'

let database: TestDatabase
let proxy: Awaited<ReturnType<typeof startFaultProxy>>
let stack: TestStack
beforeAll(async () => {
  database = await openTestDatabase()
  // A database slower than the local one (every round trip 6 ms longer), as PGlite or a remote
  // PostgreSQL is: one transaction per small job cannot keep up with the stream below.
  proxy = await startFaultProxy('127.0.0.1', Number(new URL(database.url).port || 5432))
  stack = await startStack(database, {
    workerDatabaseUrl: viaProxy(database.url, proxy),
  })
  proxy.latency(3)
})
afterAll(async () => {
  await stack?.close()
  await proxy?.close()
  await database.drop()
})

const backlog = async () => {
  const counts = await stack.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized')
  return Object.values(counts).reduce((sum, count) => sum + count, 0)
}

describe('persistence keeps up with a steady stream of changes (SPEC P3)', () => {
  it('keeps the queue bounded at low concurrency over many carts, and PostgreSQL equal to Redis right after', {
    timeout: 120_000,
  }, async () => {
    const shoppers = await Promise.all(Array.from({ length: 200 }, () => stack.shopper()))
    const books = [await stack.seedBook(), await stack.seedBook()]
    for (const { auth } of shoppers)
      expect((await stack.addItem(auth, books[0]?.bookId ?? '')).statusCode).toBe(200)
    await stack.expectConverged(undefined, 30_000)

    // Eight clients, each waiting for its answer before the next change: jobs of one or two carts.
    const streamMs = 8_000
    const ends = Date.now() + streamMs
    let mutations = 0
    const client = async (index: number) => {
      for (let step = index; Date.now() < ends; step += 8) {
        const { auth } = shoppers[(step * 7919) % shoppers.length] as (typeof shoppers)[number]
        const book = books[step % 2]?.bookId ?? ''
        const response =
          step % 3 === 0
            ? await stack.setQuantity(auth, book, 1 + (step % 5))
            : await stack.addItem(auth, book)
        if (response.statusCode === 200) mutations += 1
      }
    }
    const depths: number[] = []
    const sampling = (async () => {
      while (Date.now() < ends) {
        depths.push(await backlog())
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    })()
    await Promise.all([...Array.from({ length: 8 }, (_, index) => client(index)), sampling])

    const jobs = await metricValue(stack.worker, 'cart_persistence_jobs_total', 'result="done"')
    expect(mutations).toBeGreaterThan(500)
    expect(jobs).toBeGreaterThan(200)
    // However many jobs the stream made, the queue held no more than what a few batches serve
    // (the jobs a worker gathers while one is written), and it did not grow: a worker that falls
    // behind makes a backlog that climbs all along the stream.
    expect(Math.max(...depths)).toBeLessThan(jobs / 4)
    // Medians, not means: one stall of the machine (a second of fsync or GC on a loaded CI box)
    // lifts a few samples of one third and then drains; a backlog that climbs lifts all of them.
    const median = (part: number[]) => [...part].sort((a, b) => a - b)[Math.floor(part.length / 2)] ?? 0
    const third = Math.floor(depths.length / 3)
    expect(median(depths.slice(-third)), `queue depths every 200 ms: ${depths.join(', ')}`).toBeLessThan(
      2 * median(depths.slice(0, third)) + 50,
    )
    await stack.expectConverged(undefined, 5_000)
    // Many jobs per transaction: far fewer batches than jobs.
    const batches = await metricValue(stack.worker, 'cart_persistence_batches_total', 'mode="newer"')
    expect(batches).toBeLessThan(jobs / 3)
  })
})
