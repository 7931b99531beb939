import type { OrderTransition } from '@bookstore/events'
import { formatWhen, transitionText } from '../orders/order-status'

/** The order's states, oldest first, each with when it happened. */
export function OrderHistory(props: { history: readonly OrderTransition[] }) {
  return (
    <ol className="order-history" aria-label="History of this order" data-testid="order-history">
      {props.history.map((step) => (
        <li key={`${step.at}-${step.to}`}>
          <time dateTime={new Date(step.at).toISOString()}>{formatWhen(step.at)}</time>{' '}
          <span>{transitionText(step)}</span>
        </li>
      ))}
    </ol>
  )
}
