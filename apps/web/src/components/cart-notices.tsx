import { useCart, useCartStore } from '../cart/cart-context'
import { noticeText } from '../cart/cart-notices'

/**
 * What changed in the cart from elsewhere (catalog changes) and the last refused change, on every
 * page, each dismissible; a polite live region reads changes to a screen reader.
 */
export function CartMessages() {
  const snapshot = useCart()
  const store = useCartStore()
  return (
    <div className="cart-messages">
      {snapshot.refusal && (
        <div className="message message-refusal" role="alert" data-testid="cart-refusal">
          <p>{snapshot.refusal.message}</p>
          <button
            type="button"
            className="button button-icon"
            aria-label="Dismiss"
            onClick={() => store.dismissRefusal()}
          >
            ×
          </button>
        </div>
      )}
      <ul className="notices" aria-live="polite" aria-label="Changes to your cart">
        {snapshot.notices.map((shown) => (
          <li key={shown.id} className="message message-notice" data-testid="cart-notice">
            <p>{noticeText(shown.notice)}</p>
            <button
              type="button"
              className="button button-icon"
              aria-label="Dismiss this notice"
              onClick={() => store.dismissNotice(shown.id)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <p className="visually-hidden" aria-live="polite" data-testid="cart-announcement">
        {snapshot.announcement}
      </p>
    </div>
  )
}
