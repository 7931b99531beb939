import { type OrderChangedEvent, orderEventsChannel } from '@bookstore/events'
import type { Transitioned } from './order-store'

export interface ShardedPublisher {
  spublish(channel: string, message: string): Promise<unknown>
}

/**
 * Pushes committed transitions on each shopper's sharded order channel (SPEC O2), which
 * realtime-gateway subscribes to beside the cart's. A transition is committed before it is
 * published: a publish that fails is logged, never undone; the history is the truth and a client
 * that missed a message reads the order again.
 */
export function createOrderPublisher(
  redis: ShardedPublisher,
  log: { warn(object: Record<string, unknown>, message: string): void },
  onTransition?: (transition: Transitioned) => void,
) {
  return async (transitions: Transitioned[]): Promise<void> => {
    for (const transition of transitions) {
      onTransition?.(transition)
      const event: OrderChangedEvent = {
        type: 'order.changed',
        order: transition.order,
        from: transition.from,
      }
      await redis
        .spublish(orderEventsChannel(transition.order.userId), JSON.stringify(event))
        .catch((error: unknown) =>
          log.warn({ err: error, orderId: transition.order.id }, 'could not publish an order transition'),
        )
    }
  }
}
