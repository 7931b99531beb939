import { createContext, type ReactNode, useContext, useEffect, useSyncExternalStore } from 'react'
import { useSession } from '../session/session-context'
import type { CartSnapshot, CartStore } from './cart-store'

const CartContext = createContext<CartStore | undefined>(undefined)

/** Follows the session: a logged-in shopper's cart is loaded and live; logged out, it is gone. */
export function CartProvider(props: { store: CartStore; children: ReactNode }) {
  const { store } = props
  const session = useSession()
  const userId = session.status === 'authenticated' ? session.user.id : undefined
  useEffect(() => {
    if (userId) store.start(userId)
    else if (session.status === 'anonymous') store.stop()
  }, [store, userId, session.status])
  useEffect(() => () => store.stop(), [store])
  return <CartContext.Provider value={store}>{props.children}</CartContext.Provider>
}

export function useCartStore(): CartStore {
  const store = useContext(CartContext)
  if (!store) throw new Error('useCart outside CartProvider')
  return store
}

export function useCart(): CartSnapshot {
  const store = useCartStore()
  return useSyncExternalStore(store.subscribe, store.getSnapshot)
}
