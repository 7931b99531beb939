import { catalogOutbox, createDatabase, migrateDatabase } from '@bookstore/db'
import { type CatalogEventJob, catalogQueueNames } from '@bookstore/events'
import {
  createTestDatabase,
  generateTestKeys,
  signTestToken,
  type TestKeys,
  uniqueId,
} from '@bookstore/test-kit'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { buildBookApi, loadBookApiConfig } from '../src'

export const redisUrl = () => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A fresh migrated database for one test file, with a Drizzle handle for checks. */
export async function startDatabase() {
  const database = await createTestDatabase()
  await migrateDatabase(database.url)
  const { pool, db } = createDatabase(database.url, { max: 2 })
  return {
    url: database.url,
    db,
    outbox: () => db.select().from(catalogOutbox).orderBy(catalogOutbox.id),
    async drop() {
      await pool.end()
      await database.drop()
    },
  }
}

export interface BookApiOptions {
  keys?: TestKeys
  queuePrefix?: string
  env?: Record<string, string>
}

/** Boots book-api as main.ts does, with its own signing key and queue prefix. */
export async function startBookApi(databaseUrl: string, options: BookApiOptions = {}) {
  const keys = options.keys ?? generateTestKeys()
  const queuePrefix = options.queuePrefix ?? uniqueId('test-bull')
  const config = loadBookApiConfig({
    REDIS_URL: redisUrl(),
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '3',
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    LOG_LEVEL: 'silent',
    QUEUE_PREFIX: queuePrefix,
    OUTBOX_POLL_MS: '100',
    ...options.env,
  })
  const app = await buildBookApi(config)
  const redis = new Redis(config.REDIS_URL)
  const queue = new Queue<CatalogEventJob>(catalogQueueNames.catalogEvents, {
    connection: redis,
    prefix: queuePrefix,
  })
  const adminToken = await signTestToken(keys.privateKey, uniqueId('admin'), { role: 'admin' })
  const admin = { authorization: `Bearer ${adminToken}` }

  return {
    app,
    config,
    keys,
    queuePrefix,
    redis,
    queue,
    admin,
    async customer() {
      return { authorization: `Bearer ${await signTestToken(keys.privateKey, uniqueId('user'))}` }
    },
    /** Creates a book as the admin (unique id unless given) and returns the API's answer body. */
    async createBook(overrides: Record<string, unknown> = {}) {
      const answer = await app.inject({
        method: 'POST',
        url: '/admin/books',
        headers: admin,
        payload: {
          id: uniqueId('book'),
          title: 'The Pragmatic Programmer',
          author: 'Andrew Hunt',
          priceCents: 3999,
          stock: 50,
          ...overrides,
        },
      })
      if (answer.statusCode !== 201) throw new Error(`create failed: ${answer.body}`)
      return answer.json() as { id: string; version: number; priceCents: number }
    },
    /** Catalog event jobs on the queue, in any state. */
    async jobs() {
      return queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'])
    },
    async close(options: { keepQueue?: boolean } = {}) {
      await app.close()
      if (!options.keepQueue) await queue.obliterate({ force: true })
      await queue.close()
      redis.disconnect()
    },
  }
}
export type TestBookApi = Awaited<ReturnType<typeof startBookApi>>

export { waitFor } from '@bookstore/test-kit'
