import type { OrderStatus } from '@bookstore/events'
import { statusLabels } from '../orders/order-status'

export function OrderStatusBadge(props: { status: OrderStatus; testId?: string }) {
  return (
    <span className={`badge badge-status badge-${props.status}`} data-testid={props.testId}>
      {statusLabels[props.status]}
    </span>
  )
}
