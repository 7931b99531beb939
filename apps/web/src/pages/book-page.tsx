import { useId, useState } from 'react'
import { Link, useParams } from 'react-router'
import { isApiError } from '../api/api-error'
import { catalogApi } from '../catalog/catalog-api'
import { AddToCartButton } from '../components/add-to-cart-button'
import { useDocumentTitle } from '../components/route-focus'
import { LoadError, Loading } from '../components/status-message'
import { StockBadge } from '../components/stock-badge'
import { formatMoney } from '../format/money'
import { useAsync } from '../hooks/use-async'

const MAX_PICK = 10

export function BookPage() {
  const { bookId = '' } = useParams()
  const book = useAsync((signal) => catalogApi.book(bookId, signal), [bookId])
  const [quantity, setQuantity] = useState(1)
  const quantityId = useId()
  useDocumentTitle(book.data?.title ?? 'Book')

  if (book.status === 'error' && isApiError(book.error) && book.error.status === 404)
    return (
      <>
        <h1>Book not found</h1>
        <p>This book is not in the catalog (any more).</p>
        <Link to="/">Browse the catalog</Link>
      </>
    )
  if (book.status === 'error')
    return (
      <>
        <h1>Book</h1>
        <LoadError what="this book" error={book.error} onRetry={book.retry} />
      </>
    )
  if (!book.data || book.data.id !== bookId)
    return (
      <>
        <h1>Book</h1>
        <Loading label="Loading the book…" />
      </>
    )

  const data = book.data
  const published = data.publishedOn ? new Date(`${data.publishedOn}T00:00:00Z`) : undefined
  const pickable = Math.max(1, Math.min(MAX_PICK, data.stock))
  return (
    <article className="book-page" aria-labelledby="book-title">
      <p className="breadcrumb">
        <Link to="/">← All books</Link>
      </p>
      <h1 id="book-title">{data.title}</h1>
      <p className="book-author">by {data.author}</p>
      <div className="book-buy">
        <p className="book-price">{formatMoney(data.priceCents)}</p>
        <StockBadge stock={data.stock} />
        {data.stock > 0 && (
          <div className="field field-inline">
            <label htmlFor={quantityId}>Quantity</label>
            <select
              id={quantityId}
              value={Math.min(quantity, pickable)}
              onChange={(event) => setQuantity(Number(event.target.value))}
            >
              {Array.from({ length: pickable }, (_, index) => index + 1).map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </div>
        )}
        <AddToCartButton book={data} quantity={Math.min(quantity, pickable)} />
      </div>
      {data.description && <p className="book-description">{data.description}</p>}
      <dl className="book-facts">
        {published && (
          <>
            <dt>Published</dt>
            <dd>
              <time dateTime={data.publishedOn ?? undefined}>
                {published.toLocaleDateString(undefined, {
                  year: 'numeric',
                  month: 'long',
                  day: 'numeric',
                  timeZone: 'UTC',
                })}
              </time>
            </dd>
          </>
        )}
        {data.categories.length > 0 && (
          <>
            <dt>Categories</dt>
            <dd>
              <ul className="tags">
                {data.categories.map((category) => (
                  <li key={category}>
                    <Link to={`/?category=${encodeURIComponent(category)}`}>{category}</Link>
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
      </dl>
    </article>
  )
}
