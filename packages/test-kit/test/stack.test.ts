import { carts } from '@bookstore/db'
import { queueNames } from '@bookstore/events'
import { eq } from 'drizzle-orm'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import {
  adminDatabaseUrl,
  generateTestKeys,
  type LogLine,
  loadAppEntry,
  platformApps,
  redisAnswers,
  signTestToken,
  startStack,
  waitFor,
} from '../src'

describe('the test stack', () => {
  it('runs apps on one Redis, queue prefix, database and key pair: a change in one reaches the other', async () => {
    const stack = await startStack({ apps: ['cart-api', 'persistence-worker'], database: true })
    try {
      const { userId, auth } = await stack.shopper()
      const book = await stack.seedBook()
      const added = await fetch(`${stack.instance('cart-api').url}/cart/items`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ bookId: book.bookId }),
      })
      expect(added.status).toBe(200)
      const row = await waitFor(
        async () => (await stack.database.db.select().from(carts).where(eq(carts.userId, userId)))[0],
        'the cart in PostgreSQL',
      )
      expect(row).toMatchObject({ version: 1, itemCount: 1 })

      const worker = stack.instance('persistence-worker').app
      const list = (headers: Record<string, string>) => worker.inject({ url: '/admin/dead-letters', headers })
      expect((await list(await stack.adminAuth())).statusCode).toBe(200)
      const foreign = await signTestToken(generateTestKeys().privateKey, 'admin', { role: 'admin' })
      expect((await list({ authorization: `Bearer ${foreign}` })).statusCode).toBe(401)
    } finally {
      await stack.close()
    }
  })

  it('leaves nothing behind: the queues, the database and a private Redis are gone after close', async () => {
    const stack = await startStack({ apps: ['cart-api'], redis: 'private', database: true })
    const shared = await startStack({ apps: ['cart-api'] })
    for (const current of [stack, shared]) {
      const { auth } = await current.shopper()
      const book = await current.seedBook()
      await current.instance('cart-api').app.inject({
        method: 'POST',
        url: '/cart/items',
        headers: auth,
        payload: { bookId: book.bookId },
      })
      expect(await current.queue(queueNames.cartPersistence).count()).toBeGreaterThan(0)
    }
    await Promise.all([stack.close(), stack.close(), shared.close()])

    expect(await redisAnswers(stack.redisUrl)).toBe(false)
    const admin = new pg.Client({ connectionString: adminDatabaseUrl() })
    await admin.connect()
    try {
      const name = new URL(stack.database.url).pathname.slice(1)
      const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
      expect(rows).toEqual([])
    } finally {
      await admin.end()
    }
    const check = await startStack()
    try {
      expect(await check.redis.keys(`${shared.queuePrefix}:*`)).toEqual([])
    } finally {
      await check.close()
    }
  })

  it('runs an app as a process, ready when started, and SIGKILL ends it', async () => {
    const stack = await startStack()
    try {
      const cartApi = await stack.spawn('cart-api')
      expect((await fetch(`${cartApi.url}/health/ready`)).status).toBe(200)
      const { auth } = await stack.shopper()
      expect((await fetch(`${cartApi.url}/cart`, { headers: auth })).status).toBe(200)
      await cartApi.kill()
      await expect(fetch(`${cartApi.url}/health/live`)).rejects.toThrow()
      expect(stack.running()).toEqual([])
    } finally {
      await stack.close()
    }
    // A process start (node, module loading, Redis and PostgreSQL connects) takes seconds on a busy machine.
  }, 60_000)

  it("hands an app's log lines to the test, and gives each instance its own settings over the stack's", async () => {
    const logs: LogLine[] = []
    const stack = await startStack({ env: { CART_MAX_DISTINCT_ITEMS: '7' } })
    try {
      const quiet = await stack.start('cart-api')
      const chatty = await stack.start('cart-api', { logs, env: { LOG_LEVEL: 'info' } })
      expect([quiet.config.CART_MAX_DISTINCT_ITEMS, chatty.config.LOG_LEVEL]).toEqual([7, 'info'])
      await chatty.app.inject({ url: '/cart' })
      expect(logs).toContainEqual(expect.objectContaining({ msg: 'request completed', level: 30 }))
      expect(stack.instance('cart-api')).toBe(chatty)
    } finally {
      await stack.close()
    }
  })

  it('finds the build function and config loader of every registered app', async () => {
    for (const { name } of platformApps) {
      const entry = await loadAppEntry(name)
      expect(entry.loadConfig).toBeTypeOf('function')
      expect(entry.build).toBeTypeOf('function')
    }
  })
})
