import type { Cart } from '@bookstore/events'
import { type FormEvent, useEffect, useRef, useState } from 'react'
import { Link, useNavigate } from 'react-router'
import { withToken } from '../api/with-token'
import { useCart } from '../cart/cart-context'
import { lineHints } from '../cart/cart-notices'
import { browserCheckoutAttempts } from '../checkout/checkout-attempt'
import { type CheckoutRefusal, checkoutRefusal } from '../checkout/checkout-refusals'
import { type CardErrors, type CardInput, cardErrors } from '../checkout/payment-card'
import { OrderLines } from '../components/order-lines'
import { PaymentFormFields } from '../components/payment-form-fields'
import { useDocumentTitle } from '../components/route-focus'
import { Empty, Loading } from '../components/status-message'
import { orderApi } from '../orders/order-api'
import { useSession } from '../session/session-context'
import { useTokenSource } from '../session/use-token-source'

const attempts = browserCheckoutAttempts()
const emptyCard: CardInput = { name: '', number: '', expiry: '', cvc: '' }

const linesOf = (cart: Cart) => cart.items.map((item) => ({ ...item, hints: lineHints(item) }))
const blocked = (cart: Cart) =>
  cart.items.some(
    (item) => item.outOfStock || (item.availableStock !== undefined && item.availableStock < item.quantity),
  )

function RefusalMessage(props: { refusal: CheckoutRefusal }) {
  const { refusal } = props
  return (
    <div className="message message-refusal message-block" role="alert" data-testid="checkout-refusal">
      <p>{refusal.message}</p>
      {refusal.lines.length > 0 && (
        <ul>
          {refusal.lines.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  )
}

/**
 * Checkout (SPEC O1): the shopper reviews the cart at one version, and exactly that version is
 * ordered. The live cart keeps changing underneath (another device, the catalog): the page says so,
 * shows the new cart and asks for a new review instead of ordering something not looked at.
 */
export function CheckoutPage() {
  const session = useSession()
  const snapshot = useCart()
  const tokens = useTokenSource()
  const navigate = useNavigate()
  const [reviewed, setReviewed] = useState<Cart | undefined>()
  const [card, setCard] = useState<CardInput>(emptyCard)
  const [errors, setErrors] = useState<CardErrors>({})
  const [placing, setPlacing] = useState(false)
  const [refusal, setRefusal] = useState<CheckoutRefusal | undefined>()
  const formRef = useRef<HTMLFormElement>(null)
  useDocumentTitle('Checkout')

  const live = snapshot.pending.size === 0 && snapshot.status === 'ready' ? snapshot.cart : undefined
  useEffect(() => {
    if (!reviewed && live) setReviewed(live)
  }, [reviewed, live])

  if (session.status === 'starting') return <Loading label="Loading your cart…" />
  if (session.status === 'anonymous')
    return (
      <>
        <h1>Checkout</h1>
        <p>
          <Link to="/login?next=%2Fcheckout">Log in</Link> to check out.
        </p>
      </>
    )
  if (!reviewed)
    return (
      <>
        <h1>Checkout</h1>
        <Loading label="Loading your cart…" />
      </>
    )
  const userId = session.user.id
  const changed = live !== undefined && live.version !== reviewed.version

  const reviewAgain = () => {
    if (!live) return
    setReviewed(live)
    setRefusal(undefined)
    document.getElementById('review-heading')?.focus()
  }

  const place = async (event: FormEvent) => {
    event.preventDefault()
    const found = cardErrors(card)
    setErrors(found)
    const first = Object.keys(found)[0]
    if (first) {
      formRef.current?.querySelector<HTMLInputElement>(`#card-${first}`)?.focus()
      return
    }
    const version = reviewed.version
    const key = attempts.keyFor(userId, version)
    setPlacing(true)
    setRefusal(undefined)
    try {
      const order = await withToken(tokens, (token) => orderApi.checkout(token, key, version))
      attempts.finish(userId, version)
      navigate(`/orders/${encodeURIComponent(order.id)}`, { state: { placed: true } })
    } catch (error) {
      const said = checkoutRefusal(error)
      if (!said.retrySame) attempts.finish(userId, version)
      setRefusal(said)
      setPlacing(false)
    }
  }

  if (reviewed.items.length === 0)
    return (
      <>
        <h1>Checkout</h1>
        {refusal && <RefusalMessage refusal={refusal} />}
        <Empty>
          <p>Your cart is empty: there is nothing to check out.</p>
          <Link to="/">Find a book</Link>
        </Empty>
      </>
    )

  // An attempt whose answer was lost is retried as it was, with its key: the cart may well have
  // changed meanwhile because that very order went through (its books leave the cart), and the
  // retry then answers with that order instead of a second one.
  const retryingSame = refusal?.retrySame === true
  const mustReview = !retryingSame && (changed || refusal?.reviewAgain === true)
  return (
    <>
      <h1>Checkout</h1>
      {refusal && <RefusalMessage refusal={refusal} />}
      <section aria-labelledby="review-heading" className="checkout-review">
        <h2 id="review-heading" tabIndex={-1}>
          What you are buying
        </h2>
        <p className="field-help" data-testid="reviewed-version">
          Your cart as you see it here (version {reviewed.version}): exactly this is ordered.
        </p>
        <OrderLines
          lines={linesOf(reviewed)}
          totalCents={reviewed.totalCents}
          caption="Books you are buying"
          testId="checkout-lines"
        />
      </section>
      {mustReview && live && (
        <section
          className="message message-notice message-block checkout-changed"
          aria-labelledby="changed-heading"
          data-testid="checkout-changed"
        >
          <h2 id="changed-heading">
            {changed ? 'Your cart has changed since you reviewed it' : 'Your cart as it is now'}
          </h2>
          {live.items.length > 0 ? (
            <OrderLines
              lines={linesOf(live)}
              totalCents={live.totalCents}
              caption="Your cart now"
              testId="checkout-new-cart"
            />
          ) : (
            <p>Your cart is empty now.</p>
          )}
          <button type="button" className="button button-primary" onClick={reviewAgain}>
            Review this cart
          </button>
        </section>
      )}
      <form ref={formRef} className="checkout-form" onSubmit={place} noValidate aria-busy={placing}>
        <PaymentFormFields value={card} errors={errors} disabled={placing} onChange={setCard} />
        {blocked(reviewed) && (
          <p className="form-error">Some books cannot be sold as they are in your cart: change them first.</p>
        )}
        <p>
          <button
            type="submit"
            className="button button-primary"
            disabled={placing || mustReview || blocked(reviewed)}
          >
            {placing ? 'Placing your order…' : refusal?.retrySame ? 'Try again' : `Place order`}
          </button>{' '}
          <Link to="/cart">Back to the cart</Link>
        </p>
      </form>
    </>
  )
}
