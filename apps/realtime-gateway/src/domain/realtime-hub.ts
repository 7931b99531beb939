import { cartKeys, orderEventsChannel, RealtimeCloseCode } from '@bookstore/events'
import type { ChannelSubscriptions } from './channel-subscriptions'
import { cartEventFrame, type Frame, orderEventFrame, upToDateFrame } from './frames'

/** The part of a `ws` WebSocket the hub uses (so tests and the hub need no Fastify). */
export interface HubSocket {
  readonly readyState: number
  readonly bufferedAmount: number
  send(data: Buffer, options: { binary: boolean }): void
  close(code: number, reason: string): void
  terminate(): void
  ping(): void
}

const OPEN = 1
/** Frames are UTF-8 JSON: sent as text frames although handed over as bytes. */
const textFrame = { binary: false } as const

/** One open socket of one user on this instance. Kept small: there are thousands. */
export interface Session {
  readonly socket: HubSocket
  readonly userId: string
  /** Token expiry (epoch ms): the socket is closed then (4401). */
  readonly expiresAt: number
  /** Answered the last ping (or sent something) since the last heartbeat. */
  alive: boolean
  closed: boolean
  /** Settles when the user's channel is subscribed on this instance. */
  subscribed: Promise<void>
  /** Hellos in the current minute: each costs a Redis read, so a socket gets a bounded number. */
  hellos: { windowStartedAt: number; count: number }
}

export interface HubMetrics {
  socketsChanged(count: number): void
  channelsChanged(count: number): void
  messagesSent(kind: 'event' | 'snapshot' | 'up-to-date' | 'order', count: number): void
  slowConsumerDropped(): void
  deadSocketDropped(): void
  deliveryLatency(ms: number): void
  invalidEvent(): void
  helloIgnored(): void
}

export interface HubLog {
  warn(object: Record<string, unknown>, message: string): void
  error(object: Record<string, unknown>, message: string): void
}

export interface RealtimeHubDeps {
  subscriptions: ChannelSubscriptions
  /** The user's cart as it is in Redis now, as a snapshot frame. */
  readSnapshot: (userId: string) => Promise<Frame>
  maxSocketsPerUser: number
  /** Hellos (and resyncs) one socket is answered per minute; the ones beyond are ignored. */
  maxHellosPerMinute: number
  maxBufferedBytes: number
  metrics: HubMetrics
  log: HubLog
  now?: () => number
}

/** The user a channel belongs to, and which of their channels it is (cart or orders). */
const ownerOfChannel = (channel: string): { userId: string; kind: 'cart' | 'orders' } | undefined => {
  const match = /^(cart|order)-events:\{(.+)\}$/.exec(channel)
  const userId = match?.[2]
  if (userId === undefined) return undefined
  if (cartKeys(userId).events === channel) return { userId, kind: 'cart' }
  return orderEventsChannel(userId) === channel ? { userId, kind: 'orders' } : undefined
}

/** Every socket of a user follows both of the user's channels: the cart's and the orders'. */
const channelsOf = (userId: string) => [cartKeys(userId).events, orderEventsChannel(userId)]

/**
 * The sockets of this instance, grouped by user, and everything that is sent to them (SPEC RT2-RT4):
 * each change is fanned out to every socket of its user, snapshots answer hellos, heartbeats drop
 * dead sockets and a socket that stops reading is cut at the buffer bound instead of growing memory.
 */
export function createRealtimeHub(deps: RealtimeHubDeps) {
  const now = deps.now ?? Date.now
  const users = new Map<string, Set<Session>>()
  let socketCount = 0

  const channelsChanged = () => deps.metrics.channelsChanged(deps.subscriptions.size)

  function close(session: Session, code: number, reason: string) {
    if (session.closed) return
    try {
      session.socket.close(code, reason)
    } catch {
      session.socket.terminate()
    }
  }

  /** Sends one frame, or cuts the socket when its unsent bytes reached the bound. */
  function send(session: Session, data: Buffer): boolean {
    const { socket } = session
    if (session.closed || socket.readyState !== OPEN) return false
    if (socket.bufferedAmount >= deps.maxBufferedBytes) {
      deps.metrics.slowConsumerDropped()
      deps.log.warn(
        { userId: session.userId, bufferedBytes: socket.bufferedAmount },
        'slow consumer: closing its socket',
      )
      close(session, RealtimeCloseCode.slowConsumer, 'slow consumer')
      return false
    }
    socket.send(data, textFrame)
    return true
  }

  async function sendState(session: Session, lastVersion: number | null | undefined) {
    const snapshot = await deps.readSnapshot(session.userId)
    if (lastVersion === snapshot.version) {
      if (send(session, upToDateFrame(snapshot.version))) deps.metrics.messagesSent('up-to-date', 1)
    } else if (send(session, snapshot.data)) deps.metrics.messagesSent('snapshot', 1)
  }

  return {
    /** Whether this user may open one more socket here (checked before the upgrade). */
    hasRoomFor(userId: string): boolean {
      return (users.get(userId)?.size ?? 0) < deps.maxSocketsPerUser
    },

    /**
     * Registers an open socket and subscribes its user's channel (if this is the user's first socket
     * here). Changes are sent to it from then on; its hello gets the snapshot. Returns undefined (and
     * closes the socket with 4029) when the user already has the most sockets allowed: two upgrades
     * may both have passed `hasRoomFor`.
     */
    open(socket: HubSocket, userId: string, expiresAt: number): Session | undefined {
      let sessions = users.get(userId)
      if ((sessions?.size ?? 0) >= deps.maxSocketsPerUser) {
        socket.close(RealtimeCloseCode.tooManySockets, 'too many sockets for this user')
        return undefined
      }
      if (!sessions) {
        sessions = new Set()
        users.set(userId, sessions)
      }
      const session: Session = {
        socket,
        userId,
        expiresAt,
        alive: true,
        hellos: { windowStartedAt: now(), count: 0 },
        closed: false,
        subscribed: Promise.all(
          channelsOf(userId).map((channel) => deps.subscriptions.acquire(channel)),
        ).then(() => undefined),
      }
      session.subscribed.then(channelsChanged, (error: unknown) => {
        deps.log.error({ err: error, userId }, 'could not subscribe the cart channel')
        close(session, RealtimeCloseCode.tryAgainLater, 'cart events unavailable, retry')
      })
      sessions.add(session)
      deps.metrics.socketsChanged(++socketCount)
      return session
    },

    /** The socket has closed: forget it, and unsubscribe when it was the user's last one here. */
    closed(session: Session): void {
      if (session.closed) return
      session.closed = true
      const sessions = users.get(session.userId)
      if (sessions?.delete(session)) deps.metrics.socketsChanged(--socketCount)
      if (sessions?.size === 0) users.delete(session.userId)
      for (const channel of channelsOf(session.userId))
        deps.subscriptions.release(channel).then(channelsChanged, (error: unknown) => {
          deps.log.warn({ err: error, userId: session.userId, channel }, 'could not unsubscribe a channel')
        })
    },

    /** A hello or resync: the snapshot if the client is behind (or has nothing), else up-to-date. */
    async hello(session: Session, lastVersion: number | null | undefined): Promise<void> {
      session.alive = true
      const at = now()
      if (at - session.hellos.windowStartedAt >= 60_000) session.hellos = { windowStartedAt: at, count: 0 }
      session.hellos.count += 1
      if (session.hellos.count > deps.maxHellosPerMinute) {
        // A client in a loop: ignored, not closed (it would reconnect and loop on the handshake).
        deps.metrics.helloIgnored()
        if (session.hellos.count === deps.maxHellosPerMinute + 1)
          deps.log.warn(
            { userId: session.userId },
            'too many hellos on one socket: ignoring them this minute',
          )
        return
      }
      try {
        await session.subscribed
        if (!session.closed) await sendState(session, lastVersion)
      } catch (error) {
        deps.log.warn({ err: error, userId: session.userId }, 'could not send the cart snapshot')
        close(session, RealtimeCloseCode.tryAgainLater, 'cart unavailable, retry')
      }
    },

    /** A message from the subscriber connection: fan it out to the user's sockets here. */
    publish(channel: string, raw: string): void {
      const owner = ownerOfChannel(channel)
      const sessions = owner === undefined ? undefined : users.get(owner.userId)
      if (owner === undefined || !sessions) return
      const { userId } = owner
      if (owner.kind === 'orders') {
        const data = orderEventFrame(raw, userId)
        if (!data) {
          deps.metrics.invalidEvent()
          deps.log.warn(
            { channel, message: raw.slice(0, 200) },
            'dropped a message that is not an order event',
          )
          return
        }
        let sent = 0
        for (const session of sessions) if (send(session, data)) sent++
        deps.metrics.messagesSent('order', sent)
        return
      }
      const frame = cartEventFrame(raw, userId)
      if (!frame) {
        deps.metrics.invalidEvent()
        deps.log.warn({ channel, message: raw.slice(0, 200) }, 'dropped a message that is not a cart event')
        return
      }
      let sent = 0
      for (const session of sessions) if (send(session, frame.data)) sent++
      deps.metrics.messagesSent('event', sent)
      if (frame.committedAt !== undefined && sent > 0) deps.metrics.deliveryLatency(now() - frame.committedAt)
    },

    /**
     * After the subscriber connection was lost and is back: changes published meanwhile were never
     * received, so every socket gets the current snapshot (clients keep only what is newer).
     */
    async resyncAll(): Promise<void> {
      await Promise.all(
        [...users].map(async ([userId, sessions]) => {
          try {
            const snapshot = await deps.readSnapshot(userId)
            let sent = 0
            for (const session of sessions) if (send(session, snapshot.data)) sent++
            deps.metrics.messagesSent('snapshot', sent)
          } catch (error) {
            deps.log.warn({ err: error, userId }, 'could not resync a user after reconnecting')
            for (const session of sessions) close(session, RealtimeCloseCode.tryAgainLater, 'resync failed')
          }
        }),
      )
    },

    /**
     * One heartbeat round: a socket that has not answered the previous ping is dead (a vanished
     * device, a cut network) and is dropped; the others are pinged. Expired tokens end here too.
     */
    heartbeat(): void {
      const at = now()
      for (const sessions of users.values()) {
        for (const session of sessions) {
          if (session.closed) continue
          if (!session.alive) {
            deps.metrics.deadSocketDropped()
            session.socket.terminate()
          } else if (at >= session.expiresAt) {
            close(session, RealtimeCloseCode.tokenExpired, 'access token expired')
          } else {
            session.alive = false
            session.socket.ping()
          }
        }
      }
    },

    /** Closes every socket with `code`; those that have not closed after `timeoutMs` are cut. */
    async closeAll(code: number, reason: string, timeoutMs: number): Promise<void> {
      for (const sessions of users.values()) for (const session of sessions) close(session, code, reason)
      const deadline = now() + timeoutMs
      while (socketCount > 0 && now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
      for (const sessions of users.values()) for (const session of sessions) session.socket.terminate()
    },

    get socketCount() {
      return socketCount
    },
    get userCount() {
      return users.size
    },
  }
}
export type RealtimeHub = ReturnType<typeof createRealtimeHub>
