import { catalogOutbox } from '@bookstore/db'
import { type CatalogEventJob, catalogQueueNames } from '@bookstore/events'
import { type Env, openTestDatabase, startStack, uniqueId } from '@bookstore/test-kit'

/** A fresh migrated database for one test file, and its outbox rows in order for checks. */
export async function startDatabase() {
  const database = await openTestDatabase()
  return { ...database, outbox: () => database.db.select().from(catalogOutbox).orderBy(catalogOutbox.id) }
}

/**
 * book-api on a test stack of its own, on the given database; `env` is this instance's, and further
 * instances (`start('book-api')`) share the stack's key and queues.
 */
export async function startBookApi(databaseUrl: string, env: Env = {}) {
  const stack = await startStack({
    appEnv: { 'book-api': { DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: '3', OUTBOX_POLL_MS: '100' } },
    apps: [{ name: 'book-api', env }],
  })
  const queue = stack.queue<CatalogEventJob>(catalogQueueNames.catalogEvents)
  const admin = await stack.adminAuth()

  return {
    ...stack,
    /** The newest running book-api of the stack. */
    get app() {
      return stack.instance('book-api').app
    },
    queue,
    admin,
    customer: () => stack.bearer(uniqueId('user')),
    /** Creates a book as the admin (unique id unless given) and returns the API's answer body. */
    async createBook(overrides: Record<string, unknown> = {}) {
      const answer = await stack.instance('book-api').app.inject({
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
    jobs: () => queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']),
  }
}
export type TestBookApi = Awaited<ReturnType<typeof startBookApi>>

export { waitFor } from '@bookstore/test-kit'
