import type { CartItem } from '@bookstore/events'
import { useEffect, useId, useState } from 'react'
import { Link } from 'react-router'
import { lineHints } from '../cart/cart-notices'
import { formatMoney } from '../format/money'

const MAX_QUANTITY = 99

/** One line of the cart: quantity (type it, or − / +), remove, and what the catalog changed. */
export function CartLine(props: {
  item: CartItem
  pending: boolean
  onQuantity: (quantity: number) => void
  onRemove: () => void
}) {
  const { item, onQuantity } = props
  const inputId = useId()
  const [typed, setTyped] = useState(String(item.quantity))
  useEffect(() => setTyped(String(item.quantity)), [item.quantity])
  const hints = lineHints(item)

  const commit = () => {
    const quantity = Number(typed)
    if (!Number.isInteger(quantity) || quantity < 0 || quantity > MAX_QUANTITY) {
      setTyped(String(item.quantity))
      return
    }
    if (quantity !== item.quantity) onQuantity(quantity)
  }

  return (
    <li className="cart-line" data-testid={`cart-line-${item.bookId}`} aria-busy={props.pending}>
      <div className="cart-line-book">
        <Link to={`/books/${encodeURIComponent(item.bookId)}`} className="cart-line-title">
          {item.title}
        </Link>
        <span className="cart-line-unit">{formatMoney(item.unitPriceCents)} each</span>
        {hints.length > 0 && (
          <ul className="cart-line-hints">
            {hints.map((hint) => (
              <li key={hint}>{hint}</li>
            ))}
          </ul>
        )}
      </div>
      <div className="quantity">
        <button
          type="button"
          className="button button-icon"
          aria-label={`One fewer “${item.title}”`}
          onClick={() => onQuantity(item.quantity - 1)}
        >
          −
        </button>
        <label htmlFor={inputId} className="visually-hidden">
          Quantity of “{item.title}”
        </label>
        <input
          id={inputId}
          type="number"
          inputMode="numeric"
          min={0}
          max={MAX_QUANTITY}
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
          onBlur={commit}
          onKeyDown={(event) => {
            if (event.key === 'Enter') commit()
          }}
        />
        <button
          type="button"
          className="button button-icon"
          aria-label={`One more “${item.title}”`}
          disabled={item.quantity >= MAX_QUANTITY}
          onClick={() => onQuantity(item.quantity + 1)}
        >
          +
        </button>
      </div>
      <span className="cart-line-total">{formatMoney(item.lineTotalCents)}</span>
      <button
        type="button"
        className="button button-link"
        aria-label={`Remove “${item.title}” from the cart`}
        onClick={props.onRemove}
      >
        Remove
      </button>
    </li>
  )
}
