import { type BookSort, bookSorts, type Category } from '@bookstore/events'
import { type FormEvent, useEffect, useState } from 'react'
import { type CatalogQuery, sortLabels, withChange } from '../catalog/catalog-query'

function TextField(props: {
  name: string
  label: string
  value: string
  placeholder: string
  onChange: (value: string) => void
  type?: 'search' | 'text'
  className?: string
}) {
  const id = `filter-${props.name}`
  return (
    <div className={props.className ?? 'field'}>
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type={props.type ?? 'text'}
        name={props.name}
        value={props.value}
        maxLength={200}
        placeholder={props.placeholder}
        onChange={(event) => props.onChange(event.target.value)}
      />
    </div>
  )
}

/**
 * A field's own value that follows the URL's: a choice shows at once, even while the navigation it
 * starts is still rendering (router updates are transitions, and a controlled input would snap back
 * to the old value until then); back/forward bring the URL's value back.
 */
function useFollowed<T>(value: T): [T, (next: T) => void] {
  const [own, setOwn] = useState(value)
  useEffect(() => setOwn(value), [value])
  return [own, setOwn]
}

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
  const [q, setQ] = useFollowed(query.q)
  const [author, setAuthor] = useFollowed(query.author)
  const [category, setCategory] = useFollowed(query.category)
  const [sort, setSort] = useFollowed(query.sort ?? (query.q ? 'relevance' : 'title'))
  const [inStock, setInStock] = useFollowed(query.inStock)

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const trimmed = q.trim()
    // A new search ranks by relevance unless the shopper chose another order.
    const nextSort: BookSort | undefined = trimmed && !query.q && !query.sort ? 'relevance' : query.sort
    onChange(withChange(query, { q: trimmed, author: author.trim(), sort: nextSort }))
  }

  return (
    <search aria-label="Find books">
      <form className="filters" onSubmit={submit}>
        <TextField
          name="q"
          label="Search"
          type="search"
          value={q}
          placeholder="Title, author or subject"
          onChange={setQ}
          className="field field-search"
        />
        <TextField
          name="author"
          label="Author"
          value={author}
          placeholder="Any author"
          onChange={setAuthor}
        />
        <button type="submit" className="button button-primary">
          Search
        </button>
        <div className="field">
          <label htmlFor="filter-category">Category</label>
          <select
            id="filter-category"
            value={category}
            onChange={(event) => {
              setCategory(event.target.value)
              onChange(withChange(query, { category: event.target.value }))
            }}
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
            value={sort}
            onChange={(event) => {
              const chosen = bookSorts.find((candidate) => candidate === event.target.value)
              if (chosen) setSort(chosen)
              onChange(withChange(query, { sort: chosen }))
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
            checked={inStock}
            onChange={(event) => {
              setInStock(event.target.checked)
              onChange(withChange(query, { inStock: event.target.checked }))
            }}
          />
          <label htmlFor="filter-in-stock">In stock only</label>
        </div>
      </form>
    </search>
  )
}
