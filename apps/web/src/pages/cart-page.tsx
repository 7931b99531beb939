import { useState } from 'react'
import { Link } from 'react-router'
import { useCart, useCartStore } from '../cart/cart-context'
import { CartLine } from '../components/cart-line'
import { useDocumentTitle } from '../components/route-focus'
import { Empty, LoadError, Loading } from '../components/status-message'
import { formatMoney } from '../format/money'
import { useSession } from '../session/session-context'

export function CartPage() {
  const session = useSession()
  const snapshot = useCart()
  const store = useCartStore()
  const [confirmingClear, setConfirmingClear] = useState(false)
  useDocumentTitle('Your cart')

  if (session.status === 'starting') return <Loading label="Loading your cart…" />
  if (session.status === 'anonymous')
    return (
      <>
        <h1>Your cart</h1>
        <Empty>
          <p>Log in to see your cart: it follows you on every device.</p>
          <Link className="button button-primary" to="/login?next=%2Fcart">
            Log in
          </Link>{' '}
          <Link to="/register">Create an account</Link>
        </Empty>
      </>
    )

  const { cart } = snapshot
  return (
    <>
      <h1>Your cart</h1>
      {snapshot.status === 'error' && !cart && (
        <LoadError what="your cart" error={undefined} onRetry={() => store.reload()} />
      )}
      {!cart && snapshot.status !== 'error' && <Loading label="Loading your cart…" />}
      {cart && cart.items.length === 0 && (
        <Empty>
          <p>Your cart is empty.</p>
          <Link to="/">Find a book</Link>
        </Empty>
      )}
      {cart && cart.items.length > 0 && (
        <>
          <ul className="cart-lines" aria-label="Books in your cart">
            {cart.items.map((item) => (
              <CartLine
                key={item.bookId}
                item={item}
                pending={snapshot.pending.has(item.bookId)}
                onQuantity={(quantity) => void store.setQuantity(item.bookId, item.title, quantity)}
                onRemove={() => void store.remove(item.bookId, item.title)}
              />
            ))}
          </ul>
          <div className="cart-summary">
            <p>
              <span>{cart.itemCount === 1 ? '1 book' : `${cart.itemCount} books`}</span>
              <strong className="cart-total" data-testid="cart-total">
                Total {formatMoney(cart.totalCents)}
              </strong>
            </p>
            <Link className="button button-primary" to="/checkout">
              Check out
            </Link>
            {confirmingClear ? (
              <fieldset className="confirm">
                <legend>Take every book out of the cart?</legend>
                <button
                  type="button"
                  className="button button-danger"
                  onClick={() => {
                    setConfirmingClear(false)
                    void store.clear()
                  }}
                >
                  Yes, empty it
                </button>
                <button type="button" className="button" onClick={() => setConfirmingClear(false)}>
                  Keep them
                </button>
              </fieldset>
            ) : (
              <button type="button" className="button button-link" onClick={() => setConfirmingClear(true)}>
                Empty the cart
              </button>
            )}
          </div>
        </>
      )}
    </>
  )
}
