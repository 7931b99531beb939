import { Link, useLocation } from 'react-router'
import { useCart, useCartStore } from '../cart/cart-context'
import { quantityIn } from '../cart/cart-view'
import { useSession } from '../session/session-context'

export interface SellableBook {
  id: string
  title: string
  priceCents: number
  stock: number
}

/** Adds copies of a book; logged out it leads to the log-in page and back here afterwards. */
export function AddToCartButton(props: { book: SellableBook; quantity?: number }) {
  const { book } = props
  const session = useSession()
  const store = useCartStore()
  const cart = useCart()
  const location = useLocation()
  const inCart = quantityIn(cart.cart, book.id)

  if (session.status !== 'authenticated') {
    const next = encodeURIComponent(`${location.pathname}${location.search}`)
    return (
      <Link className="button button-secondary" to={`/login?next=${next}`}>
        Log in to buy
      </Link>
    )
  }
  if (book.stock <= 0)
    return (
      <button type="button" className="button" disabled>
        Out of stock
      </button>
    )
  return (
    <div className="add-to-cart">
      <button
        type="button"
        className="button button-primary"
        aria-label={`Add “${book.title}” to cart`}
        disabled={cart.status !== 'ready'}
        onClick={() =>
          void store.add(
            { bookId: book.id, title: book.title, unitPriceCents: book.priceCents },
            props.quantity ?? 1,
          )
        }
      >
        Add to cart
      </button>
      {inCart > 0 && (
        <span className="in-cart" data-testid={`in-cart-${book.id}`}>
          {inCart} in cart
        </span>
      )}
    </div>
  )
}
