import { Link, useSearchParams } from 'react-router'
import { OrderStatusBadge } from '../components/order-status-badge'
import { Pagination } from '../components/pagination'
import { useDocumentTitle } from '../components/route-focus'
import { Empty, LoadError, Loading } from '../components/status-message'
import { formatMoney } from '../format/money'
import { formatWhen, orderNumber } from '../orders/order-status'
import { useLiveOrders } from '../orders/use-live-orders'
import { useSession } from '../session/session-context'

const pageOf = (raw: string | null) => {
  const page = Number(raw)
  return Number.isInteger(page) && page >= 1 && page <= 100_000 ? page : 1
}

/** The shopper's orders, newest first, their statuses live. */
export function OrdersPage() {
  const session = useSession()
  const [params] = useSearchParams()
  const pageNumber = pageOf(params.get('page'))
  const orders = useLiveOrders(pageNumber, session.status === 'authenticated')
  useDocumentTitle('Your orders')

  if (session.status === 'starting') return <Loading label="Loading your orders…" />
  if (session.status === 'anonymous')
    return (
      <>
        <h1>Your orders</h1>
        <p>
          <Link to="/login?next=%2Forders">Log in</Link> to see your orders.
        </p>
      </>
    )
  const { page } = orders
  return (
    <>
      <h1>Your orders</h1>
      {orders.status === 'error' && (
        <LoadError what="your orders" error={orders.error} onRetry={orders.retry} />
      )}
      {!page && orders.status === 'loading' && <Loading label="Loading your orders…" />}
      {page && page.items.length === 0 && (
        <Empty>
          <p>You have not ordered anything yet.</p>
          <Link to="/">Find a book</Link>
        </Empty>
      )}
      {page && page.items.length > 0 && (
        <ul className="order-list" aria-label="Your orders">
          {page.items.map((order) => (
            <li key={order.id} className="order-card" data-testid={`order-${order.id}`}>
              <Link to={`/orders/${encodeURIComponent(order.id)}`} className="order-card-link">
                Order {orderNumber(order.id)}
              </Link>
              <OrderStatusBadge status={order.status} />
              <span>{formatWhen(order.createdAt)}</span>
              <span>
                {order.itemCount === 1 ? '1 book' : `${order.itemCount} books`},{' '}
                {formatMoney(order.totalCents)}
              </span>
            </li>
          ))}
        </ul>
      )}
      {page && (
        <Pagination
          page={page.page}
          totalPages={page.totalPages}
          href={(n) => (n === 1 ? '/orders' : `/orders?page=${n}`)}
        />
      )}
    </>
  )
}
