import { type Order, type OrderStatus, OrderStatus as OrderStatusSchema } from '@bookstore/events'
import { useState } from 'react'
import { useSearchParams } from 'react-router'
import { Check } from 'typebox/value'
import { adminApi } from '../../admin/admin-api'
import { adminRefusal } from '../../admin/admin-refusals'
import { useAdminCall, useAdminRead } from '../../admin/use-admin-call'
import { OrderStatusBadge } from '../../components/order-status-badge'
import { Pagination } from '../../components/pagination'
import { useDocumentTitle } from '../../components/route-focus'
import { Empty, LoadError, Loading } from '../../components/status-message'
import { formatMoney } from '../../format/money'
import { adminMoves, formatWhen, orderNumber, statusLabels } from '../../orders/order-status'

const statuses = Object.keys(statusLabels) as OrderStatus[]
const moveLabels = { shipped: 'Ship', delivered: 'Mark delivered', cancelled: 'Cancel' } as const

const pageOf = (raw: string | null) => {
  const page = Number(raw)
  return Number.isInteger(page) && page >= 1 && page <= 100_000 ? page : 1
}

function OrderRow(props: {
  order: Order
  onMoved: (message: string) => void
  onError: (message: string) => void
}) {
  const { order } = props
  const call = useAdminCall()
  const [busy, setBusy] = useState(false)
  const number = orderNumber(order.id)
  const move = async (to: 'shipped' | 'delivered' | 'cancelled') => {
    setBusy(true)
    try {
      const moved = await call((token) => adminApi.moveOrder(token, order.id, to, order.status))
      props.onMoved(`Order ${number} is ${statusLabels[moved.status].toLowerCase()} now.`)
    } catch (failure) {
      props.onError(`Order ${number}: ${adminRefusal(failure)}`)
    } finally {
      setBusy(false)
    }
  }
  return (
    <tr data-testid={`admin-order-${order.id}`}>
      <th scope="row">{number}</th>
      <td>
        <OrderStatusBadge status={order.status} />
      </td>
      <td>{formatWhen(order.createdAt)}</td>
      <td>{order.lines.map((line) => `${line.quantity} × ${line.title}`).join(', ')}</td>
      <td className="numeric">{formatMoney(order.totalCents)}</td>
      <td className="admin-actions">
        {adminMoves(order.status).map((to) => (
          <button
            key={to}
            type="button"
            className={to === 'cancelled' ? 'button button-danger' : 'button'}
            disabled={busy}
            aria-label={`${moveLabels[to]} order ${number}`}
            onClick={() => void move(to)}
          >
            {moveLabels[to]}
          </button>
        ))}
      </td>
    </tr>
  )
}

/** Every shopper's orders, filtered by state; move each along (a compare-and-set on what was shown). */
export function AdminOrdersPage() {
  const [params, setParams] = useSearchParams()
  const raw = params.get('status')
  const status = Check(OrderStatusSchema, raw) ? raw : undefined
  const page = pageOf(params.get('page'))
  const [reads, setReads] = useState(0)
  const [said, setSaid] = useState<{ message?: string; error?: string }>({})
  const orders = useAdminRead(
    (token, signal) => adminApi.orders(token, { status, page }, signal),
    [status, page, reads],
  )
  useDocumentTitle('Orders · Administration')
  const href = (n: number) => {
    const next = new URLSearchParams(status ? { status } : {})
    if (n > 1) next.set('page', String(n))
    const text = next.toString()
    return text ? `/manage/orders?${text}` : '/manage/orders'
  }
  const data = orders.data
  return (
    <>
      <h1>Orders</h1>
      <div className="field field-inline">
        <label htmlFor="admin-order-status">Show</label>
        <select
          id="admin-order-status"
          value={status ?? ''}
          onChange={(event) => setParams(event.target.value ? { status: event.target.value } : {})}
        >
          <option value="">All orders</option>
          {statuses.map((value) => (
            <option key={value} value={value}>
              {statusLabels[value]}
            </option>
          ))}
        </select>
        <button type="button" className="button" onClick={() => setReads((n) => n + 1)}>
          Refresh
        </button>
      </div>
      <p className="admin-said" role="status" data-testid="admin-saved">
        {said.message}
      </p>
      {said.error && (
        <p className="form-error" role="alert" data-testid="admin-error">
          {said.error}
        </p>
      )}
      {orders.status === 'error' && (
        <LoadError what="the orders" error={orders.error} onRetry={orders.retry} />
      )}
      {!data && orders.status === 'loading' && <Loading label="Loading orders…" />}
      {data && data.items.length === 0 && (
        <Empty>
          <p>{status ? `No ${statusLabels[status].toLowerCase()} orders.` : 'No orders yet.'}</p>
        </Empty>
      )}
      {data && data.items.length > 0 && (
        <div className="table-scroll">
          <table className="order-lines admin-table" aria-busy={orders.status === 'loading'}>
            <caption className="visually-hidden">Orders, {data.totalItems} in all</caption>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Status</th>
                <th scope="col">Placed</th>
                <th scope="col">Books</th>
                <th scope="col" className="numeric">
                  Total
                </th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((order) => (
                <OrderRow
                  key={`${order.id}-${order.revision}`}
                  order={order}
                  onMoved={(message) => {
                    setSaid({ message })
                    setReads((n) => n + 1)
                  }}
                  onError={(error) => {
                    setSaid({ error })
                    setReads((n) => n + 1)
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data && <Pagination page={data.page} totalPages={data.totalPages} href={href} />}
    </>
  )
}
