import { catalogOutbox } from '@bookstore/db'
import { catalogJobId, readBookReadModel } from '@bookstore/events'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBookApi, startDatabase, waitFor } from './harness'

let database: Awaited<ReturnType<typeof startDatabase>>
beforeAll(async () => {
  database = await startDatabase()
})
afterAll(async () => {
  await database?.drop()
})

describe('the outbox: a catalog change and its event never part ways (SPEC B3)', () => {
  it('relays a change committed by an instance that died before relaying it', async () => {
    // This instance commits but never relays: it stands for one that crashed right after COMMIT.
    const api = await startBookApi(database.url, { OUTBOX_RELAY: 'false' })
    try {
      const book = await api.createBook()
      const patched = await api.app.inject({
        method: 'PATCH',
        url: `/admin/books/${book.id}`,
        headers: api.admin,
        payload: { priceCents: 1234 },
      })
      expect(patched.statusCode).toBe(200)
      const pending = (await database.outbox()).filter((row) => row.bookId === book.id)
      expect(pending.map((row) => row.publishedAt)).toEqual([null, null])
      expect(await api.jobs()).toHaveLength(0)
      await api.instance('book-api').close()

      // The next instance of the stack (same queues, same key) relays by default.
      await api.start('book-api')
      const jobs = await waitFor(async () => {
        const found = await api.jobs()
        return found.length === 2 && found
      }, 'both events on the queue')
      const update = jobs.find((job) => job.id === catalogJobId(pending[1]?.id ?? 0, 1))
      expect(update?.data).toMatchObject({
        sweep: 1,
        event: {
          type: 'book.updated',
          bookId: book.id,
          before: { priceCents: 3999 },
          after: { priceCents: 1234 },
        },
      })
      expect(await readBookReadModel(api.redis, book.id)).toMatchObject({ priceCents: 1234 })
      await waitFor(
        async () =>
          (await database.outbox()).filter((row) => row.bookId === book.id).every((row) => row.publishedAt),
        'rows marked published',
      )
    } finally {
      await api.close()
    }
  })

  it('adds no second job when a relay dies after the add but before marking the row', async () => {
    const api = await startBookApi(database.url)
    try {
      const book = await api.createBook()
      const [row] = (await database.outbox()).filter((entry) => entry.bookId === book.id)
      await waitFor(async () => (await api.jobs()).length === 1, 'the created event')
      // As if the mark had never happened: the row is relayed again.
      await database.db
        .update(catalogOutbox)
        .set({ publishedAt: null })
        .where(eq(catalogOutbox.id, row?.id ?? 0))
      await waitFor(async () => {
        const [again] = await database.db
          .select()
          .from(catalogOutbox)
          .where(eq(catalogOutbox.id, row?.id ?? 0))
        return again?.publishedAt !== null
      }, 'the row relayed again')
      expect((await api.jobs()).map((job) => job.id)).toEqual([catalogJobId(row?.id ?? 0, 1)])
    } finally {
      await api.close()
    }
  })
})
