import type { Order } from '@bookstore/events'
import { useState } from 'react'
import { Link, useLocation, useParams } from 'react-router'
import { ApiError, isApiError } from '../api/api-error'
import { withToken } from '../api/with-token'
import { OrderHistory } from '../components/order-history'
import { OrderLines } from '../components/order-lines'
import { OrderStatusBadge } from '../components/order-status-badge'
import { useDocumentTitle } from '../components/route-focus'
import { errorText, LoadError, Loading } from '../components/status-message'
import { formatMoney } from '../format/money'
import { orderApi } from '../orders/order-api'
import {
  cancelText,
  formatWhen,
  orderNumber,
  refusedLineText,
  shopperMayCancel,
  statusLabels,
  statusMeaning,
} from '../orders/order-status'
import { useLiveOrder } from '../orders/use-live-order'
import { useSession } from '../session/session-context'
import { useTokenSource } from '../session/use-token-source'

function cancelRefusal(error: unknown): string {
  if (
    error instanceof ApiError &&
    (error.code === 'ORDER_STATE_CHANGED' || error.code === 'ORDER_TRANSITION_INVALID')
  ) {
    const now = error.details.status
    const label =
      typeof now === 'string' && now in statusLabels ? statusLabels[now as Order['status']] : undefined
    return `This order can no longer be cancelled${label ? `: it is ${label.toLowerCase()} now` : ''}.`
  }
  return `Could not cancel the order. ${errorText(error)}`
}

function CancelOrder(props: { order: Order; onCancelled: (order: Order) => void }) {
  const tokens = useTokenSource()
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>()
  const { order } = props
  const cancel = async () => {
    setBusy(true)
    setError(undefined)
    try {
      props.onCancelled(await withToken(tokens, (token) => orderApi.cancel(token, order.id, order.status)))
    } catch (failure) {
      setError(cancelRefusal(failure))
    } finally {
      setBusy(false)
      setConfirming(false)
    }
  }
  return (
    <div className="order-cancel">
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {confirming ? (
        <fieldset className="confirm">
          <legend>
            Cancel this order? {order.payment === 'captured' ? 'Your payment is refunded.' : ''}
          </legend>
          <button
            type="button"
            className="button button-danger"
            disabled={busy}
            onClick={() => void cancel()}
          >
            {busy ? 'Cancelling…' : 'Yes, cancel it'}
          </button>
          <button type="button" className="button" disabled={busy} onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </fieldset>
      ) : (
        <button type="button" className="button" onClick={() => setConfirming(true)}>
          Cancel the order
        </button>
      )}
    </div>
  )
}

/** One of the shopper's orders, live (SPEC O2): its status follows the socket without a reload. */
export function OrderPage() {
  const { orderId = '' } = useParams()
  const session = useSession()
  const location = useLocation()
  const placed = (location.state as { placed?: boolean } | null)?.placed === true
  const live = useLiveOrder(orderId, session.status === 'authenticated')
  const { order } = live
  useDocumentTitle(order ? `Order ${orderNumber(order.id)}` : 'Order')

  if (session.status === 'starting') return <Loading label="Loading the order…" />
  if (session.status === 'anonymous')
    return (
      <>
        <h1>Order</h1>
        <p>
          <Link to={`/login?next=${encodeURIComponent(location.pathname)}`}>Log in</Link> to see your orders.
        </p>
      </>
    )
  if (!order && live.status === 'error' && isApiError(live.error) && live.error.status === 404)
    return (
      <>
        <h1>Order not found</h1>
        <p>You have no order with this number.</p>
        <Link to="/orders">Your orders</Link>
      </>
    )
  if (!order)
    return (
      <>
        <h1>Order</h1>
        {live.status === 'error' ? (
          <LoadError what="the order" error={live.error} onRetry={live.retry} />
        ) : (
          <Loading label="Loading the order…" />
        )}
      </>
    )

  const refusedTitle = (bookId: string) => order.lines.find((line) => line.bookId === bookId)?.title ?? bookId
  return (
    <article className="order-page" aria-labelledby="order-heading">
      <p className="breadcrumb">
        <Link to="/orders">← Your orders</Link>
      </p>
      <h1 id="order-heading">Order {orderNumber(order.id)}</h1>
      {placed && order.status !== 'cancelled' && (
        <p className="message message-notice">Thank you: your order is placed.</p>
      )}
      <div className="order-status" role="status" aria-live="polite" aria-atomic="true">
        <p>
          Status: <OrderStatusBadge status={order.status} testId="order-status" />
        </p>
        <p>{order.status === 'cancelled' ? cancelText(order) : statusMeaning[order.status]}</p>
      </div>
      {order.refusedLines && order.refusedLines.length > 0 && (
        <ul className="order-refused" data-testid="order-refused">
          {order.refusedLines.map((line) => (
            <li key={line.bookId}>{refusedLineText(line, refusedTitle(line.bookId))}</li>
          ))}
        </ul>
      )}
      <dl className="order-facts">
        <dt>Placed</dt>
        <dd>{formatWhen(order.createdAt)}</dd>
        <dt>Total</dt>
        <dd>{formatMoney(order.totalCents)}</dd>
        <dt>From your cart</dt>
        <dd>version {order.cartVersion}</dd>
      </dl>
      <OrderLines
        lines={order.lines}
        totalCents={order.totalCents}
        caption="Books in this order"
        testId="order-lines"
      />
      {shopperMayCancel(order.status) && <CancelOrder order={order} onCancelled={live.adopt} />}
      {order.history && order.history.length > 0 && (
        <section aria-labelledby="history-heading">
          <h2 id="history-heading">History</h2>
          <OrderHistory history={order.history} />
        </section>
      )}
    </article>
  )
}
