import type { Book } from '@bookstore/events'
import { type FormEvent, useState } from 'react'
import { Link, useLocation, useNavigate, useParams } from 'react-router'
import { adminApi } from '../../admin/admin-api'
import { adminRefusal } from '../../admin/admin-refusals'
import { useAdminCall } from '../../admin/use-admin-call'
import { isApiError } from '../../api/api-error'
import { catalogApi } from '../../catalog/catalog-api'
import { BookForm } from '../../components/book-form'
import { useDocumentTitle } from '../../components/route-focus'
import { LoadError, Loading } from '../../components/status-message'
import { formatMoney } from '../../format/money'
import { useAsync } from '../../hooks/use-async'

function Outcome(props: { saved: string | undefined; error: string | undefined }) {
  return (
    <>
      <p className="admin-said" role="status" data-testid="admin-saved">
        {props.saved}
      </p>
      {props.error && (
        <p className="form-error" role="alert" data-testid="admin-error">
          {props.error}
        </p>
      )}
    </>
  )
}

function StockForm(props: { book: Book; onSaved: (book: Book) => void; onError: (message: string) => void }) {
  const call = useAdminCall()
  const [stock, setStock] = useState(String(props.book.stock))
  const [busy, setBusy] = useState(false)
  const valid = /^\s*\d{1,7}\s*$/.test(stock) && Number(stock) <= 1_000_000
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!valid) return
    setBusy(true)
    try {
      props.onSaved(await call((token) => adminApi.setStock(token, props.book.id, Number(stock))))
    } catch (failure) {
      props.onError(adminRefusal(failure))
    } finally {
      setBusy(false)
    }
  }
  return (
    <form className="admin-inline-form" onSubmit={(event) => void submit(event)} noValidate>
      <div className="field">
        <label htmlFor="admin-stock">Copies left to sell</label>
        <input
          id="admin-stock"
          inputMode="numeric"
          maxLength={7}
          value={stock}
          aria-invalid={valid ? undefined : true}
          aria-describedby="admin-stock-help"
          onChange={(event) => setStock(event.target.value)}
        />
        <p className="field-help" id="admin-stock-help">
          {valid ? 'Besides copies held for pending orders.' : 'Enter a whole number of copies, 0 or more.'}
        </p>
      </div>
      <button type="submit" className="button" disabled={busy || !valid}>
        Set stock
      </button>
    </form>
  )
}

function DeleteBook(props: { book: Book; onError: (message: string) => void }) {
  const call = useAdminCall()
  const navigate = useNavigate()
  const [confirming, setConfirming] = useState(false)
  const remove = async () => {
    try {
      await call((token) => adminApi.deleteBook(token, props.book.id))
      navigate('/manage/books', { state: { deleted: props.book.title } })
    } catch (failure) {
      setConfirming(false)
      props.onError(adminRefusal(failure))
    }
  }
  if (!confirming)
    return (
      <button type="button" className="button button-danger" onClick={() => setConfirming(true)}>
        Delete this book
      </button>
    )
  return (
    <fieldset className="confirm">
      <legend>Delete “{props.book.title}”? It leaves every cart, and shoppers are told.</legend>
      <button type="button" className="button button-danger" onClick={() => void remove()}>
        Yes, delete it
      </button>
      <button type="button" className="button" onClick={() => setConfirming(false)}>
        Keep it
      </button>
    </fieldset>
  )
}

/** Add a book (`/manage/books/new`) or change one: its fields, its price, its stock, or delete it. */
export function AdminBookPage() {
  const { bookId = 'new' } = useParams()
  // A page of its own per book: a book just added starts with fresh state (and its "added" message).
  return <BookEditor key={bookId} bookId={bookId} />
}

function BookEditor(props: { bookId: string }) {
  const { bookId } = props
  const isNew = bookId === 'new'
  const call = useAdminCall()
  const navigate = useNavigate()
  const location = useLocation()
  const created = (location.state as { created?: boolean } | null)?.created === true
  const categories = useAsync((signal) => catalogApi.categories(signal), [])
  const loaded = useAsync(
    (signal) => (isNew ? Promise.resolve(undefined) : catalogApi.book(bookId, signal)),
    [bookId],
  )
  const [book, setBook] = useState<Book | undefined>()
  const [saved, setSaved] = useState<string | undefined>(created ? 'Book added.' : undefined)
  const [error, setError] = useState<string | undefined>()
  const shown = book?.id === bookId ? book : loaded.data
  useDocumentTitle(isNew ? 'Add a book' : `${shown?.title ?? 'Book'} · Administration`)

  const said = (message: string | undefined, failure?: string) => {
    setSaved(message)
    setError(failure)
  }

  if (isNew)
    return (
      <>
        <p className="breadcrumb">
          <Link to="/manage/books">← Books</Link>
        </p>
        <h1>Add a book</h1>
        <Outcome saved={saved} error={error} />
        <BookForm
          categories={categories.data}
          submitLabel="Add the book"
          onSubmit={async (fields, stock) => {
            try {
              const made = await call((token) => adminApi.createBook(token, { ...fields, stock }))
              navigate(`/manage/books/${encodeURIComponent(made.id)}`, { state: { created: true } })
            } catch (failure) {
              said(undefined, adminRefusal(failure))
            }
          }}
        />
      </>
    )
  if (loaded.status === 'error')
    return (
      <>
        <h1>{isApiError(loaded.error) && loaded.error.status === 404 ? 'Book not found' : 'Book'}</h1>
        <LoadError what="this book" error={loaded.error} onRetry={loaded.retry} />
        <Link to="/manage/books">← Books</Link>
      </>
    )
  if (!shown || shown.id !== bookId) return <Loading label="Loading the book…" />
  return (
    <>
      <p className="breadcrumb">
        <Link to="/manage/books">← Books</Link>
      </p>
      <h1>{shown.title}</h1>
      <p>
        {formatMoney(shown.priceCents)}, {shown.stock} in stock.{' '}
        <Link to={`/books/${encodeURIComponent(shown.id)}`}>See it in the shop</Link>
      </p>
      <Outcome saved={saved} error={error} />
      <section aria-labelledby="stock-heading">
        <h2 id="stock-heading">Stock</h2>
        <StockForm
          key={`${shown.id}-${shown.version}`}
          book={shown}
          onSaved={(next) => {
            setBook(next)
            said(`Stock set to ${next.stock}.`)
          }}
          onError={(message) => said(undefined, message)}
        />
      </section>
      <section aria-labelledby="details-heading">
        <h2 id="details-heading">Details and price</h2>
        <BookForm
          key={shown.id}
          book={shown}
          categories={categories.data}
          submitLabel="Save changes"
          onSubmit={async (fields) => {
            try {
              const next = await call((token) => adminApi.updateBook(token, shown.id, fields))
              setBook(next)
              said('Changes saved.')
            } catch (failure) {
              said(undefined, adminRefusal(failure))
            }
          }}
        />
      </section>
      <section aria-labelledby="delete-heading">
        <h2 id="delete-heading">Delete</h2>
        <DeleteBook book={shown} onError={(message) => said(undefined, message)} />
      </section>
    </>
  )
}
