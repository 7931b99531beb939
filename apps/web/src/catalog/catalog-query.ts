import { type BookSort, bookSorts, CategoryId } from '@bookstore/events'
import { Check } from 'typebox/value'

/** The catalog page's state, which lives in the URL: shareable, and back/forward walk through it. */
export interface CatalogQuery {
  q: string
  author: string
  category: string
  inStock: boolean
  /** Undefined: book-api's default (relevance with a search, else title). */
  sort: BookSort | undefined
  page: number
}

export const PAGE_SIZE = 24
const MAX_TEXT = 200
const MAX_PAGE = 10_000

const text = (value: string | null) => (value ?? '').trim().slice(0, MAX_TEXT)

/** Reads the URL's query; anything invalid (a hand-edited URL, an old link) falls back to the default. */
export function parseCatalogQuery(params: URLSearchParams): CatalogQuery {
  const q = text(params.get('q'))
  const category = text(params.get('category'))
  const sortParam = params.get('sort')
  const sort = bookSorts.find((candidate) => candidate === sortParam)
  const page = Number(params.get('page'))
  return {
    q,
    author: text(params.get('author')),
    category: Check(CategoryId, category) ? category : '',
    inStock: params.get('inStock') === '1',
    // Relevance ranks a search: without one, book-api refuses it (SORT_NEEDS_QUERY).
    sort: sort === 'relevance' && !q ? undefined : sort,
    page: Number.isInteger(page) && page >= 1 && page <= MAX_PAGE ? page : 1,
  }
}

/** The URL's query for a state, defaults left out so that links stay short and canonical. */
export function catalogSearchParams(query: CatalogQuery): URLSearchParams {
  const params = new URLSearchParams()
  if (query.q) params.set('q', query.q)
  if (query.author) params.set('author', query.author)
  if (query.category) params.set('category', query.category)
  if (query.inStock) params.set('inStock', '1')
  if (query.sort && !(query.sort === 'relevance' && !query.q)) params.set('sort', query.sort)
  if (query.page > 1) params.set('page', String(query.page))
  return params
}

/** A changed filter, search or sort starts again at page 1; only paging keeps the rest. */
export function withChange(query: CatalogQuery, change: Partial<Omit<CatalogQuery, 'page'>>): CatalogQuery {
  const next = { ...query, ...change, page: 1 }
  if (next.sort === 'relevance' && !next.q) next.sort = undefined
  return next
}

/** book-api's `GET /books` query (README, Catalog) for a state. */
export function bookListParams(query: CatalogQuery, pageSize = PAGE_SIZE): URLSearchParams {
  const params = new URLSearchParams()
  if (query.q) params.set('q', query.q)
  if (query.author) params.set('author', query.author)
  if (query.category) params.set('category', query.category)
  if (query.inStock) params.set('inStock', 'true')
  if (query.sort) params.set('sort', query.sort)
  params.set('page', String(query.page))
  params.set('pageSize', String(pageSize))
  return params
}

export const sortLabels: Record<BookSort, string> = {
  relevance: 'Best match',
  title: 'Title',
  'price-asc': 'Price: low to high',
  'price-desc': 'Price: high to low',
  newest: 'Newest',
}
