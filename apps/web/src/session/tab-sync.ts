import type { Role } from '@bookstore/events'

export interface SessionUser {
  id: string
  role: Role
  email?: string
}

/** What the tabs of one browser tell each other about the session (never the refresh token). */
export type TabMessage =
  /** A tab that has no access token yet asks whether another one holds a current one. */
  | { type: 'token-request' }
  /** A current access token: after a log-in, a refresh, or as an answer to a request. */
  | { type: 'session'; accessToken: string; expiresAt: number; user: SessionUser }
  | { type: 'logout' }

/**
 * Cross-tab coordination of one browser: a channel to the other tabs and an exclusive lock. The
 * refresh cookie is shared by every tab and spent by each refresh, so two tabs refreshing at once
 * would look like a stolen token and revoke the session: every refresh runs under the lock.
 */
export interface TabSync {
  post(message: TabMessage): void
  subscribe(listener: (message: TabMessage) => void): () => void
  withLock<T>(name: string, task: () => Promise<T>): Promise<T>
  close(): void
}

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>
}

/** A lock for one tab alone: where the Web Locks API is missing, at least this tab refreshes once at a time. */
function localLock() {
  let tail: Promise<unknown> = Promise.resolve()
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task)
    tail = run.catch(() => undefined)
    return run
  }
}

const isTabMessage = (data: unknown): data is TabMessage =>
  typeof data === 'object' &&
  data !== null &&
  'type' in data &&
  (data.type === 'token-request' || data.type === 'session' || data.type === 'logout')

/** BroadcastChannel + Web Locks where the browser has them (every current one does). */
export function browserTabSync(
  name = 'bookstore-session',
  scope: { BroadcastChannel?: typeof BroadcastChannel; navigator?: { locks?: LockManagerLike } } = globalThis,
): TabSync {
  const channel = scope.BroadcastChannel ? new scope.BroadcastChannel(name) : undefined
  const locks = scope.navigator?.locks
  const fallback = localLock()
  const listeners = new Set<(message: TabMessage) => void>()
  if (channel)
    channel.onmessage = (event: MessageEvent) => {
      if (!isTabMessage(event.data)) return
      for (const listener of listeners) listener(event.data)
    }
  return {
    post: (message) => channel?.postMessage(message),
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    withLock: (lockName, task) => (locks ? locks.request(lockName, task) : fallback(task)),
    close: () => channel?.close(),
  }
}
