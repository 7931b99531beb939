import { readBookReadModel } from '@bookstore/events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedCatalog } from '../src'
import { startBookApi, startDatabase, type TestBookApi } from './harness'

let database: Awaited<ReturnType<typeof startDatabase>>
let api: TestBookApi
beforeAll(async () => {
  database = await startDatabase()
  await seedCatalog(database.db)
  api = await startBookApi(database.url)
})
afterAll(async () => {
  // The seed's ids are fixed (book-0001 ...): remove their read model from the shared Redis (one
  // key per call: on a Redis Cluster the books live in different slots).
  await Promise.all(
    Array.from({ length: 300 }, (_, index) =>
      api?.redis.unlink(`book:book-${String(index + 1).padStart(4, '0')}`),
    ),
  )
  await api?.close()
  await database?.drop()
})

const list = async (query: string) => {
  const answer = await api.app.inject({ method: 'GET', url: `/books?${query}` })
  expect(answer.statusCode, answer.body).toBe(200)
  return answer.json() as {
    items: {
      id: string
      title: string
      author: string
      priceCents: number
      stock: number
      categories: string[]
    }[]
    totalItems: number
    totalPages: number
  }
}

describe('text a query cannot hold', () => {
  it('refuses a NUL or invalid UTF-8 in a search or an author filter with 400 INVALID_TEXT (a 500 before)', async () => {
    for (const query of ['q=du%00ne', 'author=Frank%00Herbert', 'q=du%C3%28ne', 'author=%FF']) {
      const answer = await api.app.inject({ method: 'GET', url: `/books?${query}` })
      expect(answer.statusCode, query).toBe(400)
      expect(answer.json().error.code, query).toBe('INVALID_TEXT')
    }
  })
})

describe('the public catalog (SPEC B1)', () => {
  it('pages through the whole seed catalog without repeats', async () => {
    const first = await list('pageSize=100')
    expect(first.totalItems).toBe(300)
    expect(first.totalPages).toBe(3)
    const pages = await Promise.all([1, 2, 3].map((page) => list(`pageSize=100&page=${page}`)))
    expect(new Set(pages.flatMap((page) => page.items.map((book) => book.id))).size).toBe(300)
  })

  it('searches title, author and description (full text, stemmed)', async () => {
    const dune = await list('q=dune')
    expect(dune.items.map((book) => book.id)).toContain('book-0012')
    const guin = await list(`q=${encodeURIComponent('Le Guin')}`)
    expect(guin.items.map((book) => book.title).sort()).toEqual([
      'A Wizard of Earthsea',
      'The Left Hand of Darkness',
    ])
    const stemmed = await list('q=refactorings')
    expect(stemmed.items[0]?.title).toBe('Refactoring')
  })

  it('filters by category, author, price range and stock', async () => {
    const fantasy = await list('category=fantasy&pageSize=100')
    expect(fantasy.totalItems).toBeGreaterThan(2)
    expect(fantasy.items.every((book) => book.categories.includes('fantasy'))).toBe(true)
    const author = await list('author=tolkien')
    expect(author.items.map((book) => book.title)).toContain('The Hobbit')
    const cheap = await list('minPriceCents=1000&maxPriceCents=2000&pageSize=100&sort=price-asc')
    expect(cheap.items.every((book) => book.priceCents >= 1000 && book.priceCents <= 2000)).toBe(true)
    expect(cheap.items.map((book) => book.priceCents)).toEqual(
      [...cheap.items.map((book) => book.priceCents)].sort((a, b) => a - b),
    )
    const soldOut = await list('inStock=false&pageSize=100')
    expect(soldOut.items.every((book) => book.stock === 0)).toBe(true)
    const inStock = await list('inStock=true&pageSize=1')
    expect(inStock.totalItems + soldOut.totalItems).toBe(300)
  })

  it('gets one book, and 404 for an unknown one', async () => {
    const answer = await api.app.inject({ method: 'GET', url: '/books/book-0001' })
    expect(answer.json()).toMatchObject({ id: 'book-0001', title: 'The Pragmatic Programmer' })
    const missing = await api.app.inject({ method: 'GET', url: '/books/book-9999' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json().error.code).toBe('BOOK_NOT_FOUND')
  })

  it('rebuilt the read model of every book on start, and rebuilds it on demand', async () => {
    expect(await readBookReadModel(api.redis, 'book-0012')).toMatchObject({ title: 'Dune', status: 'active' })
    await api.redis.del('book:book-0013')
    const answer = await api.app.inject({
      method: 'POST',
      url: '/admin/read-model/rebuild',
      headers: api.admin,
    })
    expect(answer.json()).toEqual({ books: 300 })
    expect(await readBookReadModel(api.redis, 'book-0013')).toMatchObject({ title: 'Foundation' })
  })
})
