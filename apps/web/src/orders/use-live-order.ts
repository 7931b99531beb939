import type { Order } from '@bookstore/events'
import { useCallback, useEffect, useRef, useState } from 'react'
import { withToken } from '../api/with-token'
import { useCartStore } from '../cart/cart-context'
import { useTokenSource } from '../session/use-token-source'
import { orderApi } from './order-api'
import { newerOrder } from './order-feed'

export interface LiveOrder {
  order: Order | undefined
  status: 'loading' | 'ready' | 'error'
  error: unknown
  retry: () => void
  /** An answer of order-api about this order (after a cancel): kept only if newer. */
  adopt: (order: Order) => void
}

/**
 * One of the shopper's orders, live (SPEC O2): read once, then every socket message about it is
 * applied by revision (a late or repeated one changes nothing), and the order is read again for its
 * history after each change and after the socket was lost (order messages are not replayed).
 */
export function useLiveOrder(orderId: string, enabled: boolean): LiveOrder {
  const tokens = useTokenSource()
  const feed = useCartStore().orders
  const [order, setOrder] = useState<Order | undefined>()
  const [status, setStatus] = useState<LiveOrder['status']>('loading')
  const [error, setError] = useState<unknown>()
  const reading = useRef<AbortController | undefined>(undefined)

  const adopt = useCallback(
    (incoming: Order) => {
      if (incoming.id === orderId)
        setOrder((held) => newerOrder(held?.id === orderId ? held : undefined, incoming))
    },
    [orderId],
  )

  const read = useCallback(() => {
    reading.current?.abort()
    const controller = new AbortController()
    reading.current = controller
    withToken(tokens, (token) => orderApi.get(token, orderId, controller.signal)).then(
      (fresh) => {
        if (controller.signal.aborted) return
        adopt(fresh)
        setStatus('ready')
      },
      (failure: unknown) => {
        if (controller.signal.aborted) return
        setError(failure)
        setStatus('error')
      },
    )
  }, [tokens, orderId, adopt])

  useEffect(() => {
    if (!enabled) return
    setStatus('loading')
    read()
    const unsubscribe = feed.subscribe((message) => {
      if (message.kind === 'resumed') return read()
      if (message.order.id !== orderId) return
      adopt(message.order)
      setStatus('ready')
      // The message has the new state; the history with its new step comes with a read.
      if (!message.order.history) read()
    })
    return () => {
      unsubscribe()
      reading.current?.abort()
    }
  }, [enabled, feed, orderId, read, adopt])

  return {
    order: order?.id === orderId ? order : undefined,
    status,
    error,
    retry: read,
    adopt,
  }
}
