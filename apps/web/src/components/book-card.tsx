import type { Book } from '@bookstore/events'
import { Link } from 'react-router'
import { formatMoney } from '../format/money'
import { AddToCartButton } from './add-to-cart-button'
import { StockBadge } from './stock-badge'

export function BookCard(props: { book: Book }) {
  const { book } = props
  return (
    <li className="book-card">
      <article aria-labelledby={`book-${book.id}-title`}>
        <h2 className="book-card-title" id={`book-${book.id}-title`}>
          <Link to={`/books/${encodeURIComponent(book.id)}`}>{book.title}</Link>
        </h2>
        <p className="book-card-author">{book.author}</p>
        <p className="book-card-price">{formatMoney(book.priceCents)}</p>
        <StockBadge stock={book.stock} />
        <AddToCartButton book={book} />
      </article>
    </li>
  )
}
