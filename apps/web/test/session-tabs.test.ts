import { randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { SessionManager } from '../src/session/session-manager'
import { browserTabSync, type TabMessage, type TabSync } from '../src/session/tab-sync'

const opened: Array<{ close(): void }> = []
afterEach(() => {
  for (const item of opened.splice(0)) item.close()
})

/** Two tabs of one browser: two channels of the same name (a BroadcastChannel reaches the others). */
function tabs(count: number): TabSync[] {
  const name = `test-${randomUUID()}`
  return Array.from({ length: count }, () => {
    const sync = browserTabSync(name, { BroadcastChannel })
    opened.push(sync)
    return sync
  })
}

const nextMessage = (sync: TabSync, type: TabMessage['type']) =>
  new Promise<TabMessage>((resolve) => {
    const stop = sync.subscribe((message) => {
      if (message.type !== type) return
      stop()
      resolve(message)
    })
  })

const user = { id: 'user-1', role: 'customer' as const, email: 'a@example.com' }

describe('one session for every tab (access token in memory, handed over, never stored)', () => {
  it('takes a current token from another tab instead of refreshing, and follows its log-out', async () => {
    const [peer, tab] = tabs(2) as [TabSync, TabSync]
    peer.subscribe((message) => {
      if (message.type === 'token-request')
        peer.post({ type: 'session', accessToken: 'token-a', expiresAt: Date.now() + 600_000, user })
    })
    const session = new SessionManager(tab, { peerWaitMs: 2_000 })
    opened.push(session)
    await session.start()
    expect(session.state).toEqual({ status: 'authenticated', user })
    expect(await session.accessToken()).toBe('token-a')

    const seen: string[] = []
    session.subscribe((state) => seen.push(state.status))
    peer.post({ type: 'logout' })
    await expect.poll(() => session.state.status).toBe('anonymous')
    expect(seen).toEqual(['anonymous'])
    expect(await session.accessToken()).toBeUndefined()
  })

  it('answers another tab with its token, and keeps a newer one over an older one', async () => {
    const [peer, tab] = tabs(2) as [TabSync, TabSync]
    const session = new SessionManager(tab)
    opened.push(session)
    const expiresAt = Date.now() + 600_000
    peer.post({ type: 'session', accessToken: 'newer', expiresAt, user })
    await expect.poll(() => session.state.status).toBe('authenticated')
    peer.post({ type: 'session', accessToken: 'older', expiresAt: expiresAt - 60_000, user })
    peer.post({ type: 'session', accessToken: 'expired', expiresAt: Date.now() - 1, user })

    const answer = nextMessage(peer, 'session')
    peer.post({ type: 'token-request' })
    expect(await answer).toEqual({ type: 'session', accessToken: 'newer', expiresAt, user })
    expect(await session.accessToken()).toBe('newer')
  })

  it('runs tasks under its lock one at a time where the Web Locks API is missing', async () => {
    const [tab] = tabs(1) as [TabSync]
    const order: string[] = []
    const task = (name: string, ms: number) => async () => {
      order.push(`${name} start`)
      await new Promise((resolve) => setTimeout(resolve, ms))
      order.push(`${name} end`)
      return name
    }
    const results = await Promise.all([
      tab.withLock('lock', task('first', 30)),
      tab
        .withLock('lock', async () => {
          order.push('failing')
          throw new Error('refused')
        })
        .catch(() => 'failed'),
      tab.withLock('lock', task('second', 1)),
    ])
    expect(results).toEqual(['first', 'failed', 'second'])
    expect(order).toEqual(['first start', 'first end', 'failing', 'second start', 'second end'])
  })

  it('ignores what is not a session message on the channel', async () => {
    const name = `test-${randomUUID()}`
    const tab = browserTabSync(name, { BroadcastChannel })
    opened.push(tab)
    const raw = new BroadcastChannel(name)
    opened.push(raw)
    const received: TabMessage[] = []
    tab.subscribe((message) => received.push(message))
    raw.postMessage({ type: 'something-else' })
    raw.postMessage('logout')
    raw.postMessage({ type: 'logout' })
    await expect.poll(() => received.length).toBe(1)
    expect(received).toEqual([{ type: 'logout' }])
  })
})
