import { useMemo } from 'react'
import { Link, useSearchParams } from 'react-router'
import { catalogApi } from '../catalog/catalog-api'
import { type CatalogQuery, catalogSearchParams, parseCatalogQuery } from '../catalog/catalog-query'
import { BookCard } from '../components/book-card'
import { CatalogFilters } from '../components/catalog-filters'
import { Pagination } from '../components/pagination'
import { useDocumentTitle } from '../components/route-focus'
import { Empty, LoadError, Loading } from '../components/status-message'
import { useAsync } from '../hooks/use-async'

export function CatalogPage() {
  const [params, setParams] = useSearchParams()
  const query = useMemo(() => parseCatalogQuery(params), [params])
  const key = catalogSearchParams(query).toString()
  const books = useAsync((signal) => catalogApi.list(query, signal), [key])
  const categories = useAsync((signal) => catalogApi.categories(signal), [])
  const go = (next: CatalogQuery) => setParams(catalogSearchParams(next))
  const href = (page: number) => {
    const search = catalogSearchParams({ ...query, page }).toString()
    return search ? `/?${search}` : '/'
  }
  const heading = query.q ? `Books matching “${query.q}”` : 'Books'
  useDocumentTitle(query.q ? `“${query.q}”` : '')

  const page = books.data
  return (
    <>
      <h1>{heading}</h1>
      <CatalogFilters query={query} categories={categories.data} onChange={go} />
      <section className="results" aria-labelledby="results-heading" aria-busy={books.status === 'loading'}>
        <h2 id="results-heading" className="results-summary" aria-live="polite">
          {page && books.status === 'ready'
            ? `${page.totalItems} ${page.totalItems === 1 ? 'book' : 'books'}${
                page.totalPages > 1 ? `, page ${page.page} of ${page.totalPages}` : ''
              }`
            : books.status === 'loading'
              ? 'Searching…'
              : 'Results'}
        </h2>
        {books.status === 'error' && <LoadError what="the books" error={books.error} onRetry={books.retry} />}
        {books.status === 'loading' && !page && <Loading label="Loading books…" />}
        {page && page.items.length === 0 && books.status === 'ready' && (
          <Empty>
            <p>No books match this search.</p>
            <Link to="/">Show all books</Link>
          </Empty>
        )}
        {page && page.items.length > 0 && (
          <ul className="book-grid">
            {page.items.map((book) => (
              <BookCard key={book.id} book={book} />
            ))}
          </ul>
        )}
        {page && <Pagination page={page.page} totalPages={page.totalPages} href={href} />}
      </section>
    </>
  )
}
