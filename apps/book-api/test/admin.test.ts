import { books } from '@bookstore/db'
import { readBookReadModel } from '@bookstore/events'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBookApi, startDatabase, type TestBookApi, waitFor } from './harness'

let database: Awaited<ReturnType<typeof startDatabase>>
let api: TestBookApi
beforeAll(async () => {
  database = await startDatabase()
  api = await startBookApi(database.url)
  await api.app.inject({
    method: 'POST',
    url: '/admin/categories',
    headers: api.admin,
    payload: { id: 'software', name: 'Software' },
  })
})
afterAll(async () => {
  await api?.close()
  await database?.drop()
})

describe('admin changes (SPEC B1, B2)', () => {
  it('creates, updates, adjusts stock and deletes; each change lands in the read model and the outbox', async () => {
    const book = await api.createBook({ categories: ['software'] })
    expect(book.version).toBe(1)
    expect(await readBookReadModel(api.redis, book.id)).toMatchObject({ priceCents: 3999, stock: 50 })

    const patched = await api.app.inject({
      method: 'PATCH',
      url: `/admin/books/${book.id}`,
      headers: api.admin,
      payload: { priceCents: 2999, title: 'The Pragmatic Programmer, 2nd ed.' },
    })
    expect(patched.json()).toMatchObject({ priceCents: 2999, version: 2 })
    expect(await readBookReadModel(api.redis, book.id)).toMatchObject({
      priceCents: 2999,
      title: 'The Pragmatic Programmer, 2nd ed.',
    })

    const adjusted = await api.app.inject({
      method: 'POST',
      url: `/admin/books/${book.id}/stock/adjust`,
      headers: api.admin,
      payload: { delta: -45 },
    })
    expect(adjusted.json()).toMatchObject({ stock: 5, version: 3 })

    const deleted = await api.app.inject({
      method: 'DELETE',
      url: `/admin/books/${book.id}`,
      headers: api.admin,
    })
    expect(deleted.statusCode).toBe(204)
    expect(await readBookReadModel(api.redis, book.id)).toMatchObject({ status: 'deleted' })
    expect((await api.app.inject({ method: 'GET', url: `/books/${book.id}` })).statusCode).toBe(404)

    const events = (await database.outbox()).filter((row) => row.bookId === book.id)
    expect(events.map((row) => row.type)).toEqual([
      'book.created',
      'book.updated',
      'book.stock-changed',
      'book.deleted',
    ])
    expect(events[1]?.payload).toMatchObject({
      bookVersion: 2,
      before: { priceCents: 3999, title: 'The Pragmatic Programmer' },
      after: { priceCents: 2999, title: 'The Pragmatic Programmer, 2nd ed.' },
    })
    await waitFor(
      async () =>
        events.every((row) => row.publishedAt !== null) ||
        (await database.outbox()).every((row) => row.publishedAt),
      'outbox relayed',
    )
    const jobs = await api.jobs()
    for (const row of events) expect(jobs.map((job) => job.id)).toContain(`catalog-${row.id}`)
  })

  it('refuses customers and anonymous callers, and changes nothing', async () => {
    const book = await api.createBook()
    const customer = await api.customer()
    const attempts = [
      { method: 'PATCH' as const, url: `/admin/books/${book.id}`, payload: { priceCents: 1 } },
      { method: 'DELETE' as const, url: `/admin/books/${book.id}` },
      { method: 'PUT' as const, url: `/admin/books/${book.id}/stock`, payload: { stock: 0 } },
      {
        method: 'POST' as const,
        url: '/admin/books',
        payload: { title: 'x', author: 'y', priceCents: 1, stock: 1 },
      },
      { method: 'POST' as const, url: '/admin/read-model/rebuild' },
    ]
    for (const attempt of attempts) {
      const asCustomer = await api.app.inject({ ...attempt, headers: customer })
      expect(asCustomer.statusCode).toBe(403)
      expect(asCustomer.json().error.code).toBe('FORBIDDEN')
      const anonymous = await api.app.inject(attempt)
      expect(anonymous.statusCode).toBe(401)
    }
    const [row] = await database.db.select().from(books).where(eq(books.id, book.id))
    expect(row).toMatchObject({ priceCents: 3999, stock: 50, version: 1, deletedAt: null })
  })

  it('answers every bad input with a clear 4xx code and changes nothing', async () => {
    const book = await api.createBook()
    const cases: [
      string,
      { method: 'GET' | 'POST' | 'PATCH' | 'PUT'; url: string; payload?: object },
      number,
      string,
    ][] = [
      [
        'a negative price',
        { method: 'PATCH', url: `/admin/books/${book.id}`, payload: { priceCents: -1 } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a fractional price',
        { method: 'PATCH', url: `/admin/books/${book.id}`, payload: { priceCents: 9.5 } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an empty change',
        { method: 'PATCH', url: `/admin/books/${book.id}`, payload: {} },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an unknown field',
        { method: 'PATCH', url: `/admin/books/${book.id}`, payload: { stock: 3 } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an empty title',
        { method: 'PATCH', url: `/admin/books/${book.id}`, payload: { title: '' } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a bad date',
        { method: 'PATCH', url: `/admin/books/${book.id}`, payload: { publishedOn: '2020-13-45' } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an unknown category',
        { method: 'PATCH', url: `/admin/books/${book.id}`, payload: { categories: ['no-such'] } },
        422,
        'CATEGORY_NOT_FOUND',
      ],
      [
        'a book id with a brace',
        { method: 'PATCH', url: '/admin/books/bad%7Bid', payload: { priceCents: 1 } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an unknown book',
        { method: 'PATCH', url: '/admin/books/no-such-book', payload: { priceCents: 1 } },
        404,
        'BOOK_NOT_FOUND',
      ],
      [
        'a negative stock',
        { method: 'PUT', url: `/admin/books/${book.id}/stock`, payload: { stock: -1 } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a zero adjustment',
        { method: 'POST', url: `/admin/books/${book.id}/stock/adjust`, payload: { delta: 0 } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'stock below zero',
        { method: 'POST', url: `/admin/books/${book.id}/stock/adjust`, payload: { delta: -51 } },
        409,
        'STOCK_NEGATIVE',
      ],
      [
        'a duplicate id',
        {
          method: 'POST',
          url: '/admin/books',
          payload: { id: book.id, title: 't', author: 'a', priceCents: 1, stock: 1 },
        },
        409,
        'BOOK_EXISTS',
      ],
      [
        'a book without a price',
        { method: 'POST', url: '/admin/books', payload: { title: 't', author: 'a', stock: 1 } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a duplicate category',
        { method: 'POST', url: '/admin/categories', payload: { id: 'software', name: 'Again' } },
        409,
        'CATEGORY_EXISTS',
      ],
      [
        'a category id with spaces',
        { method: 'POST', url: '/admin/categories', payload: { id: 'a b', name: 'x' } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an inverted price range',
        { method: 'GET', url: '/books?minPriceCents=500&maxPriceCents=100' },
        400,
        'PRICE_RANGE_INVALID',
      ],
      ['a huge page size', { method: 'GET', url: '/books?pageSize=1000' }, 400, 'VALIDATION_FAILED'],
      ['page zero', { method: 'GET', url: '/books?page=0' }, 400, 'VALIDATION_FAILED'],
      ['an unknown sort', { method: 'GET', url: '/books?sort=random' }, 400, 'VALIDATION_FAILED'],
      ['relevance without a query', { method: 'GET', url: '/books?sort=relevance' }, 400, 'SORT_NEEDS_QUERY'],
      [
        'a non-boolean stock filter',
        { method: 'GET', url: '/books?inStock=maybe' },
        400,
        'VALIDATION_FAILED',
      ],
      ['an unknown query parameter', { method: 'GET', url: '/books?color=red' }, 400, 'VALIDATION_FAILED'],
    ]
    for (const [name, request, status, code] of cases) {
      const answer = await api.app.inject({ ...request, headers: api.admin })
      expect(answer.statusCode, name).toBe(status)
      expect(answer.json().error.code, name).toBe(code)
    }
    const [row] = await database.db.select().from(books).where(eq(books.id, book.id))
    expect(row).toMatchObject({ priceCents: 3999, stock: 50, version: 1 })
  })
})
