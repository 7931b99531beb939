import { type FormEvent, useEffect, useState } from 'react'
import { Link, useSearchParams } from 'react-router'
import { catalogApi } from '../../catalog/catalog-api'
import { Pagination } from '../../components/pagination'
import { useDocumentTitle } from '../../components/route-focus'
import { Empty, LoadError, Loading } from '../../components/status-message'
import { formatMoney } from '../../format/money'
import { useAsync } from '../../hooks/use-async'

const pageOf = (raw: string | null) => {
  const page = Number(raw)
  return Number.isInteger(page) && page >= 1 && page <= 10_000 ? page : 1
}

/** The catalog for admins: find a book, open it to change it, or add one. */
export function AdminBooksPage() {
  const [params, setParams] = useSearchParams()
  const q = params.get('q') ?? ''
  const page = pageOf(params.get('page'))
  const [typed, setTyped] = useState(q)
  useEffect(() => setTyped(q), [q])
  const books = useAsync(
    (signal) =>
      catalogApi.list(
        { q, author: '', category: '', inStock: false, sort: q ? 'relevance' : 'title', page },
        signal,
      ),
    [q, page],
  )
  useDocumentTitle('Books · Administration')
  const search = (event: FormEvent) => {
    event.preventDefault()
    setParams(typed.trim() ? { q: typed.trim() } : {})
  }
  const href = (n: number) => {
    const next = new URLSearchParams(q ? { q } : {})
    if (n > 1) next.set('page', String(n))
    const text = next.toString()
    return text ? `/manage/books?${text}` : '/manage/books'
  }
  const data = books.data
  return (
    <>
      <h1>Books</h1>
      <p>
        <Link className="button button-primary" to="/manage/books/new">
          Add a book
        </Link>
      </p>
      <search aria-label="Find a book">
        <form className="admin-search" onSubmit={search}>
          <div className="field">
            <label htmlFor="admin-book-search">Title, author or subject</label>
            <input
              id="admin-book-search"
              type="search"
              value={typed}
              maxLength={200}
              onChange={(event) => setTyped(event.target.value)}
            />
          </div>
          <button type="submit" className="button">
            Search
          </button>
        </form>
      </search>
      {books.status === 'error' && <LoadError what="the books" error={books.error} onRetry={books.retry} />}
      {!data && books.status === 'loading' && <Loading label="Loading books…" />}
      {data && data.items.length === 0 && (
        <Empty>
          <p>No book matches.</p>
        </Empty>
      )}
      {data && data.items.length > 0 && (
        <table className="order-lines admin-table" aria-busy={books.status === 'loading'}>
          <caption className="visually-hidden">Books, {data.totalItems} in all</caption>
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Author</th>
              <th scope="col" className="numeric">
                Price
              </th>
              <th scope="col" className="numeric">
                Stock
              </th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((book) => (
              <tr key={book.id} data-testid={`admin-book-${book.id}`}>
                <th scope="row">
                  <Link
                    to={`/manage/books/${encodeURIComponent(book.id)}`}
                    aria-label={`Edit “${book.title}”`}
                  >
                    {book.title}
                  </Link>
                </th>
                <td>{book.author}</td>
                <td className="numeric">{formatMoney(book.priceCents)}</td>
                <td className="numeric">{book.stock}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data && <Pagination page={data.page} totalPages={data.totalPages} href={href} />}
    </>
  )
}
