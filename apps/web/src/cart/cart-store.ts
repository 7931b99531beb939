import type { Cart, CartNotice } from '@bookstore/events'
import {
  type ClientStatus,
  createRealtimeClient,
  type RealtimeClient,
  type WebSocketConstructor,
} from '@bookstore/realtime-client'
import { ApiError } from '../api/api-error'
import { withToken } from '../api/with-token'
import { formatMoney } from '../format/money'
import { OrderFeed } from '../orders/order-feed'
import { cartApi } from './cart-api'
import { knownNotices } from './cart-notices'
import { refusalMessage } from './cart-refusals'
import { cartView, isNewer, type PendingChange, quantityIn } from './cart-view'

export interface ShownNotice {
  id: string
  notice: CartNotice
}

export interface CartSnapshot {
  /** The cart as the shopper sees it: the newest confirmed version and the changes under way. */
  cart: Cart | undefined
  status: 'signed-out' | 'loading' | 'ready' | 'error'
  /** The live connection; 'reconnecting' is shown quietly, and the cart catches up when it is back. */
  connection: ClientStatus | 'idle'
  /** Catalog changes to the cart (price, stock, removal), until dismissed. */
  notices: readonly ShownNotice[]
  /** The last refused change, rolled back and said (role=alert) until dismissed or replaced. */
  refusal: { id: string; message: string } | undefined
  /** What a screen reader hears about the newest change (a polite live region). */
  announcement: string
  /** Books with a change under way. */
  pending: ReadonlySet<string>
}

export interface CartStoreOptions {
  /** A current access token (undefined: not logged in). */
  token: () => Promise<string | undefined>
  /** The token was refused with 401: a fresh one, or undefined. */
  tokenRefused: (token: string) => Promise<string | undefined>
  realtimeUrl: string
  WebSocket?: WebSocketConstructor
  locale?: string
  newId?: () => string
}

const signedOut: CartSnapshot = {
  cart: undefined,
  status: 'signed-out',
  connection: 'idle',
  notices: [],
  refusal: undefined,
  announcement: '',
  pending: new Set(),
}

export interface BookLine {
  bookId: string
  title: string
  unitPriceCents: number
}

/**
 * The live cart of one tab (SPEC W1, RT3): REST answers and socket events both go through one
 * rule, the newer version wins, so a late event never undoes a newer state; changes show at once
 * and roll back visibly when cart-api refuses them. Plain TypeScript: React subscribes to it.
 */
export class CartStore {
  #snapshot: CartSnapshot = signedOut
  #confirmed: Cart | undefined
  #pending: PendingChange[] = []
  #client: RealtimeClient | undefined
  #userId: string | undefined
  #generation = 0
  #listeners = new Set<() => void>()
  #newId: () => string
  #wasLost = false
  /** The shopper's order messages, heard on this cart's socket (SPEC O2). */
  readonly orders = new OrderFeed()

  constructor(private readonly options: CartStoreOptions) {
    this.#newId = options.newId ?? (() => crypto.randomUUID())
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  getSnapshot = (): CartSnapshot => this.#snapshot

  /** Loads the user's cart and follows it live; a second call for the same user changes nothing. */
  start(userId: string): void {
    if (this.#userId === userId) return
    this.stop()
    this.#userId = userId
    const generation = ++this.#generation
    this.#update({ status: 'loading', connection: 'connecting' })
    void this.#load(generation)
    this.#client = createRealtimeClient({
      url: this.options.realtimeUrl,
      token: async () => (await this.options.token()) ?? '',
      ...(this.options.WebSocket && { WebSocket: this.options.WebSocket }),
      onCart: (cart, source) => {
        if (generation !== this.#generation) return
        const notices = source.kind === 'event' ? knownNotices(source.event.notices) : []
        this.#confirm(cart, notices)
      },
      onStatus: (status) => {
        if (generation !== this.#generation) return
        this.#update({ connection: status })
        if (status === 'reconnecting') this.#wasLost = true
        else if (status === 'live' && this.#wasLost) {
          this.#wasLost = false
          this.orders.publish({ kind: 'resumed' })
        }
      },
      onOrder: (event) => {
        if (generation === this.#generation)
          this.orders.publish({ kind: 'order', order: event.order, from: event.from })
      },
    })
  }

  /** Logged out: forget the cart and close the socket. */
  stop(): void {
    this.#generation++
    this.#client?.close()
    this.#client = undefined
    this.#userId = undefined
    this.#confirmed = undefined
    this.#pending = []
    this.#snapshot = signedOut
    this.#emit()
  }

  /** Retry after the first load failed. */
  reload(): void {
    if (this.#userId === undefined) return
    this.#update({ status: 'loading' })
    void this.#load(this.#generation)
  }

  add(book: BookLine, quantity = 1): Promise<boolean> {
    const target = quantityIn(this.#snapshot.cart, book.bookId) + quantity
    return this.#change(
      (id) => ({ id, kind: 'set-line', bookId: book.bookId, quantity: target, line: book }),
      book.title,
      (token, key) => cartApi.add(token, key, book.bookId, quantity),
    )
  }

  setQuantity(bookId: string, title: string, quantity: number): Promise<boolean> {
    if (quantity <= 0) return this.remove(bookId, title)
    return this.#change(
      (id) => ({ id, kind: 'set-line', bookId, quantity }),
      title,
      (token, key) => cartApi.setQuantity(token, key, bookId, quantity),
    )
  }

  remove(bookId: string, title: string): Promise<boolean> {
    return this.#change(
      (id) => ({ id, kind: 'set-line', bookId, quantity: 0 }),
      title,
      (token, key) => cartApi.remove(token, key, bookId),
    )
  }

  clear(): Promise<boolean> {
    return this.#change(
      (id) => ({ id, kind: 'clear' }),
      'your cart',
      (token, key) => cartApi.clear(token, key),
    )
  }

  dismissNotice(id: string): void {
    this.#update({ notices: this.#snapshot.notices.filter((shown) => shown.id !== id) })
  }

  dismissRefusal(): void {
    this.#update({ refusal: undefined })
  }

  async #load(generation: number) {
    try {
      const cart = await this.#withToken((token) => cartApi.get(token))
      if (generation !== this.#generation) return
      this.#confirm(cart, [])
      this.#update({ status: 'ready' })
    } catch {
      if (generation === this.#generation && this.#confirmed === undefined) this.#update({ status: 'error' })
    }
  }

  async #change(
    change: (id: string) => PendingChange,
    title: string,
    request: (token: string, idempotencyKey: string) => Promise<Cart>,
  ): Promise<boolean> {
    if (this.#userId === undefined) return false
    const generation = this.#generation
    const id = this.#newId()
    this.#pending = [...this.#pending, change(id)]
    this.#update({ refusal: undefined })
    try {
      // One key for the request and its retry after a refreshed token: never applied twice.
      const cart = await this.#withToken((token) => request(token, id))
      if (generation !== this.#generation) return false
      this.#pending = this.#pending.filter((pending) => pending.id !== id)
      this.#confirm(cart, [])
      return true
    } catch (error) {
      if (generation !== this.#generation) return false
      this.#pending = this.#pending.filter((pending) => pending.id !== id)
      this.#update({ refusal: { id, message: refusalMessage(error, title) } })
      // The refusal may come from a cart this tab has not seen yet (changed elsewhere): catch up.
      if (error instanceof ApiError && error.status === 404) this.#client?.resync()
      return false
    }
  }

  #withToken<T>(task: (token: string) => Promise<T>): Promise<T> {
    return withToken(this.options, task)
  }

  #confirm(cart: Cart, notices: CartNotice[]) {
    const initial = this.#confirmed === undefined
    const shown = notices.map((notice, index) => ({ id: `${cart.version}-${index}`, notice }))
    if (isNewer(this.#confirmed, cart)) this.#confirmed = cart
    else if (shown.length === 0) return this.#update({})
    const view = cartView(this.#confirmed, this.#pending)
    this.#update({
      notices: [...this.#snapshot.notices, ...shown],
      ...(!initial && view && { announcement: this.#describe(view) }),
    })
  }

  #describe(cart: Cart): string {
    if (cart.itemCount === 0) return 'Your cart is empty.'
    const books = cart.itemCount === 1 ? '1 book' : `${cart.itemCount} books`
    return `Cart updated: ${books}, total ${formatMoney(cart.totalCents, this.options.locale)}.`
  }

  #update(patch: Partial<CartSnapshot>) {
    this.#snapshot = {
      ...this.#snapshot,
      ...patch,
      cart: cartView(this.#confirmed, this.#pending),
      pending: new Set(
        this.#pending.flatMap((change) => (change.kind === 'set-line' ? [change.bookId] : [])),
      ),
    }
    this.#emit()
  }

  #emit() {
    for (const listener of this.#listeners) listener()
  }
}
