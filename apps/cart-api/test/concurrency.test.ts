import { type CartChangedEvent, cartKeys } from '@bookstore/events'
import { testSubscriber } from '@bookstore/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asCart, startCartApi, type TestCartApi } from './harness'

const MUTATIONS = 400

let api: TestCartApi
let baseUrl: string
beforeAll(async () => {
  // Hundreds of changes of one cart at once: far over the shopper rate limit, which is not the subject here.
  api = await startCartApi({ CART_MAX_QUANTITY_PER_ITEM: '1000', CART_MUTATIONS_PER_WINDOW: '0' })
  baseUrl = api.url
})
afterAll(() => api.close())

describe('hundreds of parallel mutations of one cart over HTTP', () => {
  it('lose no update: version == mutations, exact total, every event once and in order', async () => {
    const { userId, auth } = await api.shopper()
    const books = await Promise.all(
      [1099, 2599, 1, 4999].map((priceCents) => api.seedBook({ priceCents, stock: 1000 })),
    )
    const subscriber = testSubscriber()
    const versions: number[] = []
    subscriber.on('smessage', (_channel: string, message: string) =>
      versions.push((JSON.parse(message) as CartChangedEvent).cart.version),
    )
    await subscriber.ssubscribe(cartKeys(userId).events)

    try {
      const responses = await Promise.all(
        Array.from({ length: MUTATIONS }, (_, index) =>
          fetch(`${baseUrl}/cart/items`, {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json' },
            body: JSON.stringify({ bookId: books[index % books.length]?.bookId, quantity: 1 + (index % 3) }),
          }),
        ),
      )
      expect(responses.map((response) => response.status)).toEqual(Array(MUTATIONS).fill(200))
      const answeredVersions = await Promise.all(
        responses.map(async (response) => asCart(await response.text()).version),
      )
      expect(new Set(answeredVersions).size).toBe(MUTATIONS)

      let expectedTotal = 0
      let expectedCount = 0
      for (let index = 0; index < MUTATIONS; index++) {
        const quantity = 1 + (index % 3)
        expectedTotal += quantity * (books[index % books.length]?.priceCents ?? 0)
        expectedCount += quantity
      }
      const cart = asCart(await (await fetch(`${baseUrl}/cart`, { headers: auth })).text())
      expect(cart.version).toBe(MUTATIONS)
      expect(cart.totalCents).toBe(expectedTotal)
      expect(cart.itemCount).toBe(expectedCount)
      expect(cart.items).toHaveLength(books.length)

      await expect.poll(() => versions.length).toBe(MUTATIONS)
      expect(versions).toEqual(Array.from({ length: MUTATIONS }, (_, index) => index + 1))

      // Persistence: the burst is coalesced into far fewer commits, the newest version always among them.
      const commits = await api.queuedCommits(userId)
      expect(commits.length).toBeGreaterThan(0)
      expect(commits.length).toBeLessThan(MUTATIONS)
      expect(Math.max(...commits.map((commit) => commit.version))).toBe(MUTATIONS)
    } finally {
      subscriber.disconnect()
    }
  })
})
