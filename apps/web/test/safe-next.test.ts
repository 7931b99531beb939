import { describe, expect, it } from 'vitest'
import { safeNext } from '../src/session/safe-next'

describe('where the log-in page sends the shopper afterwards', () => {
  it('keeps a path of the shop with its query and hash', () => {
    expect(safeNext('/books/book-0001')).toBe('/books/book-0001')
    expect(safeNext('/?q=dune&page=2#top')).toBe('/?q=dune&page=2#top')
  })

  it('never leaves the shop (no open redirect)', () => {
    for (const next of [
      '//evil.example',
      '/\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      '',
    ])
      expect(safeNext(next)).toBe('/')
    expect(safeNext(null, '/cart')).toBe('/cart')
  })
})
