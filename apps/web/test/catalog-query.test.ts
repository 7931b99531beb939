import { describe, expect, it } from 'vitest'
import {
  bookListParams,
  type CatalogQuery,
  catalogSearchParams,
  parseCatalogQuery,
  withChange,
} from '../src/catalog/catalog-query'

const parse = (search: string) => parseCatalogQuery(new URLSearchParams(search))
const all: CatalogQuery = {
  q: 'dune',
  author: 'herbert',
  category: 'science-fiction',
  inStock: true,
  sort: 'price-asc',
  page: 3,
}

describe('the catalog state in the URL', () => {
  it('reads back what it writes, defaults left out', () => {
    expect(catalogSearchParams(all).toString()).toBe(
      'q=dune&author=herbert&category=science-fiction&inStock=1&sort=price-asc&page=3',
    )
    expect(parse(catalogSearchParams(all).toString())).toEqual(all)
    expect(catalogSearchParams(parse('')).toString()).toBe('')
    expect(parse('')).toEqual({ q: '', author: '', category: '', inStock: false, sort: undefined, page: 1 })
  })

  it('drops what a hand-edited or old link got wrong instead of failing', () => {
    expect(parse('page=0').page).toBe(1)
    expect(parse('page=2.5').page).toBe(1)
    expect(parse('page=99999').page).toBe(1)
    expect(parse('page=7').page).toBe(7)
    expect(parse('sort=cheapest').sort).toBeUndefined()
    expect(parse('category=Not%20A%20Slug').category).toBe('')
    expect(parse('inStock=yes').inStock).toBe(false)
    expect(parse(`q=${'x'.repeat(300)}`).q).toHaveLength(200)
    expect(parse('q=%20%20dune%20').q).toBe('dune')
  })

  it('ranks by relevance only with a search (book-api refuses it without one)', () => {
    expect(parse('sort=relevance').sort).toBeUndefined()
    expect(parse('q=dune&sort=relevance').sort).toBe('relevance')
    expect(withChange({ ...all, sort: 'relevance' }, { q: '' }).sort).toBeUndefined()
    expect(catalogSearchParams({ ...all, q: '', sort: 'relevance' }).has('sort')).toBe(false)
  })

  it('starts again at page 1 when a filter, the search or the order changes', () => {
    expect(withChange(all, { inStock: false })).toEqual({ ...all, inStock: false, page: 1 })
    expect(withChange(all, { category: '' }).page).toBe(1)
  })

  it('asks book-api for the page with its own parameter names', () => {
    expect(bookListParams(all, 24).toString()).toBe(
      'q=dune&author=herbert&category=science-fiction&inStock=true&sort=price-asc&page=3&pageSize=24',
    )
    expect(bookListParams(parse(''), 24).toString()).toBe('page=1&pageSize=24')
  })
})
