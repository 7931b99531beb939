import {
  BEARER_PROTOCOL_PREFIX,
  type Cart,
  type ClientMessage,
  REALTIME_PROTOCOL,
  RealtimeCloseCode,
  type ServerCartChanged,
  type ServerCartMessage,
  ServerMessage,
  type ServerOrderChanged,
} from '@bookstore/events'
import { Check } from 'typebox/value'
import { CartVersions, type Outcome } from './cart-versions'
import { OrderRevisions } from './order-revisions'

/** The standard WebSocket API, as browsers, Node 22+ and the `ws` package implement it. */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: { code: number; reason: string }) => void) | null
  onerror: ((event: unknown) => void) | null
}
export type WebSocketConstructor = new (url: string, protocols: string[]) => WebSocketLike

export type ClientStatus = 'connecting' | 'live' | 'reconnecting' | 'closed'

export interface RealtimeClientOptions {
  /** The gateway's socket URL, e.g. ws://127.0.0.1:3002/ws */
  url: string
  /** The access token, or a function giving a fresh one (called on every (re)connect). */
  token: string | (() => string | Promise<string>)
  /** What the caller already holds (e.g. from storage): only newer state is sent or applied. */
  lastVersion?: number
  cart?: Cart
  /** Default: globalThis.WebSocket (browsers, Node 22+); on Node 20 pass `WebSocket` from `ws`. */
  WebSocket?: WebSocketConstructor
  /** Reconnect with exponential backoff (default), or not at all. */
  reconnect?: false | { initialDelayMs?: number; maxDelayMs?: number }
  /** The cart changed (a newer snapshot or event). */
  onCart?: (cart: Cart, source: { kind: 'snapshot' } | { kind: 'event'; event: ServerCartChanged }) => void
  onStatus?: (status: ClientStatus, detail?: { code: number; reason: string }) => void
  /**
   * One of the shopper's orders changed (SPEC O2): a newer revision of it than any seen on this
   * client. Not replayed after a reconnect: read the orders again then (GET /orders).
   */
  onOrder?: (event: ServerOrderChanged) => void
  /** Every cart message with what became of it (for diagnostics and tests). */
  onMessage?: (message: ServerCartMessage, outcome: Outcome | 'up-to-date') => void
  /** A message that is not of this protocol (ignored). */
  onInvalidMessage?: (data: string) => void
}

/** Close codes after which reconnecting as is cannot help. */
const final = new Set<number>([RealtimeCloseCode.badMessage])

const decode = (data: unknown): string =>
  typeof data === 'string'
    ? data
    : new TextDecoder().decode(data instanceof ArrayBuffer ? data : (data as Uint8Array))

/**
 * A small typed client for the live cart (docs/realtime-protocol.md): it opens the socket with the
 * token as subprotocol, says hello with its last version, applies snapshots and events by version
 * (duplicates and stale ones ignored), asks for a resync after a gap, and reconnects with backoff
 * saying its last version, so that it gets a snapshot only when it is behind.
 */
export function createRealtimeClient(options: RealtimeClientOptions) {
  const available = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  if (!available) throw new Error('No WebSocket implementation: pass options.WebSocket (e.g. from ws)')
  const WebSocketImpl: WebSocketConstructor = available
  const versions = new CartVersions({ version: options.lastVersion, cart: options.cart })
  const orders = new OrderRevisions()
  // Reconnecting is the default: only `reconnect: false` turns it off.
  const reconnect = options.reconnect === false ? undefined : (options.reconnect ?? {})
  const stats = { applied: 0, ignored: 0, gaps: 0, snapshots: 0, connects: 0, orderEvents: 0 }

  let socket: WebSocketLike | undefined
  let closedByUser = false
  let attempt = 0
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let live: { promise: Promise<void>; resolve: () => void }
  const newLive = () => {
    let resolve = () => {}
    const promise = new Promise<void>((done) => {
      resolve = done
    })
    live = { promise, resolve }
  }
  newLive()

  const send = (message: ClientMessage) => socket?.send(JSON.stringify(message))

  function becameLive() {
    attempt = 0
    options.onStatus?.('live')
    live.resolve()
  }

  function handle(text: string) {
    let message: unknown
    try {
      message = JSON.parse(text)
    } catch {
      options.onInvalidMessage?.(text)
      return
    }
    if (!Check(ServerMessage, message)) {
      options.onInvalidMessage?.(text)
      return
    }
    const typed = message as ServerMessage
    switch (typed.type) {
      case 'order.changed':
        if (!orders.apply(typed)) return
        stats.orderEvents++
        options.onOrder?.(typed)
        return
      case 'snapshot': {
        const outcome = versions.applySnapshot(typed)
        stats.snapshots++
        options.onMessage?.(typed, outcome)
        if (outcome !== 'ignored') options.onCart?.(typed.cart, { kind: 'snapshot' })
        becameLive()
        return
      }
      case 'up-to-date':
        options.onMessage?.(typed, 'up-to-date')
        becameLive()
        return
      case 'cart.changed': {
        const outcome = versions.applyEvent(typed)
        options.onMessage?.(typed, outcome)
        if (outcome === 'ignored') {
          stats.ignored++
          return
        }
        stats.applied++
        options.onCart?.(typed.cart, { kind: 'event', event: typed })
        if (outcome === 'applied-after-gap') {
          stats.gaps++
          send({ type: 'resync', lastVersion: versions.version ?? null })
        }
      }
    }
  }

  async function connect() {
    options.onStatus?.(stats.connects === 0 ? 'connecting' : 'reconnecting')
    const token = typeof options.token === 'function' ? await options.token() : options.token
    if (closedByUser) return
    stats.connects++
    const ws = new WebSocketImpl(options.url, [REALTIME_PROTOCOL, `${BEARER_PROTOCOL_PREFIX}${token}`])
    socket = ws
    ws.onopen = () => send({ type: 'hello', lastVersion: versions.version ?? null })
    ws.onmessage = (event) => handle(decode(event.data))
    ws.onerror = () => {}
    ws.onclose = (event) => {
      if (socket !== ws) return
      socket = undefined
      const detail = { code: event.code, reason: event.reason }
      if (closedByUser || !reconnect || final.has(event.code)) {
        options.onStatus?.('closed', detail)
        return
      }
      options.onStatus?.('reconnecting', detail)
      newLive()
      const base = reconnect.initialDelayMs ?? 250
      const delay = Math.min(reconnect.maxDelayMs ?? 10_000, base * 2 ** attempt++)
      // Jitter: after a gateway restart, thousands of clients should not come back in one instant.
      retryTimer = setTimeout(() => void connect(), delay / 2 + Math.random() * (delay / 2))
    }
  }
  void connect()

  return {
    get cart(): Cart | undefined {
      return versions.cart
    },
    get version(): number | undefined {
      return versions.version
    },
    stats,
    /** Resolves when the client holds the current cart (after the hello's answer). */
    ready: (): Promise<void> => live.promise,
    /** Asks for a snapshot now (it is sent only if the server's version differs). */
    resync: () => send({ type: 'resync', lastVersion: versions.version ?? null }),
    close(): void {
      closedByUser = true
      if (retryTimer !== undefined) clearTimeout(retryTimer)
      socket?.close(1000, 'client closed')
    },
  }
}
export type RealtimeClient = ReturnType<typeof createRealtimeClient>
