import type { OrderPage } from '@bookstore/events'
import { useCallback, useEffect, useRef, useState } from 'react'
import { withToken } from '../api/with-token'
import { useCartStore } from '../cart/cart-context'
import { useTokenSource } from '../session/use-token-source'
import { orderApi } from './order-api'
import { newerOrder } from './order-feed'

export interface LiveOrders {
  page: OrderPage | undefined
  status: 'loading' | 'ready' | 'error'
  error: unknown
  retry: () => void
}

/**
 * A page of the shopper's orders, live: a socket message about a listed order updates it in place
 * by revision; one about an order not on the page (a new one, placed on another device) or a lost
 * socket reads the page again.
 */
export function useLiveOrders(pageNumber: number, enabled: boolean): LiveOrders {
  const tokens = useTokenSource()
  const feed = useCartStore().orders
  const [page, setPage] = useState<OrderPage | undefined>()
  const [status, setStatus] = useState<LiveOrders['status']>('loading')
  const [error, setError] = useState<unknown>()
  const reading = useRef<AbortController | undefined>(undefined)
  const listed = useRef<OrderPage | undefined>(undefined)
  listed.current = page

  const read = useCallback(() => {
    reading.current?.abort()
    const controller = new AbortController()
    reading.current = controller
    setStatus('loading')
    withToken(tokens, (token) => orderApi.list(token, pageNumber, controller.signal)).then(
      (fresh) => {
        if (controller.signal.aborted) return
        // A message may have come while the page was read: keep the newer state of each order.
        setPage((held) => {
          const seen = new Map(held?.items.map((order) => [order.id, order]))
          return { ...fresh, items: fresh.items.map((order) => newerOrder(seen.get(order.id), order)) }
        })
        setStatus('ready')
      },
      (failure: unknown) => {
        if (controller.signal.aborted) return
        setError(failure)
        setStatus('error')
      },
    )
  }, [tokens, pageNumber])

  useEffect(() => {
    if (!enabled) return
    read()
    const unsubscribe = feed.subscribe((message) => {
      if (message.kind === 'resumed') return read()
      const { order } = message
      if (!listed.current?.items.some((item) => item.id === order.id)) {
        if (pageNumber === 1) read()
        return
      }
      setPage(
        (held) =>
          held && {
            ...held,
            items: held.items.map((item) => (item.id === order.id ? newerOrder(item, order) : item)),
          },
      )
    })
    return () => {
      unsubscribe()
      reading.current?.abort()
    }
  }, [enabled, feed, pageNumber, read])

  return { page, status, error, retry: read }
}
