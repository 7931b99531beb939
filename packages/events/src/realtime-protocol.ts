import { type Static, Type } from 'typebox'
import { Cart, type CartOperation } from './cart'
import { Order, OrderStatus } from './orders'

/**
 * The WebSocket protocol between realtime-gateway and its clients (SPEC RT1-RT4), version 1.
 * docs/realtime-protocol.md describes it for people; this file is what both ends validate against.
 *
 * Every cart message carries the cart `version` at the top level, so a client orders and
 * de-duplicates without looking inside (order messages are ordered by their order's revision). Event messages are the published `CartChangedEvent` plus
 * that `version`, forwarded as they are: fields this file does not name (notices added by catalog
 * propagation, new `op` values) reach the client untouched, so every schema here allows them.
 */

/** The subprotocol a client must offer (and the server echoes); a later incompatible protocol is `bookstore.v2`. */
export const REALTIME_PROTOCOL = 'bookstore.v1'

/**
 * A client may carry its access token as a second subprotocol `bearer.<jwt>` (browsers cannot set
 * an Authorization header on a WebSocket). The server never echoes it.
 */
export const BEARER_PROTOCOL_PREFIX = 'bearer.'

/** The path realtime-gateway serves the socket on. */
export const REALTIME_PATH = '/ws'

/** Close codes the server uses, and what a client should do about each (docs/realtime-protocol.md). */
export const RealtimeCloseCode = {
  /** The server is shutting down or restarting: reconnect (to another instance) with backoff. */
  goingAway: 1001,
  /** Something failed on the server side: reconnect with backoff. */
  internalError: 1011,
  /** The server cannot serve the socket right now (its Redis is away): reconnect with backoff. */
  tryAgainLater: 1013,
  /** The client did not read fast enough: its unread data passed the server's bound. Reconnect, say the last version. */
  slowConsumer: 4008,
  /** The client sent a message that is not valid JSON of this protocol: a bug, do not retry as is. */
  badMessage: 4400,
  /** The access token expired while the socket was open: reconnect with a fresh token. */
  tokenExpired: 4401,
  /** This user already has the most sockets one gateway instance allows: close another tab first. */
  tooManySockets: 4029,
} as const
export type RealtimeCloseCode = (typeof RealtimeCloseCode)[keyof typeof RealtimeCloseCode]

const Version = Type.Integer({
  minimum: 0,
  description: 'The cart version (SPEC C3): never repeats, never goes back',
})

// ---------------------------------------------------------------------------------------------
// Client to server

/**
 * Sent right after the socket opens, and again after every reconnect: "I have seen the cart up to
 * this version" (absent or null: nothing yet). The server answers with a snapshot when the client is
 * behind, else with `up-to-date`.
 */
export const ClientHello = Type.Object({
  type: Type.Literal('hello'),
  lastVersion: Type.Optional(Type.Union([Version, Type.Null()])),
})
export type ClientHello = Static<typeof ClientHello>

/** "I saw a gap in the versions: send me the whole cart." Answered like a hello. */
export const ClientResync = Type.Object({
  type: Type.Literal('resync'),
  lastVersion: Type.Optional(Type.Union([Version, Type.Null()])),
})
export type ClientResync = Static<typeof ClientResync>

export const ClientMessage = Type.Union([ClientHello, ClientResync])
export type ClientMessage = Static<typeof ClientMessage>

// ---------------------------------------------------------------------------------------------
// Server to client

/** The whole cart as it is now (absent from Redis: empty at its version). */
export const ServerSnapshot = Type.Object({
  type: Type.Literal('snapshot'),
  version: Version,
  cart: Cart,
})
export type ServerSnapshot = Static<typeof ServerSnapshot>

/** The answer to a hello or resync whose version is the current one: nothing to send. */
export const ServerUpToDate = Type.Object({
  type: Type.Literal('up-to-date'),
  version: Version,
})
export type ServerUpToDate = Static<typeof ServerUpToDate>

/**
 * One committed change: the published `CartChangedEvent` with its version lifted to the top.
 * `op` is any string here, not only today's operations, so that an older client still applies the
 * cart of a change kind it does not know (catalog propagation adds some).
 */
export const ServerCartChanged = Type.Object({
  type: Type.Literal('cart.changed'),
  version: Version,
  op: Type.String(),
  cart: Cart,
  /**
   * On catalog changes: what changed in the cart, to show the shopper (SPEC B3-B5); each one a
   * `CartNotice`. Only `kind` is required here: a client shows the kinds it knows and skips the
   * rest, so a newer server's notice never makes an older client drop the change itself.
   */
  notices: Type.Optional(Type.Array(Type.Object({ kind: Type.String() }))),
})
export type ServerCartChanged = Static<typeof ServerCartChanged> & {
  op: CartOperation | (string & {})
  [field: string]: unknown
}

/**
 * One transition of one of the shopper's orders (SPEC O2): the published `OrderChangedEvent` as it
 * is. It carries no cart `version` (orders are not versioned with the cart): a client orders the
 * messages of one order by `order.revision` and keeps the highest. Not replayed on reconnect: a
 * client that was away reads its orders again (GET /orders).
 */
export const ServerOrderChanged = Type.Object({
  type: Type.Literal('order.changed'),
  order: Order,
  from: Type.Union([OrderStatus, Type.Null()]),
})
export type ServerOrderChanged = Static<typeof ServerOrderChanged>

/** The messages about the cart: each carries the cart version. */
export type ServerCartMessage = ServerSnapshot | ServerUpToDate | ServerCartChanged

export const ServerMessage = Type.Union([
  ServerSnapshot,
  ServerUpToDate,
  ServerCartChanged,
  ServerOrderChanged,
])
export type ServerMessage = ServerCartMessage | ServerOrderChanged
