import { type BookSort, bookSorts, type Category } from '@bookstore/events'
import { type FormEvent, useEffect, useState } from 'react'
import { type CatalogQuery, sortLabels, withChange } from '../catalog/catalog-query'

/**
 * Search and filters. Typed fields apply on submit (one history entry per search, not per key);
 * choices apply at once. The fields follow the URL, so back/forward show what was searched.
 */
export function CatalogFilters(props: {
  query: CatalogQuery
  categories: readonly Category[] | undefined
  onChange: (next: CatalogQuery) => void
}) {
  const { query, categories, onChange } = props
  const [q, setQ] = useState(query.q)
  const [author, setAuthor] = useState(query.author)
  useEffect(() => setQ(query.q), [query.q])
  useEffect(() => setAuthor(query.author), [query.author])

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const trimmed = q.trim()
    // A new search ranks by relevance unless the shopper chose another order.
    const sort: BookSort | undefined = trimmed && !query.q && !query.sort ? 'relevance' : query.sort
    onChange(withChange(query, { q: trimmed, author: author.trim(), sort }))
  }

  return (
    <search aria-label="Find books">
      <form className="filters" onSubmit={submit}>
        <div className="field field-search">
          <label htmlFor="filter-q">Search</label>
          <input
            id="filter-q"
            type="search"
            name="q"
            value={q}
            maxLength={200}
            placeholder="Title, author or subject"
            onChange={(event) => setQ(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="filter-author">Author</label>
          <input
            id="filter-author"
            type="text"
            name="author"
            value={author}
            maxLength={200}
            placeholder="Any author"
            onChange={(event) => setAuthor(event.target.value)}
          />
        </div>
        <button type="submit" className="button button-primary">
          Search
        </button>
        <div className="field">
          <label htmlFor="filter-category">Category</label>
          <select
            id="filter-category"
            value={query.category}
            onChange={(event) => onChange(withChange(query, { category: event.target.value }))}
          >
            <option value="">All categories</option>
            {categories?.map((category) => (
              <option key={category.id} value={category.id}>
                {category.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-sort">Sort by</label>
          <select
            id="filter-sort"
            value={query.sort ?? (query.q ? 'relevance' : 'title')}
            onChange={(event) => {
              const sort = bookSorts.find((candidate) => candidate === event.target.value)
              onChange(withChange(query, { sort }))
            }}
          >
            {bookSorts
              .filter((sort) => sort !== 'relevance' || query.q)
              .map((sort) => (
                <option key={sort} value={sort}>
                  {sortLabels[sort]}
                </option>
              ))}
          </select>
        </div>
        <div className="field field-check">
          <input
            id="filter-in-stock"
            type="checkbox"
            checked={query.inStock}
            onChange={(event) => onChange(withChange(query, { inStock: event.target.checked }))}
          />
          <label htmlFor="filter-in-stock">In stock only</label>
        </div>
      </form>
    </search>
  )
}
