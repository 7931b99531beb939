import { cartKeys } from '@bookstore/events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inParallel, startStack, type TestStack, waitFor } from './harness'

let stack: TestStack
beforeAll(async () => {
  stack = await startStack({ worker: false, resweepDelayMs: 1500 })
})
afterAll(async () => {
  await stack?.close()
})

// A dead worker's job is taken over after this long (its lock is not renewed).
const STALLED_JOB_TIMEOUT_MS = '2000'

describe('catalog-worker killed in the middle of a sweep (SPEC B3, P1)', () => {
  it('leaves no cart behind: every cart gets the new price once, and a persistence job for it', {
    timeout: 90_000,
  }, async () => {
    const book = await stack.createBook({ stock: 10_000 })
    const holders = await Promise.all(Array.from({ length: 1500 }, () => stack.shopper()))
    await inParallel(holders, 50, async (shopper) =>
      expect((await stack.addItem(shopper, book.id)).statusCode).toBe(200),
    )
    const cartKeysOfHolders = holders.map((shopper) => cartKeys(shopper.userId).cart)
    const prices = async () =>
      (await stack.redis.mget(cartKeysOfHolders)).map((raw) =>
        raw === null ? undefined : (JSON.parse(raw) as { items: Array<{ unitPriceCents: number }> }).items[0],
      )
    const repriced = async () => (await prices()).filter((item) => item?.unitPriceCents === 2999).length

    // One cart per pipeline: the sweep takes long enough to be caught half-way.
    const doomed = await stack.spawn('catalog-worker', {
      env: { SWEEP_BATCH_SIZE: '1', STALLED_JOB_TIMEOUT_MS },
    })
    await stack.changeBook('PATCH', `/admin/books/${book.id}`, { priceCents: 2999 })
    await waitFor(async () => (await repriced()) > 0, 'the sweep to begin')
    await doomed.kill()
    const atKill = await repriced()
    expect(atKill).toBeLessThan(holders.length)

    // Another worker takes over: the second sweep, and the first one's job once its lock expired.
    await stack.startWorker({ STALLED_JOB_TIMEOUT_MS })
    await waitFor(async () => (await repriced()) === holders.length, 'every cart at the new price', 30_000)
    for (const shopper of holders) {
      const cart = await stack.cart(shopper.userId)
      // Added at version 1, changed once by the catalog: no cart changed twice.
      expect(cart).toMatchObject({
        version: 2,
        items: [{ unitPriceCents: 2999, previousUnitPriceCents: 3999 }],
      })
    }
    // Carts the killed worker changed but had not enqueued yet are enqueued by the retaken job.
    const persisted = await waitFor(
      async () => {
        const versions = await stack.persistedVersions()
        return holders.every((shopper) => versions.get(shopper.userId) === 2) && versions
      },
      'a persistence commit at version 2 for every cart',
      30_000,
    )
    expect(holders.filter((shopper) => persisted.get(shopper.userId) !== 2)).toEqual([])
  })
})
